"""The day's regulatory work from the project page: every action through the same service as the API, with the
row's version, refusals shown beside the control (400 / 409 / 412), and nothing for a viewer."""

from datetime import date

import pytest

from milestones.models import Milestone, ReviewClock, Submission
from milestones.services import pathway_apply, submission_transition
from projects.models import Project
from tests.factories import ProjectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(client_a, pm):
    project = ProjectFactory(client=client_a, project_manager=pm)
    pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    return project


@pytest.fixture
def pm_client(client, pm):
    client.force_login(pm)
    return client


def _page(client, project) -> str:
    return client.get(f"/projects/{project.pk}/").content.decode()


def test_a_pm_completes_a_milestone_on_a_date(pm_client, project):
    milestone = project.milestones.get(code="KICKOFF")
    response = pm_client.post(f"/milestones/{milestone.pk}/act/", {"to": "done", "on": "2026-01-09",
                                                                   "version": milestone.version})  # fmt: skip
    assert response.url == f"/projects/{project.pk}/#row-milestone-{milestone.pk}"
    milestone.refresh_from_db()
    assert (milestone.status, milestone.completed_on) == ("done", date(2026, 1, 9))


def test_an_nmpa_deficiency_stops_the_review_and_starts_the_applicant_clock_then_restarts(pm_client, project):
    submission = project.submissions.get()
    for to, on in (("preparing", date(2026, 6, 1)), ("submitted", date(2026, 6, 8)), ("accepted", date(2026, 6, 15)),
                   ("under_review", date(2026, 6, 18))):  # fmt: skip
        submission = submission_transition(submission=submission, actor=None, to=to, on=on)
    pm_client.post(f"/submissions/{submission.pk}/act/", {"reference_number": "CQZ2600123",
                                                         "version": submission.version})  # fmt: skip
    submission.refresh_from_db()
    assert submission.reference_number == "CQZ2600123"
    pm_client.post(f"/submissions/{submission.pk}/act/", {"to": "deficiency", "on": "2026-08-03",
                                                         "version": submission.version})  # fmt: skip
    clocks = {c.kind: c.state for c in ReviewClock.objects.filter(submission=submission)}
    assert clocks["authority_review"] in ("stopped", "paused") and clocks["applicant_response"] == "running"
    submission.refresh_from_db()
    pm_client.post(f"/submissions/{submission.pk}/act/", {"to": "under_review", "on": "2026-10-12",
                                                         "version": submission.version})  # fmt: skip
    submission.refresh_from_db()
    review = ReviewClock.objects.get(submission=submission, kind="authority_review")
    assert (submission.status, review.state, review.round) == ("under_review", "running", 2)


def test_the_project_goes_on_hold_and_back(pm_client, project):
    for to in ("on_hold", "active"):
        project.refresh_from_db()
        pm_client.post(f"/projects/{project.pk}/transition/", {"to": to, "version": project.version})
        project.refresh_from_db()
        assert project.status == to


def test_a_stale_version_is_refused_in_place_and_changes_nothing(pm_client, project):
    milestone = project.milestones.get(code="KICKOFF")
    stale = milestone.version
    Milestone.objects.filter(pk=milestone.pk).update(version=stale + 1)  # changed in another tab
    pm_client.post(f"/milestones/{milestone.pk}/act/", {"to": "done", "on": "2026-01-09", "version": stale})
    milestone.refresh_from_db()
    assert milestone.status == "not_started"
    page = _page(pm_client, project)
    assert "Changed by someone else" in page and 'role="alert"' in page
    assert "Changed by someone else" not in _page(pm_client, project)  # shown once


def test_an_illegal_move_names_the_allowed_ones(pm_client, project):
    submission = project.submissions.get()
    pm_client.post(
        f"/submissions/{submission.pk}/act/", {"to": "approved", "confirm": "yes", "version": submission.version}
    )
    page = _page(pm_client, project)
    assert "Not possible from" in page and "preparing, withdrawn" in page
    assert Submission.objects.get(pk=submission.pk).status == "planned"


def test_bad_input_is_refused_in_place(pm_client, project):
    milestone = project.milestones.get(code="KICKOFF")
    pm_client.post(f"/milestones/{milestone.pk}/act/", {"to": "blocked", "reason": " ", "version": milestone.version})
    assert "Say why it is blocked." in _page(pm_client, project)
    pm_client.post(f"/milestones/{milestone.pk}/act/", {"to": "done", "on": "1999-12-31", "version": milestone.version})
    assert Milestone.objects.get(pk=milestone.pk).status == "not_started"


def test_a_viewer_sees_no_action_and_posting_is_403(client, project):
    client.force_login(StaffUserFactory(roles=["viewer"]))
    page = _page(client, project)
    assert "/act/" not in page and "/transition/" not in page
    milestone = project.milestones.get(code="KICKOFF")
    submission = project.submissions.get()
    for url, data in ((f"/milestones/{milestone.pk}/act/", {"to": "done"}),
                      (f"/submissions/{submission.pk}/act/", {"to": "preparing"}),
                      (f"/projects/{project.pk}/transition/", {"to": "on_hold"})):  # fmt: skip
        assert client.post(url, data).status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).status == "not_started"
    assert Project.objects.get(pk=project.pk).status == "active"


