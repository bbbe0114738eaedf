"""Reads of users."""

from django.db.models import QuerySet

from .choices import STAFF_ROLES
from .models import User


def staff_user_list() -> QuerySet[User]:
    """Active users holding at least one staff role (account managers, project managers, owners)."""
    return User.objects.filter(groups__name__in=STAFF_ROLES, is_active=True).distinct().order_by("username")


def staff_user_choices(request=None) -> QuerySet[User]:
    """``staff_user_list`` as a django-filter callable queryset (filters pass the request)."""
    return staff_user_list()


def user_by_calendar_token(token: str):
    """The active user whose calendar feed URL carries ``token`` (None for an unknown or revoked one)."""
    from .models import User

    return User.objects.filter(ical_token=token, is_active=True).first() if token else None


def api_token_list(*, user):
    """A user's own API tokens (knox keeps only a hash and the first characters), newest first."""
    from knox.models import AuthToken

    return AuthToken.objects.filter(user=user).order_by("-created")


def lab_staff_list() -> QuerySet[User]:
    """Active lab engineers and lab managers: whom a test item can be assigned to."""
    from .choices import Role

    return (
        User.objects.filter(groups__name__in=(Role.LAB, Role.LAB_MANAGER), is_active=True)
        .distinct()
        .order_by("username")
    )
