"""One FilterSet per model of the regulatory engine, shared by the API and the pages."""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.selectors import staff_user_choices
from clients.filters import StaffOnlyFiltersMixin
from clients.selectors import client_list
from core.filters import BusinessDateFilter, ChoiceInFilter, DueWithinFilter, MineFilter, SearchFilter, scoped_queryset
from projects.selectors import project_list

from .choices import (
    Authority,
    ClockKind,
    ClockState,
    DueState,
    MilestoneKind,
    MilestoneStatus,
    Responsible,
    SubmissionFlag,
    SubmissionStatus,
)
from .models import Milestone, ReviewClock, Submission
from .selectors import submission_list
from .services import clock_ran_out, clock_running_out


class SubmissionFilterSet(django_filters.FilterSet):
    project = django_filters.ModelChoiceFilter(queryset=scoped_queryset(project_list), label=_("Project"))
    client = django_filters.ModelChoiceFilter(
        queryset=scoped_queryset(client_list), field_name="project__client", label=_("Client")
    )
    status = ChoiceInFilter(choices=SubmissionStatus.choices, label=_("Status"))
    authority = ChoiceInFilter(choices=Authority.choices, label=_("Authority"))
    pathway = django_filters.CharFilter(field_name="pathway_code", label=_("Pathway"))
    flag = django_filters.ChoiceFilter(choices=SubmissionFlag.choices[1:], label=_("Flag"))
    q = SearchFilter(search_fields=("reference_number", "pathway_code", "project__code", "project__title"))
    ordering = django_filters.OrderingFilter(
        fields=(("submitted_on", "submitted_on"), ("status", "status"), ("created_at", "created_at")),
        label=_("Order by"),
    )

    class Meta:
        model = Submission
        fields = ["project", "status", "authority", "flag"]


class MilestoneFilterSet(StaffOnlyFiltersMixin, django_filters.FilterSet):
    staff_only_filters = ("owner", "project_manager", "mine")
    project = django_filters.ModelChoiceFilter(queryset=scoped_queryset(project_list), label=_("Project"))
    client = django_filters.ModelChoiceFilter(
        queryset=scoped_queryset(client_list), field_name="project__client", label=_("Client")
    )
    submission = django_filters.ModelChoiceFilter(queryset=scoped_queryset(submission_list), label=_("Submission"))
    status = ChoiceInFilter(choices=MilestoneStatus.choices, label=_("Status"))
    kind = ChoiceInFilter(choices=MilestoneKind.choices, label=_("Kind"))
    responsible = ChoiceInFilter(choices=Responsible.choices, label=_("Responsible"))
    owner = django_filters.ModelChoiceFilter(queryset=staff_user_choices, label=_("Owner"))
    project_manager = django_filters.ModelChoiceFilter(
        queryset=staff_user_choices, field_name="project__project_manager", label=_("Project manager")
    )
    mine = MineFilter(paths=("owner", "project__project_manager"), label=_("Mine (owner or project manager)"))
    pathway = django_filters.CharFilter(field_name="submission__pathway_code", label=_("Pathway"))
    due_within = DueWithinFilter(field_name="due_date")
    client_visible = django_filters.BooleanFilter(label=_("Visible to the client"))
    due_state = ChoiceInFilter(choices=DueState.choices, label=_("Due state"))
    due_after = BusinessDateFilter(field_name="due_date", lookup_expr="gte", label=_("Due from"))
    due_before = BusinessDateFilter(field_name="due_date", lookup_expr="lte", label=_("Due until"))
    q = SearchFilter(search_fields=("code", "name_zh", "name_en", "project__code", "project__title"))
    ordering = django_filters.OrderingFilter(
        fields=(("due_date", "due_date"), ("order", "order"), ("status", "status"), ("updated_at", "updated_at")),
        label=_("Order by"),
    )

    class Meta:
        model = Milestone
        fields = ["project", "submission", "status", "kind", "responsible", "owner", "client_visible"]


def _by_rule(queryset, rule, value):
    from core.clock import today

    if value is None:
        return queryset
    return queryset.filter(rule(today())) if value else queryset.exclude(rule(today()))


class ReviewClockFilterSet(django_filters.FilterSet):
    submission = django_filters.ModelChoiceFilter(queryset=scoped_queryset(submission_list), label=_("Submission"))
    project = django_filters.ModelChoiceFilter(
        queryset=scoped_queryset(project_list), field_name="submission__project", label=_("Project")
    )
    client = django_filters.ModelChoiceFilter(
        queryset=scoped_queryset(client_list), field_name="submission__project__client", label=_("Client")
    )
    kind = ChoiceInFilter(choices=ClockKind.choices, label=_("Kind"))
    state = ChoiceInFilter(choices=ClockState.choices, label=_("State"))
    due_after = BusinessDateFilter(field_name="due_on", lookup_expr="gte", label=_("Due from"))
    due_before = BusinessDateFilter(field_name="due_on", lookup_expr="lte", label=_("Due until"))
    running_out = django_filters.BooleanFilter(
        method="filter_running_out", label=_("Running out (a fifth of the budget or less left)")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Past its due date"))
    mine = MineFilter(paths=("submission__project__project_manager",), label=_("My projects"))
    ordering = django_filters.OrderingFilter(fields=(("due_on", "due_on"), ("created_at", "created_at")))

    def filter_running_out(self, queryset, name, value):
        """Running clocks past their warning day with days left (``milestones.services.clock_running_out``)."""
        return _by_rule(queryset, clock_running_out, value)

    def filter_overdue(self, queryset, name, value):
        """Clocks past their due date (``milestones.services.clock_ran_out``): authority overdue, or expired."""
        return _by_rule(queryset, clock_ran_out, value)

    class Meta:
        model = ReviewClock
        fields = ["submission", "kind", "state"]
