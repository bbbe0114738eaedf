import django_filters

from core.filters import ChoiceInFilter, scoped_queryset

from .choices import DeliveryStatus
from .models import Notification, Webhook, WebhookDelivery
from .selectors import webhook_list


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Unread")
    event = django_filters.CharFilter()

    class Meta:
        model = Notification
        fields = ["event"]


class WebhookFilterSet(django_filters.FilterSet):
    active = django_filters.BooleanFilter()

    class Meta:
        model = Webhook
        fields = ["active"]


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    webhook = django_filters.ModelChoiceFilter(queryset=scoped_queryset(webhook_list))
    status = ChoiceInFilter(choices=DeliveryStatus.choices)
    event = django_filters.CharFilter()

    class Meta:
        model = WebhookDelivery
        fields = ["webhook", "status", "event"]
