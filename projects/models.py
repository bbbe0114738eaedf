"""Client projects. ``health``, ``progress`` and ``next_due_date`` are stored here and kept current by the
``milestones`` services (and a daily set-based refresh), so project lists need no join and this app never
imports ``milestones``."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models import Client, Device
from core.models import TimeStampedModel, VersionedModel

from .choices import Currency, Health, MemberRole, Priority, ProjectStatus, ServiceType


class Project(VersionedModel):
    client_scope_field = "client_id"

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="projects")
    devices = models.ManyToManyField(Device, verbose_name=_("devices"), related_name="projects", blank=True)
    service_type = models.CharField(_("service type"), max_length=30, choices=ServiceType.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT, db_index=True
    )
    project_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project manager"),
        on_delete=models.PROTECT,
        related_name="managed_projects",
        null=True,
        blank=True,
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True, db_index=True)
    contract_number = models.CharField(_("contract number"), max_length=60, blank=True)
    contract_value = models.DecimalField(_("contract value"), max_digits=14, decimal_places=2, null=True, blank=True)
    contract_currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL, db_index=True
    )
    description = models.TextField(_("description"), blank=True)
    client_summary = models.TextField(_("summary for the client"), blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)
    health = models.CharField(
        _("health"), max_length=10, choices=Health.choices, default=Health.ON_TRACK, editable=False, db_index=True
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, editable=False, validators=[MaxValueValidator(100)]
    )
    authority_overdue = models.BooleanField(
        _("authority overdue"),
        default=False,
        editable=False,
        db_index=True,
        help_text=_("An authority step or clock is past its date: to chase, not the CRO's lateness."),
    )
    next_due_date = models.DateField(_("next due date"), null=True, blank=True, editable=False, db_index=True)

    history = HistoricalRecords(excluded_fields=["health", "progress", "next_due_date", "authority_overdue"])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "status"], name="project_client_status_idx"),
            # the lists' default order, read index-only for a page's ids: a deep page costs what the first costs
            models.Index(fields=["-created_at", "-id"], name="project_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self):
        if self.start_date and self.target_date and self.target_date < self.start_date:
            raise ValidationError({"target_date": [_("The target date cannot be before the start date.")]})


class ProjectMembership(TimeStampedModel):
    client_scope_field = "project__client_id"

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.OTHER)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="project_member_once")]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.user} ({self.role})"
