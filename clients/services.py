"""Every write on clients, contacts, memberships and devices. Keyword-only, atomic, validated, audited."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import user_roles
from core.events import emit
from core.services import lock_for_write, record_transition, record_update, save_audited
from core.state_machine import StateMachine

from .access import forget_access
from .choices import ClientStatus
from .models import Client, ClientMembership, Contact, Device, DeviceClassification

CLIENT_STATUS = StateMachine(
    {
        ClientStatus.PROSPECT: {ClientStatus.ACTIVE},
        ClientStatus.ACTIVE: {ClientStatus.INACTIVE},
        ClientStatus.INACTIVE: {ClientStatus.ACTIVE},
    }
)


def _check_account_manager(user: User | None) -> None:
    if user is not None and not user_roles(user):
        raise ValidationError({"account_manager": [_("The account manager must be a staff member.")]})


# --- Client ---------------------------------------------------------------------------------------------------
@transaction.atomic
def client_create(
    *,
    actor: User | None,
    code: str,
    kind: str,
    name_zh: str = "",
    name_en: str = "",
    uscc: str = "",
    country: str = "CN",
    agent: Client | None = None,
    account_manager: User | None = None,
    internal_notes: str = "",
) -> Client:
    _check_account_manager(account_manager)
    client = Client(
        code=code,
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        uscc=uscc,
        country=country,
        agent=agent,
        account_manager=account_manager,
        internal_notes=internal_notes,
    )
    save_audited(client, actor=actor)
    emit("client.created", client_id=client.pk, actor_id=getattr(actor, "pk", None))
    return client


@transaction.atomic
def client_update(
    *, client: Client, actor: User | None, data: dict[str, Any], expected_version: int | None = None
) -> Client:
    if "account_manager" in data:
        _check_account_manager(data["account_manager"])
    client = record_update(instance=client, actor=actor, data=data, expected_version=expected_version)
    emit("client.updated", client_id=client.pk, actor_id=getattr(actor, "pk", None))
    return client


@transaction.atomic
def client_transition(
    *, client: Client, actor: User | None, to: str, reason: str = "", expected_version: int | None = None
) -> Client:
    client, previous = record_transition(
        instance=client, machine=CLIENT_STATUS, to=to, actor=actor, reason=reason, expected_version=expected_version
    )
    emit(
        "client.status_changed",
        client_id=client.pk,
        old=previous,
        new=client.status,
        actor_id=getattr(actor, "pk", None),
    )
    return client


@transaction.atomic
def client_delete(*, client: Client, actor: User | None, expected_version: int | None = None) -> None:
    """Delete a client with nothing attached (contacts, devices, principals block it: 409)."""
    client = lock_for_write(client, expected_version=expected_version)
    client._history_user = actor
    client.delete()


# --- Portal membership ----------------------------------------------------------------------------------------
@transaction.atomic
def client_membership_create(*, user: User, client: Client) -> ClientMembership:
    """Make ``user`` a portal user of ``client``. Staff cannot be client users: the two would mix scopes."""
    if user_roles(user):
        raise ValidationError({"user": [_("A staff member cannot be a client user.")]})
    if ClientMembership.objects.filter(user=user).exclude(client=client).exists():
        raise ValidationError({"user": [_("This user already belongs to another client.")]})
    membership, _created = ClientMembership.objects.get_or_create(user=user, defaults={"client": client})
    forget_access(user)
    return membership


# --- Contact --------------------------------------------------------------------------------------------------
def _clear_other_primary(contact: Contact) -> None:
    """Only one primary contact per client: naming a new one demotes the old (a database constraint backs it)."""
    for other in (
        Contact.objects.select_for_update().filter(client_id=contact.client_id, is_primary=True).exclude(pk=contact.pk)
    ):
        other.is_primary = False
        other.version += 1
        save_audited(other, actor=getattr(contact, "_history_user", None), reason="primary contact changed")


@transaction.atomic
def contact_create(
    *,
    actor: User | None,
    client: Client,
    name: str,
    email: str = "",
    phone: str = "",
    role: str = "other",
    is_primary: bool = False,
    user: User | None = None,
) -> Contact:
    contact = Contact(client=client, name=name, email=email, phone=phone, role=role, is_primary=is_primary, user=user)
    if is_primary:
        contact._history_user = actor
        _clear_other_primary(contact)
    save_audited(contact, actor=actor)
    return contact


@transaction.atomic
def contact_update(
    *, contact: Contact, actor: User | None, data: dict[str, Any], expected_version: int | None = None
) -> Contact:
    if data.get("is_primary") and not contact.is_primary:
        contact._history_user = actor
        _clear_other_primary(contact)
    return record_update(instance=contact, actor=actor, data=data, expected_version=expected_version)


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User | None, expected_version: int | None = None) -> None:
    contact = lock_for_write(contact, expected_version=expected_version)
    contact._history_user = actor
    contact.delete()


# --- Device ---------------------------------------------------------------------------------------------------
@transaction.atomic
def device_create(
    *,
    actor: User | None,
    client: Client,
    kind: str,
    name_zh: str = "",
    name_en: str = "",
    model_numbers: list[str] | None = None,
    sterile: bool = False,
    implantable: bool = False,
    has_software: bool = False,
    administers_medicinal_product: bool = False,
    intended_use: str = "",
    classifications: list[dict[str, Any]] | None = None,
) -> Device:
    device = Device(
        client=client,
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        model_numbers=model_numbers or [],
        sterile=sterile,
        implantable=implantable,
        has_software=has_software,
        administers_medicinal_product=administers_medicinal_product,
        intended_use=intended_use,
    )
    save_audited(device, actor=actor)
    for item in classifications or []:
        device_classification_set(device=device, actor=actor, **item)
    emit("device.created", device_id=device.pk, client_id=client.pk, actor_id=getattr(actor, "pk", None))
    return device


@transaction.atomic
def device_update(
    *, device: Device, actor: User | None, data: dict[str, Any], expected_version: int | None = None
) -> Device:
    if "client" in data and data["client"].pk != device.client_id:
        raise ValidationError({"client": [_("A device cannot move to another client.")]})
    return record_update(instance=device, actor=actor, data=data, expected_version=expected_version)


@transaction.atomic
def device_delete(*, device: Device, actor: User | None, expected_version: int | None = None) -> None:
    device = lock_for_write(device, expected_version=expected_version)
    device._history_user = actor
    device.delete()


@transaction.atomic
def device_classification_set(
    *,
    device: Device,
    actor: User | None,
    market: str,
    device_class: str,
    code: str = "",
    rationale: str = "",
    expected_version: int | None = None,
) -> DeviceClassification:
    """Create or change the device's class in ``market`` (one classification per device and market)."""
    existing = DeviceClassification.objects.filter(device=device, market=market).first()
    values = {"device_class": device_class, "code": code, "rationale": rationale}
    if existing is None:
        classification = DeviceClassification(device=device, market=market, **values)
        save_audited(classification, actor=actor)
        return classification
    return record_update(instance=existing, actor=actor, data=values, expected_version=expected_version)