def test_a_clock_is_corrected_with_a_date_and_a_reason(pm_client, project):
    submission = project.submissions.get()
    for to, on in (("preparing", date(2026, 6, 1)), ("submitted", date(2026, 6, 8)), ("accepted", date(2026, 6, 15)),
                   ("under_review", date(2026, 6, 18))):  # fmt: skip
        submission = submission_transition(submission=submission, actor=None, to=to, on=on)
    clock = ReviewClock.objects.get(submission=submission, kind="authority_review")
    assert clock.state == "running"
    pm_client.post(
        f"/clocks/{clock.pk}/act/", {"to": "pause", "on": "2026-07-01", "reason": "", "version": clock.version}
    )
    assert "Say why the clock is corrected." in _page(pm_client, project)
    pm_client.post(f"/clocks/{clock.pk}/act/", {"to": "pause", "on": "2026-07-01", "reason": "recorded late",
                                               "version": clock.version})  # fmt: skip
    clock.refresh_from_db()
    assert clock.state == "paused"


def test_the_project_is_edited_with_its_version(pm_client, project):
    data = {"title": "Renamed", "priority": "high", "start_date": "2026-01-05", "contract_currency": "CNY",
            "version": project.version}  # fmt: skip
    assert pm_client.post(f"/projects/{project.pk}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert project.title == "Renamed"
    stale = pm_client.post(f"/projects/{project.pk}/edit/", {**data, "title": "Again"})  # the old version
    assert stale.status_code == 400 and "Changed by someone else" in stale.content.decode()
    assert Project.objects.get(pk=project.pk).title == "Renamed"


def test_a_pm_orders_tests_for_a_milestone_from_the_project(pm_client, project):
    from labtests.models import TestOrder, TestService

    milestone = project.milestones.get(code="TYPE_TESTING")
    service = TestService.objects.get(code="ES-60601-1")
    response = pm_client.post(f"/projects/{project.pk}/orders/new/", {"services": [service.pk],
                              "milestone": milestone.pk, "purpose": "type testing", "submit_now": "on"})  # fmt: skip
    assert response.status_code == 302
    order = TestOrder.objects.get(project=project)
    assert (order.status, order.milestone_id) == ("submitted", milestone.pk)
    assert order.number in _page(pm_client, project)


def test_the_team_and_the_dependencies_are_managed_from_the_page(pm_client, project):
    from milestones.models import MilestoneDependency
    from projects.models import ProjectMembership

    engineer = StaffUserFactory(roles=["regulatory"], username="ra_team")
    pm_client.post(f"/projects/{project.pk}/team/", {"user": engineer.pk, "role": "regulatory"})
    assert ProjectMembership.objects.filter(project=project, user=engineer, role="regulatory").exists()
    pm_client.post(f"/projects/{project.pk}/team/", {"remove": engineer.pk})
    assert not ProjectMembership.objects.filter(project=project, user=engineer).exists()
    kickoff, dossier = project.milestones.get(code="KICKOFF"), project.milestones.get(code="DOSSIER")
    pm_client.post(f"/milestones/{kickoff.pk}/dependencies/", {"predecessor": dossier.pk, "lag_days": "0"})
    page = _page(pm_client, project)
    assert "cycle" in page  # dossier already waits (through others) for kick-off
    before = MilestoneDependency.objects.count()
    other = project.milestones.exclude(pk__in=[kickoff.pk]).order_by("-due_date").first()
    pm_client.post(f"/milestones/{other.pk}/dependencies/", {"predecessor": kickoff.pk, "lag_days": "3"})
    assert MilestoneDependency.objects.filter(predecessor=kickoff, successor=other, lag_days=3).exists()
    pm_client.post(f"/milestones/{other.pk}/dependencies/", {"remove": kickoff.pk})
    assert MilestoneDependency.objects.count() == before


def test_a_final_move_needs_its_confirmation(pm_client, project):
    pm_client.post(f"/projects/{project.pk}/transition/", {"to": "cancelled", "version": project.version})
    assert "cannot be undone" in _page(pm_client, project)
    assert Project.objects.get(pk=project.pk).status == "active"
    pm_client.post(f"/projects/{project.pk}/transition/", {"to": "cancelled", "confirm": "yes",
                                                          "version": project.version})  # fmt: skip
    assert Project.objects.get(pk=project.pk).status == "cancelled"


def test_an_event_dated_tomorrow_is_refused_on_the_page_and_nothing_changes(pm_client, project):
    from datetime import timedelta

    from core import clock

    submission = submission_transition(submission=project.submissions.get(), actor=None, to="preparing")
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    pm_client.post(f"/submissions/{submission.pk}/act/", {"to": "submitted", "on": tomorrow,
                                                         "version": submission.version})  # fmt: skip
    assert f"{tomorrow} is in the future" in _page(pm_client, project)
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_on) == ("preparing", None)
    milestone = project.milestones.get(code="KICKOFF")
    pm_client.post(f"/milestones/{milestone.pk}/act/", {"to": "done", "on": tomorrow, "version": milestone.version})
    milestone.refresh_from_db()
    assert milestone.status != "done" and f"{tomorrow} is in the future" in _page(pm_client, project)
