import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Language


def new_ical_token() -> str:
    return secrets.token_urlsafe(32)


class User(AbstractUser):
    """The one user model, from the first migration. Logs in by ``username``; e-mail is unique.

    Staff hold one or more role groups (``accounts.choices.Role``); a client user holds no role and belongs to
    exactly one client through ``clients.ClientMembership``.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    notification_preferences = models.JSONField(_("notification preferences"), default=dict, blank=True)
    ical_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=new_ical_token, editable=False
    )

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    # ``str(user)`` from columns, for option lists read as values (``web.templatetags.web.filter_select``)
    choice_label_fields = ("display_name", "first_name", "last_name", "username")

    @staticmethod
    def choice_label(row: dict) -> str:
        full = f"{row['first_name']} {row['last_name']}".strip()
        return row["display_name"] or full or row["username"]