@transaction.atomic
def device_classification_delete(
    *, classification: DeviceClassification, actor: User | None, expected_version: int | None = None
) -> None:
    classification = lock_for_write(classification, expected_version=expected_version)
    classification._history_user = actor
    classification.delete()


# --- Portal access: invitation and deactivation ----------------------------------------------------------------
def _free_username(email: str) -> str:
    base = (email.split("@")[0] or "client").lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def contact_invite(*, contact: Contact, actor: User | None, site_url: str) -> User:
    """Give a contact portal access: a client user (no password yet) linked to the contact, and an e-mail with a
    set-password link that expires. Inviting again re-activates a deactivated contact and sends a new link."""
    from accounts.services import user_create

    from .invitations import invitation_tokens

    if not contact.email:
        raise ValidationError({"email": [_("The contact needs an e-mail address to be invited.")]})
    user = contact.user
    if user is None:
        user = user_create(username=_free_username(contact.email), email=contact.email, display_name=contact.name,
                           language="zh-hans" if contact.client.country == "CN" else "en")  # fmt: skip
        client_membership_create(user=user, client=contact.client)
        contact = record_update(instance=contact, actor=actor, data={"user": user})
    elif not user.is_active:
        user.is_active = True
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
    message = _invitation_email(user, contact, invitation_tokens.make_token(user), site_url)
    transaction.on_commit(message.send)
    emit("contact.invited", contact_id=contact.pk, client_id=contact.client_id, actor_id=getattr(actor, "pk", None))
    return user


def _invitation_email(user: User, contact: Contact, token: str, site_url: str):
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse("portal:welcome", args=[urlsafe_base64_encode(force_bytes(user.pk)), token])
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, "client": contact.client, "link": site_url.rstrip("/") + path,
                   "days": settings.PORTAL_INVITATION_DAYS}  # fmt: skip
        subject = render_to_string("clients/email/invitation_subject.txt", context).strip()
        body = render_to_string("clients/email/invitation.txt", context)
    return EmailMultiAlternatives(subject=" ".join(subject.split()), body=body, to=[user.email])


@transaction.atomic
def contact_portal_deactivate(*, contact: Contact, actor: User | None) -> None:
    """Take a contact's portal access away at once: the user is deactivated (their sessions stop at the next
    request: Django refuses inactive users, and the password hash the sessions carry changes), and every API
    token is revoked."""
    from accounts.services import api_tokens_revoke_all

    user = contact.user
    if user is None:
        raise ValidationError({"user": [_("This contact has no portal access.")]})
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    api_tokens_revoke_all(user=user)
    emit("contact.deactivated", contact_id=contact.pk, client_id=contact.client_id,
         actor_id=getattr(actor, "pk", None))  # fmt: skip
