from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ClientViewSet, ContactViewSet, DeviceViewSet, MeApi

router = SimpleRouter()
router.register("clients", ClientViewSet, basename="client")
router.register("contacts", ContactViewSet, basename="contact")
router.register("devices", DeviceViewSet, basename="device")

urlpatterns = [path("me/", MeApi.as_view(), name="me"), *router.urls]
