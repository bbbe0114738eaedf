"""Writes on users and API tokens."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from knox.models import AuthToken

from core.services import save_audited

from .choices import STAFF_ROLES
from .models import User
from .roles import forget_roles


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None = None,
    display_name: str = "",
    language: str = "en",
    roles: Iterable[str] = (),
    is_superuser: bool = False,
) -> User:
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        language=language,
        is_superuser=is_superuser,
        is_staff=is_superuser or bool(roles),
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str]) -> User:
    """Make ``user`` hold exactly ``roles`` (staff role groups); other groups are left alone."""
    wanted = set(roles)
    unknown = wanted - STAFF_ROLES
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    for name in STAFF_ROLES:
        Group.objects.get_or_create(name=name)
    current = set(user.groups.filter(name__in=STAFF_ROLES).values_list("name", flat=True))
    user.groups.remove(*Group.objects.filter(name__in=current - wanted))
    user.groups.add(*Group.objects.filter(name__in=wanted - current))
    forget_roles(user)
    return user


@transaction.atomic
def user_update_profile(*, user: User, data: dict) -> User:
    """What a user may change about themselves: display name, language, notification preferences."""
    allowed = {"display_name", "language", "notification_preferences"}
    for field, value in data.items():
        if field in allowed:
            setattr(user, field, value)
    save_audited(user, actor=user)
    return user


def api_token_create(*, user: User) -> str:
    """Issue a token and return its secret. Only a hash is stored (knox), so this is the one time it is seen."""
    _instance, secret = AuthToken.objects.create(user=user)
    return secret


def api_token_revoke(*, token: AuthToken) -> None:
    token.delete()


def api_tokens_revoke_all(*, user: User) -> int:
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def user_ical_token_rotate(*, user: User) -> User:
    """Revoke the user's calendar feed URL by giving it a new secret token (the old URL answers 404)."""
    from .models import new_ical_token

    user.ical_token = new_ical_token()
    user.save(update_fields=["ical_token"])
    return user


def password_confirm(*, user: User, password: str, request=None) -> None:
    """Check ``user``'s password entered again to sign something, as a log-in checks it: through Django's
    ``authenticate`` with django-axes in front, so a wrong one counts toward the same lock-out as a failed log-in
    (same user, same address, ``AXES_FAILURE_LIMIT``) and, once locked out, even the right one is refused until the
    cool-off ends. The lock-out is kept per address, so this needs the request; without one (the demo, the shell)
    the password is only compared. Raises ``ValidationError`` on ``password``."""
    from axes.handlers.proxy import AxesProxyHandler
    from django.contrib.auth import authenticate
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .lockout import lockout_message

    if request is None:
        confirmed = user.check_password(password or "")
    else:
        authenticated = authenticate(request, username=user.get_username(), password=password or "")
        confirmed = authenticated is not None and authenticated.pk == user.pk
    if confirmed:
        return
    if request is not None and AxesProxyHandler.is_locked(request, {"username": user.get_username()}):
        raise ValidationError({"password": [lockout_message()]}, code="locked_out")
    raise ValidationError({"password": [_("The password is not correct.")]})
