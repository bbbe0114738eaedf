"""Milestones across projects (the dashboard's "next 14 days" and "overdue" land here), with the FilterSet the API
uses — client, project manager, mine, pathway, due window, due state — sorting, paging and export."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendars import CalendarBook
from core.clock import today as local_today
from milestones.choices import ClockState, DueState, MilestoneStatus, Responsible
from milestones.clocks import read_clock
from milestones.filters import MilestoneFilterSet, ReviewClockFilterSet
from milestones.selectors import milestone_list, review_clock_list

from .lists import ExportView, FilteredListView


class MilestoneListView(FilteredListView):
    template_name = "web/milestones/list.html"
    results_template_name = "web/milestones/_results.html"
    filterset_class = MilestoneFilterSet
    filter_bar = ("client", "project_manager", "pathway", "due_within", "mine")
    selector = staticmethod(milestone_list)

    def get_context_data(self, **kwargs):
        return super().get_context_data(statuses=MilestoneStatus.choices, due_states=DueState.choices,
                                        responsibles=Responsible.choices, **kwargs)  # fmt: skip


class MilestoneExportView(ExportView):
    filterset_class = MilestoneFilterSet
    selector = staticmethod(milestone_list)
    filename = "milestones"
    sheet_title = gettext_lazy("Milestones")

    def header(self):
        return [_("Project"), _("Client"), _("Milestone"), _("Responsible"), _("Owner"), _("Due date"), _("Baseline"),
                _("Status"), _("Due state")]  # fmt: skip

    def row(self, m):
        return [m.project.code, m.project.client.code, m.name, m.get_responsible_display(),
                str(m.owner) if m.owner else "", m.due_date, m.baseline_due_date, m.get_status_display(),
                str(DueState(m.due_state).label)]  # fmt: skip


class ReviewClockListView(FilteredListView):
    """Running review clocks across projects (the dashboard's "running out" lands here)."""

    template_name = "web/milestones/clocks.html"
    results_template_name = "web/milestones/_clocks.html"
    filterset_class = ReviewClockFilterSet
    filter_bar = ("client", "running_out", "mine")
    selector = staticmethod(review_clock_list)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(states=ClockState.choices, **kwargs)
        book, today = CalendarBook(), local_today()
        for clock in context["rows"]:  # what each reads today: "authority overdue by N days"
            clock.reading = read_clock(clock, today, book[clock.unit])
        return context
