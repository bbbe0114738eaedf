import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.viewsets import ListMixin, RetrieveMixin, ServiceViewSet
from notifications import selectors, services
from notifications.models import Notification

from .serializers import MarkReadInputSerializer, MarkReadOutputSerializer, NotificationSerializer


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Unread")
    event = django_filters.CharFilter()

    class Meta:
        model = Notification
        fields = ["event"]


class NotificationViewSet(ListMixin, RetrieveMixin, ServiceViewSet):
    """Your own in-app notifications, newest first (``?unread=true``). ``read-all`` marks them read."""

    permission_classes = [IsAuthenticated]
    selector = staticmethod(selectors.notification_list)
    filterset_class = NotificationFilterSet
    output_serializer_class = NotificationSerializer

    def get_input_serializer_class(self):
        return MarkReadInputSerializer if self.action == "read_all" else None

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, *args, **kwargs):
        notification = self.get_object()
        services.notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return self.output(notification)

    @extend_schema(request=MarkReadInputSerializer, responses=MarkReadOutputSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, *args, **kwargs):
        data = self.validated_input()
        marked = services.notifications_mark_read(user=request.user, ids=data.get("ids"))
        return Response({"marked": marked, "unread": selectors.unread_count(user=request.user)})
