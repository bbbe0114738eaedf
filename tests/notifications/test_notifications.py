"""In-app notifications fed by business events: who hears about what, in their own language; the API and
the page show each user only their own."""

from datetime import date

import pytest
from django.utils import translation

from clients.models import Contact
from labtests import services as lab
from labtests.models import TestService
from milestones.services import milestone_complete, pathway_apply, submission_transition
from notifications.models import Notification
from tests.factories import ProjectFactory, StaffUserFactory, UserFactory, pdf_upload, sign_report, signatory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm():
    return StaffUserFactory(roles=["project_manager"], username="pm_n")


@pytest.fixture
def planned(pm, client_a):
    project = ProjectFactory(client=client_a, project_manager=pm)
    return pathway_apply(project=project, actor=pm, pathway="US_510K", start_date=date(2026, 1, 5))


def test_completed_milestone_tells_the_pm_and_the_owner_not_the_actor(planned, pm, django_capture_on_commit_callbacks):
    owner = StaffUserFactory(roles=["regulatory"], username="owner_n")
    kickoff = planned.milestones.get(code="KICKOFF")
    kickoff.owner = owner
    kickoff.save()
    with django_capture_on_commit_callbacks(execute=True):
        milestone_complete(milestone=kickoff, actor=owner)
    assert list(Notification.objects.values_list("user__username", "event")) == [("pm_n", "milestone.completed")]
    note = Notification.objects.get()
    with translation.override("en"):
        assert note.text == f"Milestone “Project kick-off” of {planned.project.code} is done."
    with translation.override("zh-hans"):
        assert note.text == f"{planned.project.code} 的里程碑“项目启动”已完成。"


def test_clock_pause_tells_the_pm(planned, pm, django_capture_on_commit_callbacks):
    actor = StaffUserFactory(roles=["regulatory"])
    with django_capture_on_commit_callbacks(execute=True):
        submission = planned
        for to in ("preparing", "submitted", "accepted", "under_review", "deficiency"):
            submission = submission_transition(submission=submission, actor=actor, to=to, on=date(2026, 3, 2))
    events = set(Notification.objects.filter(user=pm).values_list("event", flat=True))
    assert "review_clock.paused" in events


def test_issued_report_tells_the_pm_and_the_clients_portal_users_only(planned, pm, client_a, user_a, user_b,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    Contact.objects.create(client=client_a, name="Portal", user=user_a)
    manager = StaffUserFactory(roles=["lab_manager"], username="mgr_n")
    order = lab.test_order_create(actor=pm, client=client_a, project=planned.project,
                                  services=TestService.objects.filter(code="ENV-14710"))  # fmt: skip
    order = lab.test_order_accept(order=lab.test_order_submit(order=order, actor=pm), actor=manager)
    order = lab.test_order_start(
        order=lab.test_order_receive(order=order, actor=manager, samples=[{"identifier": "S1"}]), actor=manager
    )
    item = order.items.get()
    lab.test_item_assign(item=item, actor=manager, engineer=manager)
    lab.test_item_submit_result(item=item, actor=manager, verdict="pass")
    reviewer = StaffUserFactory(roles=["lab_manager"])
    lab.test_item_verify(item=item, actor=reviewer)
    draft = lab.test_report_create(order=order, actor=manager, upload=pdf_upload())
    with django_capture_on_commit_callbacks(execute=True):
        sign_report(draft, reviewer=reviewer, approver=signatory(StaffUserFactory(roles=["lab_manager"])))
    issued = set(Notification.objects.filter(event="test_report.issued").values_list("user__username", flat=True))
    assert issued == {"pm_n", user_a.username}
    assert not Notification.objects.filter(user=user_b).exists()


def test_api_shows_only_your_own_and_marks_read(api, pm):
    other = UserFactory()
    mine = Notification.objects.create(user=pm, event="milestone.completed", params={"milestone": "X", "project": "P"})
    theirs = Notification.objects.create(user=other, event="milestone.completed", params={})
    api.as_user(pm)
    body = api.get("/api/v1/notifications/?unread=true").json()
    assert [n["id"] for n in body["results"]] == [mine.id]
    assert api.get(f"/api/v1/notifications/{theirs.id}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{mine.id}/read/").json()["read"] is True
    Notification.objects.create(user=pm, event="x", params={})
    assert api.post("/api/v1/notifications/read-all/", {}, format="json").json() == {"marked": 1, "unread": 0}
    assert api.get("/api/v1/notifications/").status_code == 200
    assert api.as_user(None).get("/api/v1/notifications/").status_code == 401


def test_header_count_and_page(client, pm):
    Notification.objects.create(user=pm, event="milestone.completed", params={"milestone": "Dossier", "project": "P1"})
    client.force_login(pm)
    page = client.get("/notifications/").content.decode()
    assert 'class="nav-count">1<' in page
    assert "Milestone “Dossier” of P1 is done." in page
    client.post("/notifications/read/")
    assert 'class="nav-count"' not in client.get("/notifications/").content.decode()
