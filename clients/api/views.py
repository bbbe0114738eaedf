from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.serializers import MeInputSerializer
from accounts.api.views import MeApi as AccountMeApi
from clients import selectors, services
from clients.filters import ClientFilterSet, ContactFilterSet, DeviceFilterSet
from clients.permissions import ADMIN, ADMIN_PM, ADMIN_PM_REGULATORY, ALL_STAFF, STAFF_AND_CLIENT
from core.api.viewsets import (
    CreateMixin,
    DestroyMixin,
    HistoryMixin,
    ListMixin,
    RetrieveMixin,
    TransitionMixin,
    UpdateMixin,
)

from .serializers import (
    ClientInputSerializer,
    ClientOutputSerializer,
    ClientPublicSerializer,
    ContactInputSerializer,
    ContactOutputSerializer,
    ContactPublicSerializer,
    ContactUpdateSerializer,
    DeviceClassificationInputSerializer,
    DeviceClassificationOutputSerializer,
    DeviceClassificationUpdateSerializer,
    DeviceInputSerializer,
    DeviceOutputSerializer,
    DevicePublicSerializer,
    DeviceUpdateSerializer,
    MeOutputSerializer,
)
from .viewsets import ScopedViewSet

REGISTRY_PERMISSIONS = {
    "list": STAFF_AND_CLIENT,
    "retrieve": STAFF_AND_CLIENT,
    "create": ADMIN_PM,
    "update": ADMIN_PM,
    "partial_update": ADMIN_PM,
    "transition": ADMIN_PM,
    "destroy": ADMIN,
    "history": ALL_STAFF,
}


class ClientViewSet(
    ListMixin, RetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, TransitionMixin, HistoryMixin, ScopedViewSet
):
    """Clients: the manufacturers the CRO serves. Status moves by ``transition`` (prospect → active ⇄ inactive)."""

    selector = staticmethod(selectors.client_list)
    filterset_class = ClientFilterSet
    output_serializer_class = ClientOutputSerializer
    client_output_serializer_class = ClientPublicSerializer
    input_serializer_class = ClientInputSerializer
    permission_map = REGISTRY_PERMISSIONS
    service_instance_kwarg = "client"
    create_service = staticmethod(services.client_create)
    update_service = staticmethod(services.client_update)
    delete_service = staticmethod(services.client_delete)
    transition_service = staticmethod(services.client_transition)
    state_machine = services.CLIENT_STATUS


class ContactViewSet(ListMixin, RetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, HistoryMixin, ScopedViewSet):
    """A client's people: RA, QA, R&D, finance. A contact may carry the client's portal log-in."""

    selector = staticmethod(selectors.contact_list)
    filterset_class = ContactFilterSet
    output_serializer_class = ContactOutputSerializer
    client_output_serializer_class = ContactPublicSerializer
    input_serializer_class = ContactInputSerializer
    update_serializer_class = ContactUpdateSerializer
    permission_map = REGISTRY_PERMISSIONS
    service_instance_kwarg = "contact"
    create_service = staticmethod(services.contact_create)
    update_service = staticmethod(services.contact_update)
    delete_service = staticmethod(services.contact_delete)


class DeviceViewSet(ListMixin, RetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, HistoryMixin, ScopedViewSet):
    """A client's devices with their class per market. Classifications are written through
    ``/devices/{id}/classifications/`` (one per market) by PMs and regulatory specialists."""

    selector = staticmethod(selectors.device_list)
    filterset_class = DeviceFilterSet
    output_serializer_class = DeviceOutputSerializer
    client_output_serializer_class = DevicePublicSerializer
    input_serializer_class = DeviceInputSerializer
    update_serializer_class = DeviceUpdateSerializer
    permission_map = {
        **REGISTRY_PERMISSIONS,
        "classifications:GET": STAFF_AND_CLIENT,
        "classifications:POST": ADMIN_PM_REGULATORY,
        "classification_detail:GET": STAFF_AND_CLIENT,
        "classification_detail:PUT": ADMIN_PM_REGULATORY,
        "classification_detail:PATCH": ADMIN_PM_REGULATORY,
        "classification_detail:DELETE": ADMIN,
    }
    service_instance_kwarg = "device"
    create_service = staticmethod(services.device_create)
    update_service = staticmethod(services.device_update)
    delete_service = staticmethod(services.device_delete)

    def get_input_serializer_class(self):
        if self.action == "classifications":
            return DeviceClassificationInputSerializer
        if self.action == "classification_detail":
            return DeviceClassificationUpdateSerializer
        return super().get_input_serializer_class()

    def get_output_serializer_class(self):
        if self.action in ("classifications", "classification_detail"):
            return DeviceClassificationOutputSerializer
        return super().get_output_serializer_class()

    def filter_queryset(self, queryset):
        if self.action in ("classifications", "classification_detail"):
            return queryset  # the device's own filters do not apply to its classifications
        return super().filter_queryset(queryset)

    @extend_schema(methods=["GET"], responses=DeviceClassificationOutputSerializer(many=True))
    @extend_schema(methods=["POST"], responses={201: DeviceClassificationOutputSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def classifications(self, request, *args, **kwargs):
        """List the device's classifications, or set the one of a market (created, or changed if it exists)."""
        device = self.get_object()
        if request.method == "GET":
            rows = selectors.device_classification_list(user=request.user, device=device)
            return Response(DeviceClassificationOutputSerializer(rows, many=True).data)
        data = self.validated_input()
        classification = services.device_classification_set(
            device=device, actor=request.user, expected_version=self.expected_version(), **data
        )
        return self.output(classification, status_code=status.HTTP_201_CREATED)

    @action(
        detail=True,
        methods=["get", "put", "patch", "delete"],
        url_path=r"classifications/(?P<market>[A-Za-z]{2})",
        url_name="classification-detail",
    )
    def classification_detail(self, request, *args, market: str, **kwargs):
        device = self.get_object()
        rows = selectors.device_classification_list(user=request.user, device=device)
        classification = get_object_or_404(rows, market=market.upper())
        if request.method == "GET":
            return self.output(classification)
        if request.method == "DELETE":
            services.device_classification_delete(
                classification=classification, actor=request.user, expected_version=self.expected_version()
            )
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = self.validated_input(partial=request.method == "PATCH", instance=classification)
        values = {
            "device_class": classification.device_class,
            "code": classification.code,
            "rationale": classification.rationale,
            **data,
        }
        updated = services.device_classification_set(
            device=device,
            actor=request.user,
            market=classification.market,
            expected_version=self.expected_version(),
            **values,
        )
        return self.output(updated)


class MeApi(AccountMeApi):
    """The signed-in user: profile, roles and — for a client user — their client. ``PATCH`` changes the display
    name and language."""

    output_serializer_class = MeOutputSerializer

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        return super().get(request)

    @extend_schema(request=MeInputSerializer, responses=MeOutputSerializer)
    def patch(self, request):
        return super().patch(request)
