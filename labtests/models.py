"""Lab test orders (SENAITE's shape): a catalogue of standards and test services, orders with samples and test
items, and versioned test reports whose files are core ``Attachment`` rows."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models import Client
from core.choices import CalendarKind
from core.dates import validate_business_date
from core.models import Attachment, BilingualNameMixin, VersionedModel
from milestones.models import Milestone
from projects.choices import Priority
from projects.models import Project

from .choices import Disposition, ItemStatus, LabSection, OrderStatus, ReportStatus, StandardStatus, Verdict


class Standard(VersionedModel):
    code = models.CharField(_("code"), max_length=60, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    equivalent = models.CharField(_("equivalent standard"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=StandardStatus.choices, default=StandardStatus.CURRENT, db_index=True
    )
    effective_date = models.DateField(_("effective date"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class TestService(BilingualNameMixin, VersionedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    lab_section = models.CharField(_("lab section"), max_length=30, choices=LabSection.choices, db_index=True)
    standards = models.ManyToManyField(Standard, verbose_name=_("standards"), related_name="services", blank=True)
    turnaround_days = models.PositiveIntegerField(_("turnaround"))
    turnaround_calendar = models.CharField(
        _("turnaround calendar"), max_length=30, choices=CalendarKind.choices, default=CalendarKind.CN_WORKDAYS
    )
    cma = models.BooleanField(_("CMA accredited"), default=False)
    cnas = models.BooleanField(_("CNAS accredited"), default=False)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(_("offered"), default=True)
    retention_days = models.PositiveIntegerField(
        _("sample retention (days)"), default=30, help_text=_("How long samples are kept after receipt.")
    )
    destructive = models.BooleanField(
        _("destructive"), default=False, help_text=_("Uses up its samples: they serve no other test after it.")
    )
    runs_after = models.ManyToManyField(
        "self", verbose_name=_("runs after"), symmetrical=False, blank=True, related_name="runs_before",
        help_text=_("Tests that must finish first when ordered together (e.g. ageing before seal strength)."),
    )  # fmt: skip

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test service")
        verbose_name_plural = _("test services")
        ordering = ["lab_section", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def accredited(self) -> bool:
        """Within the lab's CMA accreditation: a report marks every item that is not."""
        return self.cma


class TestOrder(VersionedModel):
    client_scope_field = "client_id"

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="test_orders")
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="test_orders"
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone it feeds"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="test_orders",
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT, db_index=True
    )
    held_from = models.CharField(_("held from"), max_length=20, choices=OrderStatus.choices, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    due_date_manual = models.BooleanField(_("due date set by hand"), default=False)
    due_provisional = models.BooleanField(
        _("provisional"), default=False,
        help_text=_("The due date leans on a year whose official holidays are not published: an estimate, re-planned "
                    "when the year is published."),
    )  # fmt: skip
    held_on = models.DateField(_("on hold since"), null=True, blank=True)
    hold_days = models.PositiveIntegerField(_("working days on hold"), default=0)
    retention_days = models.PositiveIntegerField(_("sample retention (days)"), null=True, blank=True)
    disposition_due = models.DateField(_("samples to return or dispose of by"), null=True, blank=True, db_index=True)
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test order")
        verbose_name_plural = _("test orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="testorder_status_due_idx"),
            # the lists' default order, read index-only for a page's ids
            models.Index(fields=["-created_at", "-id"], name="testorder_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self):
        errors = {}
        if self.project_id and self.client_id and self.project.client_id != self.client_id:
            errors["project"] = [_("The project belongs to another client.")]
        if self.milestone_id and self.milestone.project_id != self.project_id:
            errors["milestone"] = [_("The milestone belongs to another project.")]
        if errors:
            raise ValidationError(errors)


class Sample(VersionedModel):
    client_scope_field = "order__client_id"

    order = models.ForeignKey(TestOrder, verbose_name=_("test order"), on_delete=models.CASCADE, related_name="samples")
    identifier = models.CharField(_("identifier"), max_length=60)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    condition_on_receipt = models.CharField(_("condition on receipt"), max_length=300, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    storage_location = models.CharField(_("storage location"), max_length=100, blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=10, choices=Disposition.choices, default=Disposition.RETAIN
    )
    retention_until = models.DateField(_("retained until"), null=True, blank=True)
    disposed_on = models.DateField(_("returned or disposed of on"), null=True, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("returned or disposed of by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    courier_reference = models.CharField(_("courier reference"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["order_id", "identifier"]
        constraints = [models.UniqueConstraint(fields=["order", "identifier"], name="sample_identifier_per_order")]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.identifier}"


class TestItem(VersionedModel):
    client_scope_field = "order__client_id"

    order = models.ForeignKey(TestOrder, verbose_name=_("test order"), on_delete=models.CASCADE, related_name="items")
    service = models.ForeignKey(TestService, verbose_name=_("test service"), on_delete=models.PROTECT)
    samples = models.ManyToManyField(Sample, verbose_name=_("samples"), related_name="items", blank=True)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="test_items",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.REGISTERED, db_index=True
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True)
    result_summary = models.TextField(_("result summary"), blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("result entered by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verified by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    retest_of = models.ForeignKey(
        "self", verbose_name=_("retest of"), on_delete=models.SET_NULL, null=True, blank=True, related_name="retests"
    )
    depends_on = models.ManyToManyField(
        "self", verbose_name=_("runs after"), symmetrical=False, blank=True, related_name="dependents"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test item")
        verbose_name_plural = _("test items")
        ordering = ["order_id", "id"]
        indexes = [models.Index(fields=["engineer", "status"], name="testitem_engineer_status_idx")]

    def __str__(self) -> str:
        return f"{self.order.number} {self.service.code}"


class TestReport(VersionedModel):
    client_scope_field = "order__client_id"

    order = models.ForeignKey(TestOrder, verbose_name=_("test order"), on_delete=models.CASCADE, related_name="reports")
    number = models.CharField(_("report number"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    prepared_at = models.DateTimeField(_("prepared at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    attachment = models.ForeignKey(Attachment, verbose_name=_("report file"), on_delete=models.PROTECT)
    supersedes = models.OneToOneField(
        "self", verbose_name=_("supersedes"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="superseded_by",
    )  # fmt: skip
    amendment_reason = models.CharField(_("amendment reason"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test report")
        verbose_name_plural = _("test reports")
        ordering = ["order_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["order", "version"], name="report_version_per_order"),
            models.UniqueConstraint(fields=["order"], condition=Q(status="draft"), name="report_one_draft_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"


class AuthorisedSignatory(models.Model):
    """授权签字人: who may approve (sign) test reports, and for what — a lab section or a single test service —
    between two dates. One row per scope; admins keep them (the accreditation body approves the names)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="signatory_scopes"
    )
    lab_section = models.CharField(_("lab section"), max_length=30, choices=LabSection.choices, blank=True)
    service = models.ForeignKey(
        TestService, verbose_name=_("test service"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateField(_("valid from"), validators=[validate_business_date])
    valid_until = models.DateField(_("valid until"), null=True, blank=True, validators=[validate_business_date])
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("authorised signatory")
        verbose_name_plural = _("authorised signatories")
        ordering = ["user_id", "lab_section", "service_id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(lab_section="") & Q(service__isnull=False))
                | (~Q(lab_section="") & Q(service__isnull=True)),
                name="signatory_section_xor_service",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.service or self.get_lab_section_display()}"

    def clean(self):
        if bool(self.lab_section) == bool(self.service_id):
            raise ValidationError(_("Give either a lab section or a test service."))
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": [_("The end of validity is before its start.")]})
