"""Reads of the regulatory engine, scoped by the one rule in ``clients.access``. Client users see only
client-visible milestones, and nothing of draft projects."""

from datetime import date, timedelta

from django.db.models import Case, CharField, Prefetch, Q, QuerySet, Value, When

from clients.access import access_for, scope_for_user
from core.clock import today as local_today
from projects.choices import ProjectStatus

from .choices import AUTHORITY_CLOCK_KINDS, OPEN_MILESTONE_STATUSES, ClockKind, DueState, MilestoneStatus, Responsible
from .models import ClockEvent, Milestone, MilestoneDependency, PathwayTemplate, ReviewClock, Submission
from .services import DUE_SOON_DAYS, clock_ran_out, clock_running_out


def _hide_drafts_from_clients(queryset: QuerySet, user, project_path: str) -> QuerySet:
    if access_for(user).is_client_user:
        return queryset.exclude(**{f"{project_path}__status": ProjectStatus.DRAFT})
    return queryset


def pathway_list(*, user) -> QuerySet[PathwayTemplate]:
    if not access_for(user).is_staff_member:
        return PathwayTemplate.objects.none()
    return PathwayTemplate.objects.prefetch_related("milestone_templates", "clock_templates")


def submission_list(*, user) -> QuerySet[Submission]:
    queryset = Submission.objects.select_related("project", "project__client", "pathway")
    return _hide_drafts_from_clients(scope_for_user(queryset, user), user, "project")


def due_state_of(*, status: str, responsible: str, due_date: date | None, today: date) -> str:
    """``due_state_expression`` for one row already read (the lean lists compute it in Python: no CASE to build
    per request). The two must agree: ``tests/milestones/test_selectors.py`` checks every branch."""
    if status == MilestoneStatus.DONE:
        return DueState.DONE
    if status in OPEN_MILESTONE_STATUSES and due_date is not None:
        if due_date < today:
            return DueState.AUTHORITY_OVERDUE if responsible == Responsible.AUTHORITY else DueState.OVERDUE
        if due_date <= today + timedelta(days=DUE_SOON_DAYS):
            return DueState.DUE_SOON
    return DueState.OK


def due_state_expression(today: date):
    """``due_state`` computed in the query from today's date: overdue (authority_overdue when the authority owns
    the step: to chase, not our lateness) / due_soon / ok / done."""
    open_ = Q(status__in=OPEN_MILESTONE_STATUSES)
    return Case(
        When(status=MilestoneStatus.DONE, then=Value(DueState.DONE)),
        When(open_ & Q(due_date__lt=today, responsible=Responsible.AUTHORITY), then=Value(DueState.AUTHORITY_OVERDUE)),
        When(open_ & Q(due_date__lt=today), then=Value(DueState.OVERDUE)),
        When(open_ & Q(due_date__lte=today + timedelta(days=DUE_SOON_DAYS)), then=Value(DueState.DUE_SOON)),
        default=Value(DueState.OK),
        output_field=CharField(),
    )


def milestone_list(*, user, today: date | None = None) -> QuerySet[Milestone]:
    queryset = Milestone.objects.select_related("project", "project__client", "submission", "owner").annotate(
        due_state=due_state_expression(today or local_today())
    )
    queryset = _hide_drafts_from_clients(scope_for_user(queryset, user), user, "project")
    if access_for(user).is_client_user:
        queryset = queryset.filter(client_visible=True)
    return queryset


def review_clock_list(*, user) -> QuerySet[ReviewClock]:
    events = Prefetch("events", queryset=ClockEvent.objects.select_related("actor").order_by("on", "id"))
    queryset = ReviewClock.objects.select_related(
        "submission", "submission__project", "submission__project__client"
    ).prefetch_related(events)
    return _hide_drafts_from_clients(scope_for_user(queryset, user), user, "submission__project")


def review_clocks_running_out(*, user, today: date) -> QuerySet[ReviewClock]:
    """Running clocks with a fifth of their budget or less left, and days left."""
    return review_clock_list(user=user).filter(clock_running_out(today))


def review_clocks_authority_overdue(*, user, today: date) -> QuerySet[ReviewClock]:
    """The authority's clocks past their due date: to chase."""
    return review_clock_list(user=user).filter(clock_ran_out(today), kind__in=AUTHORITY_CLOCK_KINDS)


def dependency_list(*, user, successor: Milestone) -> QuerySet[MilestoneDependency]:
    return scope_for_user(
        MilestoneDependency.objects.filter(successor=successor).select_related("predecessor"), user
    ).order_by("predecessor__due_date", "predecessor_id")


def on_time_by_month(*, user, today: date, months: int = 12) -> list[dict]:
    """Per month of the last ``months`` (oldest first): milestones completed, and those completed on or before their
    **baseline** due date — so moving a date cannot make a late milestone count as on time. One query."""
    from django.db.models import Count, F
    from django.db.models.functions import TruncMonth

    first = date(today.year, today.month, 1)
    for _step in range(months - 1):
        first = date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)
    rows = (
        milestone_list(user=user, today=today)
        .filter(status=MilestoneStatus.DONE, completed_on__range=(first, today), baseline_due_date__isnull=False)
        .annotate(month=TruncMonth("completed_on"))
        .values("month")
        .annotate(done=Count("id"), on_time=Count("id", filter=Q(completed_on__lte=F("baseline_due_date"))))
        .order_by("month")
    )
    counts = {(row["month"].year, row["month"].month): row for row in rows}
    result, month = [], first
    for _step in range(months):
        row = counts.get((month.year, month.month), {"done": 0, "on_time": 0})
        share = round(100 * row["on_time"] / row["done"]) if row["done"] else None
        result.append({"month": month, "done": row["done"], "on_time": row["on_time"], "share": share})
        month = date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)
    return result


def dependency_links(*, user, project_id: int) -> list[tuple[int, int, int]]:
    """(predecessor id, successor id, lag days) of a project's milestones, scoped like the milestones (one query)."""
    rows = scope_for_user(MilestoneDependency.objects.filter(successor__project_id=project_id), user)
    return list(rows.values_list("predecessor_id", "successor_id", "lag_days"))


# Short lists read as values (the lean read path), shaped as the templates read model instances:
# the dashboard's deadline widgets, the portal's requests.


def milestone_summary_rows(milestones: QuerySet, limit: int) -> list[dict]:
    """The first ``limit`` of ``milestones``: date, project code, name in the reader's language, due state."""
    columns = ("pk", "due_date", "project_id", "project__code", "name_zh", "name_en", "due_state")
    return [
        {**row, "project": {"code": row["project__code"]},
         "name": Milestone.name_in_language(row["name_zh"], row["name_en"])}
        for row in milestones.values(*columns)[:limit]
    ]  # fmt: skip


def clock_summary_rows(clocks: QuerySet, limit: int, *, today: date | None = None) -> list[dict]:
    """The first ``limit`` of ``clocks``: date, project, the clock's kind; with ``today``, how many days past its
    due date each is (``overdue_days``)."""
    columns = ("pk", "due_on", "kind", "submission__project_id", "submission__project__code")
    return [
        {**row, "get_kind_display": ClockKind(row["kind"]).label,
         "overdue_days": max((today - row["due_on"]).days, 0) if today and row["due_on"] else 0,
         "submission": {"project_id": row["submission__project_id"],
                        "project": {"code": row["submission__project__code"]}}}
        for row in clocks.values(*columns)[:limit]
    ]  # fmt: skip
