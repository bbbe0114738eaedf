"""The staff dashboard: every project's state and the next deadlines at a glance, role-aware — a PM sees
their own by default (``?scope=all`` for everyone's), admins and viewers everything, lab roles their queue first.
Each widget links to the filtered list behind it, and the page costs a fixed number of queries whatever the data."""

from datetime import timedelta

from django.db.models import Count, Q
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts.choices import Role
from clients.access import access_for
from core.clock import today as local_today
from labtests.choices import OPEN_ORDER_STATUSES, OrderStatus
from labtests.selectors import test_order_list
from milestones.choices import OPEN_MILESTONE_STATUSES, ClockState, DueState
from milestones.selectors import (
    clock_summary_rows,
    milestone_list,
    milestone_summary_rows,
    on_time_by_month,
    review_clock_list,
    review_clocks_authority_overdue,
    review_clocks_running_out,
)
from projects.choices import OPEN_PROJECT_STATUSES
from projects.selectors import project_list

from .base import StaffRequiredMixin

WINDOW_DAYS = 14
SHOWN = 8


class HomeView(StaffRequiredMixin, TemplateView):
    template_name = "web/home.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and access_for(request.user).is_client_user:
            return redirect("portal:home")  # the start page of a client user is their portal
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, local_today()
        roles = access_for(user).roles
        can_be_mine = Role.PROJECT_MANAGER in roles
        mine = can_be_mine and self.request.GET.get("scope") != "all"
        context.update(
            today=today,
            window_end=today + timedelta(days=WINDOW_DAYS),
            window_days=WINDOW_DAYS,
            mine=mine,
            can_be_mine=can_be_mine,
            lab_first=bool(roles & {Role.LAB, Role.LAB_MANAGER}) and not roles & {Role.PROJECT_MANAGER, Role.ADMIN},
            mine_query="&mine=true" if mine else "",
            **self.projects(user, mine),
            **self.deadlines(user, mine, today),
            **self.lab(user, today),
        )
        chart = on_time_by_month(user=user, today=today)
        context["chart"] = chart
        context["chart_data"] = {"labels": [m["month"].strftime("%Y-%m") for m in chart],
                                 "shares": [m["share"] for m in chart]}  # fmt: skip
        return context

    def projects(self, user, mine: bool) -> dict:
        projects = project_list(user=user).filter(status__in=OPEN_PROJECT_STATUSES)
        if mine:
            projects = projects.filter(project_manager=user)
        rows = projects.order_by().values("health", "authority_overdue").annotate(n=Count("id"))
        by_health = {"on_track": 0, "at_risk": 0, "late": 0}
        authority = 0
        for row in rows:
            by_health[row["health"]] += row["n"]
            authority += row["n"] if row["authority_overdue"] else 0
        return {"by_health": by_health, "authority_projects": authority}

    def deadlines(self, user, mine: bool, today) -> dict:
        milestones = milestone_list(user=user, today=today).filter(status__in=OPEN_MILESTONE_STATUSES)
        if mine:
            milestones = milestones.filter(Q(owner=user) | Q(project__project_manager=user))
        upcoming = milestones.filter(due_date__range=(today, today + timedelta(days=WINDOW_DAYS))).order_by("due_date")
        overdue = milestones.filter(due_state=DueState.OVERDUE).order_by("due_date")
        chase = milestones.filter(due_state=DueState.AUTHORITY_OVERDUE).order_by("due_date")
        clocks = review_clock_list(user=user).filter(state=ClockState.RUNNING)
        running_out = review_clocks_running_out(user=user, today=today).order_by("due_on")
        clocks_overdue = review_clocks_authority_overdue(user=user, today=today).order_by("due_on")
        if mine:
            mine_only = {"submission__project__project_manager": user}
            clocks, running_out = clocks.filter(**mine_only), running_out.filter(**mine_only)
            clocks_overdue = clocks_overdue.filter(**mine_only)
        clocks_due = clocks.filter(due_on__range=(today, today + timedelta(days=WINDOW_DAYS))).order_by("due_on")
        return {
            "upcoming": milestone_summary_rows(upcoming, SHOWN), "upcoming_count": upcoming.count(),
            "clocks_due": clock_summary_rows(clocks_due, SHOWN), "clocks_due_count": clocks_due.count(),
            "overdue": milestone_summary_rows(overdue, SHOWN), "overdue_count": overdue.count(),
            "chase": milestone_summary_rows(chase, SHOWN), "chase_count": chase.count(),
            "running_out": clock_summary_rows(running_out, SHOWN), "running_out_count": running_out.count(),
            "clocks_overdue": clock_summary_rows(clocks_overdue, SHOWN, today=today),
            "clocks_overdue_count": clocks_overdue.count(),
        }  # fmt: skip

    def lab(self, user, today) -> dict:
        orders = test_order_list(user=user)
        counts = dict(orders.filter(status__in=OPEN_ORDER_STATUSES).order_by().values_list("status")
                      .annotate(n=Count("id")))  # fmt: skip
        due = orders.filter(
            status__in=OPEN_ORDER_STATUSES, due_date__range=(today, today + timedelta(days=WINDOW_DAYS))
        )
        late = orders.filter(status__in=OPEN_ORDER_STATUSES, due_date__lt=today)
        return {
            "queue": [(status, OrderStatus(status).label, counts.get(status, 0)) for status in OPEN_ORDER_STATUSES],
            "orders_due": list(due.order_by("due_date").values("pk", "number", "due_date")[:SHOWN]),
            "orders_due_count": due.count(),
            "orders_late_count": late.count(),
        }  # fmt: skip
