"""Reads of client data, always scoped to the acting user by the one rule in ``clients.access``."""

from django.db.models import Prefetch, QuerySet

from .access import scope_for_user
from .models import Client, ClientMembership, Contact, Device, DeviceClassification


def client_list(*, user) -> QuerySet[Client]:
    return scope_for_user(Client.objects.select_related("agent", "account_manager"), user)


def contact_list(*, user) -> QuerySet[Contact]:
    return scope_for_user(Contact.objects.select_related("client", "user"), user)


def device_list(*, user) -> QuerySet[Device]:
    classifications = Prefetch("classifications", queryset=DeviceClassification.objects.order_by("market"))
    return scope_for_user(Device.objects.select_related("client").prefetch_related(classifications), user)


def device_classification_list(*, user, device: Device) -> QuerySet[DeviceClassification]:
    return scope_for_user(DeviceClassification.objects.filter(device=device), user)


def client_for_user(*, user) -> Client | None:
    """The client a portal user belongs to (None for staff)."""
    membership = ClientMembership.objects.select_related("client").filter(user_id=getattr(user, "pk", None)).first()
    return membership.client if membership else None
