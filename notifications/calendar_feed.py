"""A user's deadlines as an iCalendar feed (Outlook, Google Calendar, Apple Calendar subscribe to its URL).

The feed reads through the same scoped selectors as the API, so a client user's feed holds only their own
client's client-visible items. Staff see the items they are responsible for: milestones they own or whose project
they manage, clocks of their projects, test orders they requested or whose project they manage — and every open
test order for lab managers. Three queries whatever the number of deadlines.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from icalendar import Calendar, Event

from accounts.choices import Role
from clients.access import access_for
from core import clock
from labtests.selectors import test_order_list
from milestones.choices import OPEN_MILESTONE_STATUSES, ClockKind, ClockState
from milestones.selectors import milestone_list, review_clock_list
from projects.choices import OPEN_PROJECT_STATUSES

from .reminders import CLIENT_LINK, OPEN_ORDER_STATUSES


def _milestones(user, staff: bool):
    rows = milestone_list(user=user).filter(status__in=OPEN_MILESTONE_STATUSES, due_date__isnull=False,
                                            project__status__in=OPEN_PROJECT_STATUSES)  # fmt: skip
    if staff:
        rows = rows.filter(Q(owner=user) | Q(project__project_manager=user))
    return rows.select_related("project")


def _clocks(user, staff: bool):
    rows = review_clock_list(user=user).filter(state__in=[ClockState.RUNNING, ClockState.PAUSED], due_on__isnull=False)
    if staff:
        rows = rows.filter(submission__project__project_manager=user)
    return rows.select_related("submission__project")


def _orders(user, staff: bool, roles: frozenset[str]):
    rows = test_order_list(user=user).filter(status__in=OPEN_ORDER_STATUSES, due_date__isnull=False)
    if staff and Role.LAB_MANAGER not in roles:
        rows = rows.filter(Q(requested_by=user) | Q(project__project_manager=user))
    return rows.select_related("project")


def _event(uid: str, day, summary: str, url: str, stamp) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{settings.EMAIL_MESSAGE_ID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("url", settings.SITE_URL.rstrip("/") + url)
    event.add("transp", "TRANSPARENT")
    return event


def calendar_feed(*, user) -> bytes:
    """The user's open deadlines as all-day events, titled in the user's language."""
    access = access_for(user)
    staff = not access.is_client_user
    stamp = clock.now()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", "-//CDMO Portal//Deadlines//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", translation.gettext("CDMO Portal deadlines"))
        for milestone in _milestones(user, staff):
            summary = f"{milestone.project.code} · {milestone.name}"
            url = f"/projects/{milestone.project_id}/" if staff else CLIENT_LINK
            calendar.add_component(_event(f"milestone-{milestone.pk}", milestone.due_date, summary, url, stamp))
        for review_clock in _clocks(user, staff):
            project = review_clock.submission.project
            summary = f"{project.code} · {ClockKind(review_clock.kind).label}"
            url = f"/projects/{project.pk}/" if staff else CLIENT_LINK
            calendar.add_component(_event(f"clock-{review_clock.pk}", review_clock.due_on, summary, url, stamp))
        for order in _orders(user, staff, access.roles):
            summary = f"{order.number} · {order.project.code}"
            url = f"/lab/orders/{order.pk}/" if staff else CLIENT_LINK
            calendar.add_component(_event(f"test-order-{order.pk}", order.due_date, summary, url, stamp))
    return calendar.to_ical()
