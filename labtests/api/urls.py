from rest_framework.routers import SimpleRouter

from .views import (
    SampleViewSet,
    StandardViewSet,
    TestItemViewSet,
    TestOrderViewSet,
    TestReportViewSet,
    TestServiceViewSet,
)

router = SimpleRouter()
router.register("standards", StandardViewSet, basename="standard")
router.register("test-services", TestServiceViewSet, basename="test-service")
router.register("test-orders", TestOrderViewSet, basename="test-order")
router.register("samples", SampleViewSet, basename="sample")
router.register("test-items", TestItemViewSet, basename="test-item")
router.register("test-reports", TestReportViewSet, basename="test-report")

urlpatterns = router.urls
