from clients.api.viewsets import ScopedViewSet
from clients.permissions import ADMIN, ADMIN_PM, ALL_STAFF, STAFF_AND_CLIENT
from core.api.viewsets import (
    CreateMixin,
    DestroyMixin,
    HistoryMixin,
    ListMixin,
    RetrieveMixin,
    TransitionMixin,
    UpdateMixin,
)
from projects import selectors, services
from projects.filters import ProjectFilterSet

from .rows import project_rows
from .serializers import (
    ProjectInputSerializer,
    ProjectOutputSerializer,
    ProjectPublicSerializer,
    ProjectUpdateSerializer,
)


class ProjectViewSet(
    ListMixin, RetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, TransitionMixin, HistoryMixin, ScopedViewSet
):
    """Client projects. Status moves by ``transition``: draft → active ⇄ on_hold → completed → closed;
    cancelled from draft, active or on_hold. Only drafts can be deleted."""

    selector = staticmethod(selectors.project_list)
    list_rows = staticmethod(project_rows)
    filterset_class = ProjectFilterSet
    output_serializer_class = ProjectOutputSerializer
    client_output_serializer_class = ProjectPublicSerializer
    input_serializer_class = ProjectInputSerializer
    update_serializer_class = ProjectUpdateSerializer
    permission_map = {
        "list": STAFF_AND_CLIENT,
        "retrieve": STAFF_AND_CLIENT,
        "create": ADMIN_PM,
        "update": ADMIN_PM,
        "partial_update": ADMIN_PM,
        "transition": ADMIN_PM,
        "destroy": ADMIN,
        "history": ALL_STAFF,
    }
    service_instance_kwarg = "project"
    create_service = staticmethod(services.project_create)
    update_service = staticmethod(services.project_update)
    delete_service = staticmethod(services.project_delete)
    transition_service = staticmethod(services.project_transition)
    state_machine = services.PROJECT_STATUS
