"""The dashboard and the lists behind it: role-aware widgets, each linking to its filtered list, the on-time rate
against the baseline, the new filters (mine, pathway, due window), XLSX autofilter, constant query counts."""

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import User
from core import clock
from labtests import services as lab
from labtests.models import TestService
from milestones.models import Milestone
from milestones.selectors import on_time_by_month
from milestones.services import milestone_complete, milestone_create, milestone_reschedule, pathway_apply
from tests.factories import ClientFactory, ProjectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def _milestone(project, days, **extra):
    name = extra.pop("name", f"Step +{days}")
    due = clock.today() + timedelta(days=days)
    return milestone_create(actor=None, project=project, name_en=name, name_zh="步骤", due_date=due,
                            calendar="calendar_days", **extra)  # fmt: skip


@pytest.fixture
def pm_client(client, pm):
    client.force_login(pm)
    return client


def test_a_pm_sees_their_own_deadlines_and_every_widget_links_to_its_list(pm_client, pm):
    other_pm = StaffUserFactory(roles=["project_manager"])
    mine = ProjectFactory(project_manager=pm, code="P-2026-0101")
    theirs = ProjectFactory(project_manager=other_pm, code="P-2026-0202")
    _milestone(mine, 3, name="Mine soon")
    _milestone(mine, -2, name="Mine late")
    _milestone(theirs, 4, name="Theirs soon")
    page = pm_client.get("/").content.decode()
    assert "Mine soon" in page and "Mine late" in page and "Theirs soon" not in page
    assert "/milestones/?due_within=14&amp;status=not_started,in_progress,blocked,awaiting_acceptance" in page
    assert "/milestones/?due_state=overdue&amp;ordering=due_date&amp;mine=true" in page
    assert 'id="on-time-data" type="application/json"' in page and "chart.umd.min.js" in page
    everyone = pm_client.get("/?scope=all").content.decode()
    assert "Theirs soon" in everyone and "mine=true" not in everyone
    landing = pm_client.get("/milestones/?due_within=14&status=not_started,in_progress&mine=true").content.decode()
    assert "Mine soon" in landing and "Theirs soon" not in landing and "Mine late" not in landing


def test_lab_roles_see_their_queue_first(client):
    client.force_login(StaffUserFactory(roles=["lab"]))
    page = client.get("/").content.decode()
    assert page.index('id="lab-heading"') < page.index('id="health-heading"')


def test_the_on_time_rate_is_measured_against_the_baseline(pm):
    project = ProjectFactory(project_manager=pm)
    today = clock.today()
    on_time = _milestone(project, -10, name="On time")
    milestone_complete(milestone=on_time, actor=pm, on=today - timedelta(days=12))
    slipped = _milestone(project, -10, name="Slipped")  # baseline: ten days ago
    milestone_reschedule(milestone=Milestone.objects.get(pk=slipped.pk), actor=pm, due_date=today - timedelta(days=1),
                         shift_successors=False)  # fmt: skip
    milestone_complete(milestone=Milestone.objects.get(pk=slipped.pk), actor=pm, on=today - timedelta(days=1))
    months = on_time_by_month(user=pm, today=today)
    assert len(months) == 12 and months[-1]["month"] == date(today.year, today.month, 1)
    done = sum(m["done"] for m in months)
    punctual = sum(m["on_time"] for m in months)
    assert (done, punctual) == (2, 1)  # moving the date did not make the slipped one on time


