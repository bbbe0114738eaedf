"""Serializers of the regulatory engine. Client users get the ``*Public`` allowlists: client-visible
milestones without owners, and a submission's public status; review clocks are staff-only."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from accounts.models import User
from core.api.fields import BusinessDateField
from core.api.serializers import InputModelSerializer
from core.choices import CalendarKind
from core.clock import today as local_today
from milestones.choices import AUTHORITY_CLOCK_KINDS, Authority, ClockKind
from milestones.clocks import allowed_actions, read_clock
from milestones.models import (
    ClockEvent,
    ClockTemplate,
    Milestone,
    MilestoneTemplate,
    PathwayTemplate,
    ReviewClock,
    Submission,
)
from milestones.services import MILESTONE_STATUS, SUBMISSION_STATUS, milestone_moves
from projects.api.serializers import ProjectSummarySerializer


# --- Pathways ---------------------------------------------------------------------------------------------------
class MilestoneTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MilestoneTemplate
        fields = [
            "code", "name_zh", "name_en", "order", "kind", "duration", "calendar", "predecessors", "clock_kind",
            "clock_action", "follows_clock", "condition", "client_visible", "responsible",
        ]  # fmt: skip


class RestDaysField(serializers.ChoiceField):
    """The calendar whose rest days and holidays move a period's last day to its next working day; empty: not
    moved (FDA days)."""

    def __init__(self, **kwargs):
        help_text = ("A last day on a rest day or holiday of this calendar moves to its next working day (NMPA "
                     "windows, Civil Code Art. 203); empty: not moved (FDA days).")  # fmt: skip
        super().__init__(choices=CalendarKind.choices, allow_blank=True, read_only=True, help_text=help_text, **kwargs)


class ClockTemplateSerializer(serializers.ModelSerializer):
    rest_days = RestDaysField()

    class Meta:
        model = ClockTemplate
        fields = ["kind", "budget", "unit", "period", "rest_days", "restart_budget", "on_deficiency",
                  "starts_on_status", "start_lag"]  # fmt: skip


class PathwaySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    milestone_templates = MilestoneTemplateSerializer(many=True, read_only=True)
    clock_templates = ClockTemplateSerializer(many=True, read_only=True)

    class Meta:
        model = PathwayTemplate
        fields = [
            "id", "code", "version", "effective_from", "market", "authority", "name", "name_zh", "name_en",
            "description", "device_classes", "options", "milestone_templates", "clock_templates",
        ]  # fmt: skip


class PathwaySummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = PathwayTemplate
        fields = ["id", "code", "version", "name"]


class ApplyPathwayInputSerializer(serializers.Serializer):
    pathway = serializers.CharField(max_length=30, help_text=_("Pathway code, e.g. CN_NMPA_II."))
    start_date = BusinessDateField()
    authority = serializers.ChoiceField(choices=Authority.choices, required=False, allow_blank=True, default="")
    options = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        max_length=10,
        help_text=_("Options the pathway offers, e.g. advisory_panel (PMA) or cecp_exempt (EU MDR Art. 54(2))."),
    )

    def validate_pathway(self, value: str) -> str:
        """Several versions share a code; the service picks the one in force on the start date."""
        if not PathwayTemplate.objects.filter(code=value).exists():
            codes = ", ".join(sorted(set(PathwayTemplate.objects.values_list("code", flat=True))))
            raise serializers.ValidationError(_("Unknown pathway. Known: %(codes)s.") % {"codes": codes})
        return value


# --- Submissions ------------------------------------------------------------------------------------------------
class SubmissionPublicSerializer(serializers.ModelSerializer):
    project = ProjectSummarySerializer(read_only=True)
    pathway = PathwaySummarySerializer(read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id", "project", "pathway", "authority", "reference_number", "status", "submitted_on", "accepted_on",
            "decided_on", "transferred_on", "transfer_recorded", "options", "flag", "flagged_on", "created_at",
            "updated_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class SubmissionOutputSerializer(SubmissionPublicSerializer):
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(SubmissionPublicSerializer.Meta):
        fields = [*SubmissionPublicSerializer.Meta.fields, "allowed_transitions"]
        read_only_fields = fields

    def get_allowed_transitions(self, submission) -> list[str]:
        return SUBMISSION_STATUS.allowed(submission.status)


class SubmissionUpdateSerializer(InputModelSerializer):
    class Meta:
        model = Submission
        fields = ["reference_number", "authority"]


class DatedTransitionInputSerializer(serializers.Serializer):
    """``{"to", "on", "reason"}``: ``on`` is the day it happened (default today)."""

    to = serializers.ChoiceField(choices=[])
    on = BusinessDateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class SubmissionTransitionInputSerializer(DatedTransitionInputSerializer):
    to = serializers.ChoiceField(choices=sorted(SUBMISSION_STATUS.states))


class MilestoneTransitionInputSerializer(DatedTransitionInputSerializer):
    to = serializers.ChoiceField(choices=sorted(MILESTONE_STATUS.states))


# --- Milestones -------------------------------------------------------------------------------------------------
class MilestonePublicSerializer(serializers.ModelSerializer):
    project = ProjectSummarySerializer(read_only=True)
    name = serializers.CharField(read_only=True)
    due_state = serializers.CharField(read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id", "project", "submission", "code", "name", "name_zh", "name_en", "kind", "planned_start", "due_date",
            "due_provisional", "baseline_start", "baseline_due_date", "completed_on", "responsible", "status",
            "due_state", "created_at", "updated_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class MilestoneOutputSerializer(MilestonePublicSerializer):
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    follows_clock = serializers.ChoiceField(
        choices=ClockKind.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("The clock whose due date this milestone takes (blank: none)."),
    )
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(MilestonePublicSerializer.Meta):
        fields = [
            *MilestonePublicSerializer.Meta.fields, "order", "calendar", "duration", "owner", "client_visible",
            "follows_clock", "allowed_transitions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_allowed_transitions(self, milestone) -> list[str]:
        return milestone_moves(milestone)


class MilestoneInputSerializer(InputModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Milestone
        fields = [
            "project", "submission", "name_zh", "name_en", "kind", "calendar", "planned_start", "due_date", "owner",
            "responsible", "client_visible",
        ]  # fmt: skip
        extra_kwargs = {"due_date": {"required": True, "allow_null": False}}


class MilestoneUpdateSerializer(InputModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Milestone
        fields = ["name_zh", "name_en", "kind", "owner", "responsible", "client_visible"]


class DependencySerializer(serializers.Serializer):
    predecessor = serializers.SerializerMethodField()
    lag_days = serializers.IntegerField()

    @extend_schema_field(serializers.DictField())
    def get_predecessor(self, link) -> dict:
        return MilestoneRefSerializer(link.predecessor).data


class DependencyInputSerializer(serializers.Serializer):
    predecessor = serializers.IntegerField(min_value=1)
    lag_days = serializers.IntegerField(min_value=-365, max_value=365, default=0)


class MilestoneCompleteInputSerializer(serializers.Serializer):
    on = BusinessDateField(required=False, allow_null=True, default=None)


class RescheduleInputSerializer(serializers.Serializer):
    due_date = BusinessDateField()
    shift_successors = serializers.BooleanField(default=True)
    dry_run = serializers.BooleanField(default=False)


class MilestoneRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "code", "name"]


class ShiftSerializer(serializers.Serializer):
    milestone = MilestoneRefSerializer()
    old_due_date = serializers.DateField(allow_null=True)
    new_due_date = serializers.DateField()
    old_planned_start = serializers.DateField(allow_null=True)
    new_planned_start = serializers.DateField(allow_null=True)
    provisional = serializers.BooleanField()


class RescheduleOutputSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    shifts = ShiftSerializer(many=True)


# --- Review clocks ----------------------------------------------------------------------------------------------
class ClockEventSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ClockEvent
        fields = ["action", "on", "reason", "actor"]


class ReviewClockOutputSerializer(serializers.ModelSerializer):
    """Budget and what is left, computed for today in the clock's unit; ``due_on`` is null while paused."""

    submission = serializers.SerializerMethodField()
    consumed = serializers.SerializerMethodField()
    remaining = serializers.SerializerMethodField()
    expired = serializers.SerializerMethodField()
    authority_overdue = serializers.SerializerMethodField()
    overdue_days = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    rest_days = RestDaysField()
    events = ClockEventSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewClock
        fields = [
            "id", "submission", "kind", "budget", "unit", "period", "rest_days", "restart_budget", "on_deficiency",
            "state", "round",
            "round_budget", "consumed", "remaining", "due_on", "warn_on", "provisional", "expired", "expired_on",
            "authority_overdue", "overdue_days", "start_lag", "allowed_actions", "events", "created_at", "updated_at",
            "version",
        ]  # fmt: skip
        read_only_fields = fields

    def _reading(self, clock):
        cache = self.context.setdefault("_clock_readings", {})
        if clock.pk not in cache:
            book = self.context["calendars"]
            cache[clock.pk] = read_clock(clock, self.context.get("today") or local_today(), book[clock.unit])
        return cache[clock.pk]

    @extend_schema_field(serializers.DictField())
    def get_submission(self, clock) -> dict:
        submission = clock.submission
        return {"id": submission.pk, "pathway": submission.pathway_code, "project": submission.project.code}

    def get_consumed(self, clock) -> int:
        return self._reading(clock).consumed

    def get_remaining(self, clock) -> int:
        return self._reading(clock).remaining

    def get_expired(self, clock) -> bool:
        return self._reading(clock).expired

    def get_authority_overdue(self, clock) -> bool:
        """The authority's clock ran out: to chase (the applicant's window running out is ours, ``expired``)."""
        return clock.kind in AUTHORITY_CLOCK_KINDS and self._reading(clock).expired

    def get_overdue_days(self, clock) -> int:
        """Days past the due date (0 while days are left): "authority overdue by N days"."""
        return self._reading(clock).overdue_days

    def get_allowed_actions(self, clock) -> list[str]:
        return allowed_actions(clock.state)


class ClockActionInputSerializer(serializers.Serializer):
    on = BusinessDateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
