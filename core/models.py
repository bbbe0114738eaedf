"""Shared abstract models: timestamps and the optimistic-locking ``version``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Every model carries when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A mutable business record.

    ``version`` grows by one on every write made through a service (see ``core.locking``); API responses carry it
    as the ``ETag`` and a write sent with a stale ``If-Match`` is refused with 412.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class BilingualNameMixin:
    """``name`` in the active language (Chinese for ``zh-*``), falling back to the other one when blank.

    Reports and certificates carry both names, so models keep ``name_zh`` and ``name_en`` side by side.
    """

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("zh"):
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh
