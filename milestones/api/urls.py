from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ApplyPathwayApi, MilestoneViewSet, PathwayViewSet, ReviewClockViewSet, SubmissionViewSet

router = SimpleRouter()
router.register("pathways", PathwayViewSet, basename="pathway")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("review-clocks", ReviewClockViewSet, basename="review-clock")

urlpatterns = [
    path("projects/<int:pk>/apply-pathway/", ApplyPathwayApi.as_view(), name="project-apply-pathway"),
    *router.urls,
]
