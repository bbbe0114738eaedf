from rest_framework.routers import SimpleRouter

from .views import AttachmentViewSet, CommentViewSet

router = SimpleRouter()
router.register("comments", CommentViewSet, basename="comment")
router.register("attachments", AttachmentViewSet, basename="attachment")

urlpatterns = router.urls
