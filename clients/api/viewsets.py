"""The base of every client-scoped API viewset: role permissions, the scoping rule, client-facing allowlists."""

from rest_framework.permissions import IsAuthenticated

from clients.access import access_for
from clients.permissions import RolePermission
from core.api.viewsets import ServiceViewSet


class ScopedViewSet(ServiceViewSet):
    """``selector`` scopes rows to the user; ``permission_map`` says which roles may run which action;
    client users get ``client_output_serializer_class`` (an explicit allowlist) instead of the staff output."""

    permission_classes = [IsAuthenticated, RolePermission]
    permission_map: dict[str, frozenset[str]] = {}
    client_output_serializer_class = None

    def public_output(self) -> bool:
        return self.client_output_serializer_class is not None and access_for(self.request.user).is_client_user

    def get_output_serializer_class(self):
        if self.public_output():
            return self.client_output_serializer_class
        return super().get_output_serializer_class()
