"""Shared abstract models: timestamps and the optimistic-locking ``version``."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import CalendarKind


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
        return self.name_in_language(self.name_zh, self.name_en)

    @staticmethod
    def name_in_language(name_zh: str, name_en: str) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("zh"):
            return name_zh or name_en
        return name_en or name_zh


class CalendarOverride(TimeStampedModel):
    """A day whose status the packages get wrong or do not know yet, entered by an administrator.

    For China, ``chinesecalendar`` knows the State Council's announced schedules; for a year it does not cover
    yet, enter that year's announcement here (its holidays *and* its make-up working days, 调休). Overrides refine
    the estimate at once, but answers touching the year stay provisional until the year is marked complete
    (``PublishedCalendarYear``): a single override must never make a guessed date look final.
    """

    calendar = models.CharField(_("calendar"), max_length=30, choices=CalendarKind.choices)
    date = models.DateField(_("date"))
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("e.g. Spring Festival, 调休"))

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_override_unique_day")]

    def __str__(self) -> str:
        return f"{self.calendar} {self.date:%Y-%m-%d} {'working' if self.is_working_day else 'off'}"


class PublishedCalendarYear(TimeStampedModel):
    """A year whose official schedule an administrator has entered completely (as ``CalendarOverride`` rows) and
    declared so. Only then — or when chinesecalendar itself knows the year — are answers for it final. Marking a
    year re-plans the computed, provisional due dates (``dates_moved`` says how many moved)."""

    calendar = models.CharField(_("calendar"), max_length=30, choices=CalendarKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    note = models.CharField(_("source"), max_length=200, blank=True, help_text=_("e.g. the State Council notice"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    dates_moved = models.PositiveIntegerField(_("due dates moved"), default=0, editable=False)

    class Meta:
        verbose_name = _("published calendar year")
        verbose_name_plural = _("published calendar years")
        ordering = ["calendar", "year"]
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="published_calendar_year_unique")]

    def __str__(self) -> str:
        return f"{self.calendar} {self.year}"


class Sequence(models.Model):
    """A named counter for human-readable numbers (``P-2026-0042``), advanced under a row lock so concurrent
    creations never get the same number (see ``core.services.sequence_next``)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    value = models.PositiveIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("sequence")
        verbose_name_plural = _("sequences")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


def attachment_path(instance, filename: str) -> str:
    """Stored under a random name with the extension of the type found in the content (``core.uploads``); the name
    the uploader gave is kept, corrected the same way, in ``original_name``."""
    import uuid

    from .uploads import extension_for

    return f"attachments/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.{extension_for(instance.content_type)}"


class Attachment(TimeStampedModel):
    """A file attached to any business record (generic relation), downloaded only through a view that applies
    the scoping rule — there is no public media URL. ``client_id`` is copied from the owning record so the one
    scoping rule can filter attachments like any other client-owned row (core cannot reference ``clients``)."""

    client_scope_field = "client_id"

    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    client_visible = models.BooleanField(_("visible to the client"), default=False)
    client_id = models.BigIntegerField(_("client"), null=True, blank=True, db_index=True)
    owner_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True)
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    comment = models.ForeignKey(
        "core.Comment", verbose_name=_("comment"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="attachments",
    )  # fmt: skip

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="attachment_owner_idx")]

    def __str__(self) -> str:
        return self.original_name


class Comment(TimeStampedModel):
    """A remark on a business record (project, milestone, submission, test order): plain text, internal to the
    CRO unless marked visible to the client (a client user's comment always is). ``client_id`` is copied from the
    record, like ``Attachment``'s, so the one scoping rule filters comments too. Replies go one level deep. An
    edit or a deletion (by the author, within ``COMMENT_EDIT_MINUTES``) keeps the earlier text in the history."""

    client_scope_field = "client_id"

    owner_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    client_id = models.BigIntegerField(_("client"), null=True, blank=True)
    project_id = models.BigIntegerField(_("project"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="comments"
    )
    by_client = models.BooleanField(_("written by the client"), default=False)
    body = models.TextField(_("comment"), max_length=10000, blank=True)  # empty once deleted
    client_visible = models.BooleanField(_("visible to the client"), default=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("reply to"), on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["owner_type", "owner_id", "client_id", "project_id"])

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "created_at"], name="comment_owner_idx"),
            models.Index(fields=["client_id", "client_visible"], name="comment_client_idx"),
            models.Index(fields=["project_id", "created_at"], name="comment_project_idx"),
        ]

    def __str__(self) -> str:
        return self.body[:60]
