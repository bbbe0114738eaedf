from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import user_ical_token_rotate
from clients.access import CLIENT_USER
from clients.api.viewsets import ScopedViewSet
from clients.permissions import ADMIN, ALL_STAFF, STAFF_AND_CLIENT
from core.api.viewsets import CreateMixin, DestroyMixin, ListMixin, RetrieveMixin, ServiceViewSet, UpdateMixin
from core.queue import enqueue_on_commit
from core.throttles import WEBHOOK_RESENDS
from notifications import selectors, services
from notifications.filters import NotificationFilterSet, WebhookDeliveryFilterSet, WebhookFilterSet
from notifications.tasks import webhook_deliver

from .serializers import (
    CalendarFeedSerializer,
    MarkReadInputSerializer,
    MarkReadOutputSerializer,
    NotificationPreferencesSerializer,
    NotificationSerializer,
    ReminderRuleOutputSerializer,
    WebhookDeliveryOutputSerializer,
    WebhookInputSerializer,
    WebhookOutputSerializer,
    WebhookSecretOutputSerializer,
    WebhookUpdateSerializer,
)

ADMIN_OR_CLIENT = ADMIN | {CLIENT_USER}


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


class WebhookViewSet(ListMixin, RetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """Webhooks: signed HTTP POSTs of business events (``X-CDMO-Signature: sha256=HMAC(secret, timestamp.body)``,
    ``X-CDMO-Timestamp``). Admins manage every webhook; a client user manages their own client's, which hear only
    that client's events without internal fields. The secret is shown on create and on ``rotate-secret``."""

    selector = staticmethod(selectors.webhook_list)
    filterset_class = WebhookFilterSet
    output_serializer_class = WebhookOutputSerializer
    input_serializer_class = WebhookInputSerializer
    update_serializer_class = WebhookUpdateSerializer
    permission_map = {
        "list": STAFF_AND_CLIENT,
        "retrieve": STAFF_AND_CLIENT,
        "create": ADMIN_OR_CLIENT,
        "update": ADMIN_OR_CLIENT,
        "partial_update": ADMIN_OR_CLIENT,
        "destroy": ADMIN_OR_CLIENT,
        "rotate_secret": ADMIN_OR_CLIENT,
    }
    service_instance_kwarg = "webhook"
    create_service = staticmethod(services.webhook_create)
    update_service = staticmethod(services.webhook_update)
    delete_service = staticmethod(services.webhook_delete)

    def get_output_serializer_class(self):
        if self.action in ("create", "rotate_secret"):
            return WebhookSecretOutputSerializer
        return super().get_output_serializer_class()

    @extend_schema(request=None, responses=WebhookSecretOutputSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        webhook = services.webhook_rotate_secret(webhook=self.get_object(), actor=request.user)
        return self.output(webhook)


class WebhookDeliveryViewSet(ListMixin, RetrieveMixin, ScopedViewSet):
    """What was sent to each webhook, with response codes, attempts and errors; ``resend`` sends one again."""

    selector = staticmethod(selectors.webhook_delivery_list)
    filterset_class = WebhookDeliveryFilterSet
    output_serializer_class = WebhookDeliveryOutputSerializer
    permission_map = {"list": STAFF_AND_CLIENT, "retrieve": STAFF_AND_CLIENT, "resend": ADMIN_OR_CLIENT}
    throttle_scopes = {"resend": WEBHOOK_RESENDS}

    @extend_schema(request=None, responses={201: WebhookDeliveryOutputSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, *args, **kwargs):
        copy = services.webhook_delivery_resend(delivery=self.get_object(), actor=request.user)
        enqueue_on_commit(webhook_deliver, copy.pk)
        return self.output(copy, status_code=status.HTTP_201_CREATED)


class ReminderRuleViewSet(ListMixin, RetrieveMixin, ScopedViewSet):
    """The reminder rules (what is watched, the offsets, repeats, escalation, recipients). Read-only here; admins
    edit them in the admin."""

    selector = staticmethod(selectors.reminder_rule_list)
    output_serializer_class = ReminderRuleOutputSerializer
    permission_map = {"list": ALL_STAFF, "retrieve": ALL_STAFF}


class NotificationPreferencesApi(APIView):
    """Your reminder settings: kinds to mute, and e-mail at once or as a daily digest."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=NotificationPreferencesSerializer)
    def get(self, request):
        muted, email = services.preferences_of(request.user.notification_preferences)
        return Response({"muted_kinds": sorted(muted), "email": email})

    @extend_schema(request=NotificationPreferencesSerializer, responses=NotificationPreferencesSerializer)
    def put(self, request):
        serializer = NotificationPreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.notification_preferences_update(user=request.user, **serializer.validated_data)
        return self.get(request)


class CalendarFeedApi(APIView):
    """Your calendar feed URL (iCalendar: milestones, review clocks, test orders you are responsible for).
    ``POST`` revokes the old URL and returns a new one."""

    permission_classes = [IsAuthenticated]

    def _answer(self, request, user):
        path = reverse("web:calendar-feed", kwargs={"token": user.ical_token})
        return Response({"url": request.build_absolute_uri(path)})

    @extend_schema(responses=CalendarFeedSerializer)
    def get(self, request):
        return self._answer(request, request.user)

    @extend_schema(request=None, responses=CalendarFeedSerializer)
    def post(self, request):
        return self._answer(request, user_ical_token_rotate(user=request.user))
