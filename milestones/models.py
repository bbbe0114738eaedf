"""The regulatory engine: pathway templates (versioned, seeded by a data migration), and per project the
submissions, milestones with their dependencies, and the statutory review clocks with their event log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.choices import Market
from core.choices import CalendarKind, PeriodUnit
from core.models import BilingualNameMixin, TimeStampedModel, VersionedModel
from projects.models import Project

from .choices import (
    Authority,
    ClockAction,
    ClockKind,
    ClockState,
    DeficiencyRule,
    MilestoneCondition,
    MilestoneKind,
    MilestoneStatus,
    Responsible,
    SubmissionFlag,
    SubmissionStatus,
)


# --- Templates --------------------------------------------------------------------------------------------------
class PathwayTemplate(BilingualNameMixin, TimeStampedModel):
    """A regulatory pathway as the rules stand from ``effective_from``; a rule change is a new ``version``."""

    code = models.CharField(_("code"), max_length=30, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    effective_from = models.DateField(_("effective from"))
    market = models.CharField(_("market"), max_length=2, choices=Market.choices)
    authority = models.CharField(_("authority"), max_length=20, choices=Authority.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    device_classes = models.JSONField(
        _("device classes"),
        default=list,
        blank=True,
        help_text=_('The classes in the pathway\'s market it is for, e.g. ["II"]; empty: any.'),
    )
    options = models.JSONField(
        _("options"),
        default=dict,
        blank=True,
        help_text=_(
            'Chosen when applying, e.g. {"advisory_panel": {"name_en": "…", "name_zh": "…", '
            '"milestones": {"DECISION": {"duration": 320}}, "clocks": {"authority_review": {"budget": 320}}}}'
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pathway template")
        verbose_name_plural = _("pathway templates")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="pathway_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class MilestoneTemplate(BilingualNameMixin, TimeStampedModel):
    pathway = models.ForeignKey(
        PathwayTemplate, verbose_name=_("pathway"), on_delete=models.CASCADE, related_name="milestone_templates"
    )
    code = models.CharField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    order = models.PositiveIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices, default=MilestoneKind.TASK)
    duration = models.PositiveIntegerField(_("duration"))
    calendar = models.CharField(_("calendar"), max_length=30, choices=CalendarKind.choices)
    predecessors = models.JSONField(
        _("predecessors"), default=list, blank=True, help_text=_('e.g. [{"code": "ACCEPTANCE", "lag": 3}]')
    )
    clock_kind = models.CharField(_("clock"), max_length=30, choices=ClockKind.choices, blank=True)
    clock_action = models.CharField(_("clock action"), max_length=10, choices=ClockAction.choices, blank=True)
    follows_clock = models.CharField(
        _("follows the clock"),
        max_length=30,
        choices=ClockKind.choices,
        blank=True,
        help_text=_("Its due date is that clock's: it moves when the clock pauses, resumes or restarts."),
    )
    condition = models.CharField(
        _("included when"), max_length=20, choices=MilestoneCondition.choices, blank=True, default=""
    )
    client_visible = models.BooleanField(_("visible to the client"), default=True)
    responsible = models.CharField(_("responsible"), max_length=20, choices=Responsible.choices)
    completed_by = models.JSONField(
        _("completed when the submission is"), default=list, blank=True,
        help_text=_("Recording the submission's move to one of these statuses completes the milestone on the "
                    "event's date (and completing it records that move, when there is only one)."),
    )  # fmt: skip

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone template")
        verbose_name_plural = _("milestone templates")
        ordering = ["pathway_id", "order"]
        constraints = [models.UniqueConstraint(fields=["pathway", "code"], name="milestone_template_code_unique")]

    def __str__(self) -> str:
        return f"{self.pathway.code}/{self.code}"

    def clean(self):
        if bool(self.clock_kind) != bool(self.clock_action):
            raise ValidationError({"clock_action": [_("Name both the clock and the action, or neither.")]})
        if not isinstance(self.predecessors, list) or not all(
            isinstance(p, dict) and isinstance(p.get("code"), str) and isinstance(p.get("lag", 0), int)
            for p in self.predecessors
        ):
            raise ValidationError({"predecessors": [_('Use a list of {"code": "…", "lag": 0} entries.')]})


class ClockTemplate(TimeStampedModel):
    """A statutory clock of the pathway with its budget, and how the authority counts during a deficiency."""

    pathway = models.ForeignKey(
        PathwayTemplate, verbose_name=_("pathway"), on_delete=models.CASCADE, related_name="clock_templates"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ClockKind.choices)
    budget = models.PositiveIntegerField(_("budget"))
    unit = models.CharField(_("unit"), max_length=30, choices=CalendarKind.choices)
    restart_budget = models.PositiveIntegerField(
        _("budget after a restart"), null=True, blank=True, help_text=_("NMPA: 60 working days after supplements.")
    )
    on_deficiency = models.CharField(
        _("on a deficiency"), max_length=20, choices=DeficiencyRule.choices, default=DeficiencyRule.NONE
    )
    starts_on_status = models.CharField(
        _("starts when the submission is"), max_length=20, choices=SubmissionStatus.choices, blank=True
    )
    start_lag = models.PositiveIntegerField(
        _("starts after (units)"),
        default=0,
        help_text=_("NMPA: the technical review counts from the transfer, 3 working days after acceptance."),
    )
    period = models.CharField(
        _("budget counted in"), max_length=10, choices=PeriodUnit.choices, default=PeriodUnit.DAYS,
        help_text=_("Days of the unit's calendar, or months / years ending on the corresponding day (NMPA: the "
                    "applicant's supplement window is one year)."),
    )  # fmt: skip
    rest_days = models.CharField(
        _("a last day on a rest day moves to the next working day of"), max_length=30,
        choices=CalendarKind.choices, blank=True,
        help_text=_("NMPA windows follow the Civil Code (Art. 203): a last day on a rest day or holiday moves to the "
                    "next working day. FDA days are not moved."),
    )  # fmt: skip
    condition = models.CharField(
        _("included when"), max_length=20, choices=MilestoneCondition.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("clock template")
        verbose_name_plural = _("clock templates")
        constraints = [models.UniqueConstraint(fields=["pathway", "kind"], name="clock_template_kind_unique")]

    def __str__(self) -> str:
        return f"{self.pathway.code}/{self.kind} {self.budget} {self.unit}"


# --- Per project ------------------------------------------------------------------------------------------------
class Submission(VersionedModel):
    """One regulatory application of a project along one pathway (a project may follow several pathways)."""

    client_scope_field = "project__client_id"

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="submissions"
    )
    pathway = models.ForeignKey(
        PathwayTemplate, verbose_name=_("pathway"), on_delete=models.PROTECT, related_name="submissions"
    )
    pathway_code = models.CharField(_("pathway code"), max_length=30, editable=False)
    authority = models.CharField(_("authority"), max_length=20, choices=Authority.choices)
    reference_number = models.CharField(
        _("reference number"), max_length=60, blank=True, help_text=_("受理号, K-number, or notified-body file.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.PLANNED, db_index=True
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    flag = models.CharField(_("flag"), max_length=30, choices=SubmissionFlag.choices, blank=True, db_index=True)
    flagged_on = models.DateField(_("flagged on"), null=True, blank=True)
    transferred_on = models.DateField(
        _("transferred to technical review on"),
        null=True,
        blank=True,
        help_text=_("Planned at acceptance (+3 working days, NMPA) until the transfer is recorded."),
    )
    transfer_recorded = models.BooleanField(_("transfer recorded"), default=False)
    options = models.JSONField(_("options"), default=list, blank=True, help_text=_("Chosen when applying."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "pathway_code"], name="submission_pathway_once_per_project")
        ]
        indexes = [
            models.Index(fields=["pathway_code"], name="submission_pathway_idx"),  # the lists' pathway filter
            models.Index(fields=["reference_number"], name="submission_reference_idx"),  # search by 受理号
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.pathway_code}"


class Milestone(BilingualNameMixin, VersionedModel):
    client_scope_field = "project__client_id"

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="milestones",
    )
    template = models.ForeignKey(
        MilestoneTemplate, verbose_name=_("template"), on_delete=models.SET_NULL, null=True, blank=True
    )
    code = models.CharField(_("code"), max_length=40, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices, default=MilestoneKind.TASK)
    order = models.PositiveIntegerField(_("order"), default=0)
    calendar = models.CharField(
        _("calendar"), max_length=30, choices=CalendarKind.choices, default=CalendarKind.CN_WORKDAYS
    )
    duration = models.PositiveIntegerField(_("duration"), default=0)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(
        _("provisional due date"),
        default=False,
        help_text=_("Counted over days whose official holiday schedule is not published yet."),
    )
    due_date_set_by_hand = models.BooleanField(
        _("due date set by hand"),
        default=False,
        help_text=_("Set by a person (created with a date, or rescheduled): never re-planned by the engine."),
    )
    baseline_start = models.DateField(_("baseline start"), null=True, blank=True)
    baseline_due_date = models.DateField(_("baseline due date"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_milestones",
    )
    responsible = models.CharField(
        _("responsible"), max_length=20, choices=Responsible.choices, default=Responsible.CRO, db_index=True
    )
    client_visible = models.BooleanField(_("visible to the client"), default=True)
    follows_clock = models.CharField(_("follows the clock"), max_length=30, choices=ClockKind.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED, db_index=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project_id", "due_date", "order", "id"]
        indexes = [
            models.Index(fields=["project", "due_date"], name="milestone_project_due_idx"),
            models.Index(fields=["status", "due_date"], name="milestone_status_due_idx"),
            models.Index(fields=["status", "completed_on"], name="milestone_status_done_idx"),  # on-time chart
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.code or self.name}"

    def clean(self):
        if not self.name_zh and not self.name_en:
            raise ValidationError({"name_en": [_("Give the name in Chinese, in English, or both.")]})
        if self.submission_id and self.submission.project_id != self.project_id:
            raise ValidationError({"submission": [_("The submission belongs to another project.")]})
        if self.planned_start and self.due_date and self.due_date < self.planned_start:
            raise ValidationError({"due_date": [_("The due date cannot be before the planned start.")]})


class MilestoneDependency(TimeStampedModel):
    """Finish-to-start: the successor starts ``lag_days`` (in its own calendar) after the predecessor is due."""

    client_scope_field = "successor__project__client_id"

    predecessor = models.ForeignKey(
        Milestone, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        Milestone, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="predecessor_links"
    )
    lag_days = models.IntegerField(_("lag (days)"), default=0)

    class Meta:
        verbose_name = _("milestone dependency")
        verbose_name_plural = _("milestone dependencies")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="dependency_once"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="dependency_not_on_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id} (+{self.lag_days})"


class ReviewClock(VersionedModel):
    """A statutory clock. Its event log (``ClockEvent``) is the truth; the fields below are what the events add
    up to, stored so that lists and sweeps need no replay: the current round's start, what earlier segments
    of the round consumed, and the day the budget runs out (null unless running)."""

    client_scope_field = "submission__project__client_id"

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="clocks"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ClockKind.choices)
    budget = models.PositiveIntegerField(_("budget"))
    unit = models.CharField(_("unit"), max_length=30, choices=CalendarKind.choices)
    restart_budget = models.PositiveIntegerField(_("budget after a restart"), null=True, blank=True)
    on_deficiency = models.CharField(
        _("on a deficiency"), max_length=20, choices=DeficiencyRule.choices, default=DeficiencyRule.NONE
    )
    starts_on_status = models.CharField(
        _("starts when the submission is"), max_length=20, choices=SubmissionStatus.choices, blank=True
    )
    start_lag = models.PositiveIntegerField(_("starts after (units)"), default=0)
    period = models.CharField(
        _("budget counted in"), max_length=10, choices=PeriodUnit.choices, default=PeriodUnit.DAYS
    )
    rest_days = models.CharField(
        _("a last day on a rest day moves to the next working day of"), max_length=30,
        choices=CalendarKind.choices, blank=True,
    )  # fmt: skip
    state = models.CharField(
        _("state"), max_length=20, choices=ClockState.choices, default=ClockState.NOT_STARTED, db_index=True
    )
    round = models.PositiveIntegerField(_("round"), default=0)
    round_budget = models.PositiveIntegerField(_("budget of this round"), default=0)
    consumed_before = models.PositiveIntegerField(_("consumed before the current run"), default=0)
    running_since = models.DateField(_("running since"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    warn_on = models.DateField(_("at risk from"), null=True, blank=True, db_index=True)
    provisional = models.BooleanField(_("provisional"), default=False)
    expired_on = models.DateField(_("expired on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review clock")
        verbose_name_plural = _("review clocks")
        ordering = ["submission_id", "id"]
        constraints = [models.UniqueConstraint(fields=["submission", "kind"], name="clock_kind_once_per_submission")]

    def __str__(self) -> str:
        return f"{self.submission} {self.kind}"

    @property
    def counts_fda_days(self) -> bool:
        """An FDA review clock: calendar days that stop on hold and resume (MDUFA's "FDA days"). FDA days =
        decision date − receipt date − days on hold, a hold running from the letter's date to the response's: the
        receipt is day 0 and the goal is receipt + the budget (+ days on hold). FDA's own flow charts call the
        receipt "day 1", which would put every goal a day earlier; MDUFA performance reports count as here."""
        return (self.kind == ClockKind.AUTHORITY_REVIEW and self.unit == CalendarKind.CALENDAR_DAYS
                and self.on_deficiency == DeficiencyRule.PAUSE_RESUME)  # fmt: skip


class ClockEvent(TimeStampedModel):
    client_scope_field = "clock__submission__project__client_id"

    clock = models.ForeignKey(ReviewClock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=ClockAction.choices)
    on = models.DateField(_("on"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("clock event")
        verbose_name_plural = _("clock events")
        ordering = ["clock_id", "on", "id"]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.action} {self.on}"