def test_project_filters_mine_pathway_and_due_window(pm_client, pm):
    mine = ProjectFactory(project_manager=pm, title="Mine NMPA")
    pathway_apply(project=mine, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    ProjectFactory(title="Someone else's")
    page = pm_client.get("/projects/?mine=true").content.decode()
    assert "Mine NMPA" in page and "Someone else" not in page
    assert "Mine NMPA" in pm_client.get("/projects/?pathway=CN_NMPA_II").content.decode()
    assert "Mine NMPA" not in pm_client.get("/projects/?pathway=US_PMA").content.decode()
    refused = pm_client.get("/projects/?due_within=400").content.decode()
    assert "366" in refused and "Mine NMPA" not in refused  # over the bound: the filter's error, no rows


def test_milestone_export_has_an_autofilter(pm_client, pm):
    project = ProjectFactory(project_manager=pm)
    _milestone(project, 5, name="Exported")
    response = pm_client.get("/milestones/export.xlsx?due_within=14")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.auto_filter.ref == sheet.dimensions
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Exported"]


def _grow(pm, count):
    service = TestService.objects.filter(code="ES-60601-1")
    for n in range(count):
        project = ProjectFactory(project_manager=pm, client=ClientFactory())
        _milestone(project, n % 20 - 5)
        lab.test_order_submit(order=lab.test_order_create(actor=pm, client=project.client, project=project,
                              services=service), actor=pm)  # fmt: skip


def _queries(client, user_id, url) -> int:
    client.force_login(User.objects.get(pk=user_id))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("url", ["/", "/?scope=all", "/milestones/?page_size=50"])
def test_dashboard_and_lists_run_a_constant_number_of_queries(client, pm, url, django_assert_max_num_queries):
    _grow(pm, 5)
    small = _queries(client, pm.pk, url)
    _grow(pm, 45)
    assert _queries(client, pm.pk, url) == small
    client.force_login(pm)
    with django_assert_max_num_queries(24):
        client.get(url)


def test_notifications_are_grouped_by_day_and_filtered_by_kind(pm_client, pm):
    import time_machine

    from notifications.models import Notification
    from notifications.services import notification_send

    notification_send(user_ids=[pm.pk], event="comment.created", params={"author": "A", "record": "r",
                      "project": "P-1", "excerpt": "first day"})  # fmt: skip
    with time_machine.travel(clock.now() + timedelta(days=1), tick=False):
        notification_send(user_ids=[pm.pk], event="milestone.blocked", params={"milestone": "Dossier",
                          "project": "P-1", "reason": "waiting"})  # fmt: skip
        page = pm_client.get("/notifications/").content.decode()
        assert page.count('class="day-heading"') == 2
        only = pm_client.get("/notifications/?kind=conversations").content.decode()
    assert "first day" in only and "Dossier" not in only and only.count('class="day-heading"') == 1
    assert Notification.objects.filter(user=pm).count() == 2


def test_the_running_out_clocks_land_on_the_clock_list(pm_client, pm, django_assert_max_num_queries):
    from milestones.models import ReviewClock

    project = ProjectFactory(project_manager=pm, code="P-2026-0303")
    pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    clock_row = ReviewClock.objects.filter(submission__project=project).first()
    ReviewClock.objects.filter(pk=clock_row.pk).update(state="running", due_on=clock.today() + timedelta(days=5),
                                                       warn_on=clock.today() - timedelta(days=1))  # fmt: skip
    page = pm_client.get("/").content.decode()
    assert "/clocks/?running_out=true&amp;ordering=due_on&amp;mine=true" in page and "P-2026-0303" in page
    listing = pm_client.get("/clocks/?running_out=true&mine=true").content.decode()
    assert "P-2026-0303" in listing and listing.count("<tr>") == 2  # the header and the one clock
    with django_assert_max_num_queries(12):
        pm_client.get("/clocks/?running_out=true&page_size=50")


def test_the_demos_long_expired_clock_is_authority_overdue_not_running_out(client):
    """The demo's NMPA review clock ran out on 2026-04-16 and no sweep has marked it yet: everywhere it reads
    "authority overdue by N days", and "running out" lists only clocks with days left."""
    from django.core.management import call_command

    from milestones.models import ReviewClock

    call_command("seed_demo", stdout=io.StringIO())
    overdue = ReviewClock.objects.get(kind="authority_review", due_on=date(2026, 4, 16))
    assert overdue.state == "running"
    days = (clock.today() - overdue.due_on).days
    client.force_login(User.objects.get(username="pm"))
    home = client.get("/?mine=false").content.decode()
    chase = home[home.index('id="chase-heading"') :]
    chase = chase[: chase.index("</section>")]
    assert f'id="overdue-clock-{overdue.pk}"' in chase and f"Authority overdue by {days} days" in chase
    running_out = home[home.index('id="clocks-heading"') :]
    assert "2026-04-16" not in running_out[: running_out.index("</section>")]
    listed = client.get("/clocks/?running_out=true").content.decode()
    assert f"Authority overdue by {days} days" not in listed
    assert f"Authority overdue by {days} days" in client.get("/clocks/?overdue=true").content.decode()
    page = client.get(f"/projects/{overdue.submission.project_id}/").content.decode()
    assert f"Authority overdue by {days} days" in page
    body = client.get(f"/api/v1/review-clocks/{overdue.pk}/").json()
    assert (body["authority_overdue"], body["overdue_days"]) == (True, days)
    assert client.get("/api/v1/review-clocks/?running_out=true").json()["count"] == ReviewClock.objects.filter(
        state="running", warn_on__lte=clock.today(), due_on__gte=clock.today()).count()  # fmt: skip
