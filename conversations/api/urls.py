from rest_framework.routers import SimpleRouter

from .views import AttachmentViewSet, CommentViewSet, RequestViewSet

router = SimpleRouter()
router.register("comments", CommentViewSet, basename="comment")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("milestones", RequestViewSet, basename="milestone-request")  # answer, send-back

urlpatterns = router.urls
