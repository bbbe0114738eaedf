"""The regulatory engine through the REST API: pathways, apply-pathway, submissions driving clocks,
reschedule, dependencies; client scoping and allowlists; constant queries; the permission matrix."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from milestones.models import Milestone
from milestones.services import clocks_expire_due, milestone_complete, pathway_apply
from tests.factories import ClientFactory, ProjectFactory
from tests.matrix import ACTORS, ADMIN_PM_RA, HISTORY, READ_DETAIL, READ_LIST, STAFF, fill, make_actor, row
from tests.utils import all_keys, pinned

pytestmark = pytest.mark.django_db

START = date(2025, 3, 3)


@pytest.fixture
def planned(client_a):
    project = ProjectFactory(client=client_a, start_date=START)
    return pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)


def test_pathways_list_the_seeded_templates(api, regulatory):
    body = api.as_user(regulatory).get("/api/v1/pathways/").json()["results"]
    codes = {p["code"] for p in body}
    assert codes == {"CN_NMPA_II", "CN_NMPA_III", "US_510K", "US_DENOVO", "US_PMA", "EU_MDR_IIA_IIB", "EU_MDR_III"}
    us = next(p for p in body if p["code"] == "US_510K")
    assert {"kind": "authority_review", "budget": 90, "unit": "calendar_days", "period": "days", "rest_days": "",
            "restart_budget": None, "on_deficiency": "pause_resume", "starts_on_status": "submitted",
            "start_lag": 0} in us["clock_templates"]  # fmt: skip
    cn = next(p for p in body if p["code"] == "CN_NMPA_II")
    window = next(c for c in cn["clock_templates"] if c["kind"] == "applicant_response")
    assert (window["budget"], window["period"], window["unit"], window["rest_days"]) == (
        1,
        "years",
        "calendar_days",
        "cn_workdays",
    )
    assert us["device_classes"] in ([], ["I", "II"])  # version 1 is for any class, version 2 names them
    assert {p["version"] for p in body if p["code"] == "US_PMA"} == {1, 2}


def test_apply_pathway_once_and_another_too(api, regulatory, client_a):
    project = ProjectFactory(client=client_a)
    url = f"/api/v1/projects/{project.id}/apply-pathway/"
    api.as_user(regulatory)
    created = api.post(url, {"pathway": "CN_NMPA_II", "start_date": "2025-03-03"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["pathway"]["code"] == "CN_NMPA_II"
    again = api.post(url, {"pathway": "CN_NMPA_II", "start_date": "2025-03-03"}, format="json")
    assert again.status_code == 409
    assert "CN_NMPA_II" in again.json()["detail"]
    assert api.post(url, {"pathway": "US_510K", "start_date": "2025-03-03"}, format="json").status_code == 201
    unknown = api.post(url, {"pathway": "XX", "start_date": "2025-03-03"}, format="json")
    assert unknown.status_code == 400
    assert "US_510K" in unknown.json()["pathway"][0]
    assert api.post(url, {"pathway": "US_PMA"}, format="json").status_code == 400


def test_milestone_detail_pinned(api, regulatory, planned):
    milestone = planned.milestones.get(code="TECHNICAL_REVIEW")
    body = api.as_user(regulatory).get(f"/api/v1/milestones/{milestone.id}/", HTTP_ACCEPT_LANGUAGE="en").json()
    project = planned.project
    assert pinned(body) == {
        "id": milestone.id,
        "project": {"id": project.id, "code": project.code, "title": project.title},
        "submission": planned.id,
        "code": "TECHNICAL_REVIEW",
        "name": "Technical review",
        "name_zh": "技术审评",
        "name_en": "Technical review",
        "kind": "authority",
        "planned_start": "2025-07-10",
        "due_date": "2025-10-09",
        "due_provisional": False,
        "baseline_start": "2025-07-10",
        "baseline_due_date": "2025-10-09",
        "completed_on": None,
        "responsible": "authority",
        "status": "not_started",
        "due_state": "authority_overdue",  # the authority's step, past its date
        "order": 90,
        "calendar": "cn_workdays",
        "duration": 60,
        "owner": None,
        "client_visible": True,
        "follows_clock": "authority_review",
        "allowed_transitions": ["blocked", "done", "in_progress", "skipped"],
        "created_at": "<datetime>",
        "updated_at": "<datetime>",
        "version": 1,
    }


def test_submission_and_clock_pinned_through_an_fda_hold(api, regulatory, client_a):
    project = ProjectFactory(client=client_a)
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=START)
    api.as_user(regulatory)
    url = f"/api/v1/submissions/{submission.id}/transition/"
    for to, on in [("preparing", "2025-06-02"), ("submitted", "2025-06-02"), ("accepted", "2025-06-16"),
                   ("under_review", "2025-06-17"), ("deficiency", "2025-07-30")]:  # fmt: skip
        response = api.post(url, {"to": to, "on": on}, format="json")
        assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["submitted_on"], body["accepted_on"]) == ("deficiency", "2025-06-02", "2025-06-16")
    clock = submission.clocks.get(kind="authority_review")
    clock_body = api.get(f"/api/v1/review-clocks/{clock.id}/").json()
    assert pinned(clock_body) == {
        "id": clock.id,
        "submission": {"id": submission.id, "pathway": "US_510K", "project": project.code},
        "kind": "authority_review",
        "budget": 90,
        "unit": "calendar_days",
        "period": "days",
        "rest_days": "",
        "restart_budget": None,
        "on_deficiency": "pause_resume",
        "state": "paused",
        "round": 1,
        "round_budget": 90,
        "consumed": 58,
        "remaining": 32,
        "due_on": None,
        "warn_on": None,
        "provisional": False,
        "expired": False,
        "expired_on": None,
        "authority_overdue": False,
        "overdue_days": 0,
        "start_lag": 0,
        "allowed_actions": ["restart", "resume", "stop"],
        "events": [
            {
                "action": "start",
                "on": "2025-06-02",
                "reason": "submission preparing → submitted",
                "actor": {"id": regulatory.id, "username": "ra1", "display_name": regulatory.display_name},
            },
            {
                "action": "pause",
                "on": "2025-07-30",
                "reason": "submission under_review → deficiency",
                "actor": {"id": regulatory.id, "username": "ra1", "display_name": regulatory.display_name},
            },
        ],
        "created_at": "<datetime>",
        "updated_at": "<datetime>",
        "version": 3,
    }
    again = api.post(f"/api/v1/review-clocks/{clock.id}/pause/", {"on": "2025-08-01"}, format="json")
    assert again.status_code == 409
    assert again.json()["allowed"] == ["restart", "resume", "stop"]
    # While FDA waits, the decision milestone stands at the latest the rules allow: the 180-day window, then the
    # 32 FDA days left; the resume brings it to the clock's due date.
    decision = submission.milestones.get(code="DECISION")
    assert decision.due_date == date(2025, 7, 30) + timedelta(days=180 + 32)
    resumed = api.post(f"/api/v1/review-clocks/{clock.id}/resume/", {"on": "2025-09-30"}, format="json")
    assert resumed.json()["due_on"] == str(date(2025, 9, 30) + timedelta(days=32))
    decision.refresh_from_db()
    assert decision.due_date == date(2025, 9, 30) + timedelta(days=32) and not decision.due_date_set_by_hand


def test_reschedule_dry_run_then_apply_then_stale(api, regulatory, planned):
    dossier = planned.milestones.get(code="DOSSIER")
    url = f"/api/v1/milestones/{dossier.id}/reschedule/"
    api.as_user(regulatory)
    before = dict(Milestone.objects.values_list("id", "due_date"))
    preview = api.post(url, {"due_date": "2025-07-04", "dry_run": True}, format="json", HTTP_IF_MATCH='"1"')
    assert preview.status_code == 200
    assert preview.json()["dry_run"] is True
    assert [s["milestone"]["code"] for s in preview.json()["shifts"]][:2] == ["DOSSIER", "CLIENT_SIGN_OFF"]
    assert dict(Milestone.objects.values_list("id", "due_date")) == before
    applied = api.post(url, {"due_date": "2025-07-04"}, format="json", HTTP_IF_MATCH='"1"')
    assert applied.json()["shifts"] == preview.json()["shifts"]
    assert Milestone.objects.get(pk=dossier.pk).due_date == date(2025, 7, 4)
    stale = api.post(url, {"due_date": "2025-07-11"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert Milestone.objects.get(pk=dossier.pk).due_date == date(2025, 7, 4)
    bad = api.post(url, {"due_date": "not a date"}, format="json")
    assert bad.status_code == 400


def test_dependency_cycle_is_400(api, regulatory, planned):
    kickoff = planned.milestones.get(code="KICKOFF")
    certificate = planned.milestones.get(code="CERTIFICATE")
    api.as_user(regulatory)
    response = api.post(
        f"/api/v1/milestones/{kickoff.id}/predecessors/", {"predecessor": certificate.id}, format="json"
    )
    assert response.status_code == 400
    assert "cycle" in response.json()["predecessor"][0]
    listed = api.get(f"/api/v1/milestones/{certificate.id}/predecessors/").json()
    assert [link["predecessor"]["code"] for link in listed] == ["ADMIN_DECISION"]


def test_complete_with_a_date(api, regulatory, planned):
    kickoff = planned.milestones.get(code="KICKOFF")
    response = api.as_user(regulatory).post(
        f"/api/v1/milestones/{kickoff.id}/complete/", {"on": "2025-03-10"}, format="json"
    )
    assert (response.json()["status"], response.json()["completed_on"], response.json()["due_state"]) == (
        "done",
        "2025-03-10",
        "done",
    )
    assert api.post(f"/api/v1/milestones/{kickoff.id}/complete/", {}, format="json").status_code == 409


def test_client_user_sees_client_visible_milestones_and_public_fields(api, user_a, planned, client_b):
    hidden = planned.milestones.get(code="GAP_ANALYSIS")
    hidden.client_visible = False
    hidden.save()
    other = pathway_apply(project=ProjectFactory(client=client_b), actor=None, pathway="US_510K", start_date=START)
    api.as_user(user_a)
    body = api.get("/api/v1/milestones/?page_size=200").json()
    assert body["count"] == 10
    assert hidden.id not in {m["id"] for m in body["results"]}
    assert not all_keys(body) & {"owner", "client_visible", "internal_notes", "contract_value"}
    assert api.get(f"/api/v1/milestones/{hidden.id}/").status_code == 404
    assert api.get(f"/api/v1/milestones/{other.milestones.first().id}/").status_code == 404
    assert api.get(f"/api/v1/submissions/{other.id}/").status_code == 404
    assert api.get(f"/api/v1/milestones/?project={other.project_id}").status_code == 404
    submission = api.get(f"/api/v1/submissions/{planned.id}/").json()
    assert "allowed_transitions" not in submission
    assert api.get("/api/v1/review-clocks/").status_code == 403
    assert api.get(f"/api/v1/review-clocks/{other.clocks.first().id}/").status_code == 404
    assert api.get(f"/api/v1/milestones/{planned.milestones.first().id}/history/").status_code == 403


def test_milestone_filters(api, regulatory, planned):
    api.as_user(regulatory)
    assert api.get("/api/v1/milestones/?responsible=client").json()["count"] == 1
    assert api.get("/api/v1/milestones/?due_after=2025-10-01&due_before=2025-10-31").json()["count"] == 1
    # 11 open milestones past their date: 7 ours, 4 the authority's (acceptance, review, decision, certificate)
    assert api.get("/api/v1/milestones/?due_state=overdue").json()["count"] == 7
    authority = api.get("/api/v1/milestones/?due_state=authority_overdue").json()
    assert {m["responsible"] for m in authority["results"]} == {"authority"} and authority["count"] == 4
    assert api.get("/api/v1/milestones/?q=审评").json()["results"][0]["code"] == "TECHNICAL_REVIEW"
    assert api.get("/api/v1/milestones/?due_state=bogus").status_code == 400


@pytest.mark.parametrize("resource", ["milestones", "submissions", "review-clocks"])
def test_list_queries_constant(api, regulatory, client_a, resource):
    for _ in range(6):  # 54 milestones, 6 submissions, 12 clocks
        pathway_apply(project=ProjectFactory(client=client_a), actor=None, pathway="US_510K", start_date=START)
    counts = []
    for size in (5, 50):
        api.as_user(User.objects.get(pk=regulatory.pk))
        with CaptureQueriesContext(connection) as ctx:
            body = api.get(f"/api/v1/{resource}/?page_size={size}").json()
        assert len(body["results"]) == min(size, body["count"])
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_projects_list_with_health_stays_constant(api, regulatory, client_a):
    for _ in range(52):
        pathway_apply(project=ProjectFactory(client=client_a), actor=None, pathway="EU_MDR_III", start_date=START)
    counts = []
    for size in (5, 50):
        api.as_user(User.objects.get(pk=regulatory.pk))
        with CaptureQueriesContext(connection) as ctx:
            body = api.get(f"/api/v1/projects/?page_size={size}").json()
        assert {p["health"] for p in body["results"]} == {"late"}
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


ENGINE_EDIT = {"allowed": ADMIN_PM_RA, "ok": 200, "client_a": 403, "client_b": 404}
STAFF_ONLY_LIST = {"allowed": set(STAFF), "ok": 200, "client_a": 403, "client_b": 403}
STAFF_ONLY_DETAIL = {"allowed": set(STAFF), "ok": 200, "client_a": 403, "client_b": 404}
MATRIX = {
    "pathways list": row("get", "/api/v1/pathways/", **STAFF_ONLY_LIST),
    "apply pathway": row(
        "post",
        "/api/v1/projects/{project}/apply-pathway/",
        {"pathway": "US_510K", "start_date": "2025-03-03"},
        allowed=ADMIN_PM_RA,
        ok=201,
        client_a=403,
        client_b=404,
    ),
    "submissions list": row("get", "/api/v1/submissions/", **READ_LIST),
    "submission retrieve": row("get", "/api/v1/submissions/{submission}/", **READ_DETAIL),
    "submission patch": row("patch", "/api/v1/submissions/{submission}/", {"reference_number": "X1"}, **ENGINE_EDIT),
    "submission transition": row(
        "post", "/api/v1/submissions/{submission}/transition/", {"to": "preparing"}, **ENGINE_EDIT
    ),
    "submission history": row("get", "/api/v1/submissions/{submission}/history/", **HISTORY),
    "milestones list": row("get", "/api/v1/milestones/", **READ_LIST),
    "milestone retrieve": row("get", "/api/v1/milestones/{milestone}/", **READ_DETAIL),
    "milestone create": row(
        "post",
        "/api/v1/milestones/",
        {"project": "{project}", "name_en": "Extra", "due_date": "2025-05-05"},
        allowed=ADMIN_PM_RA,
        ok=201,
        client_a=403,
        client_b=403,
    ),
    "milestone patch": row("patch", "/api/v1/milestones/{milestone}/", {"name_en": "Renamed"}, **ENGINE_EDIT),
    "milestone complete": row("post", "/api/v1/milestones/{milestone}/complete/", {}, **ENGINE_EDIT),
    "milestone reschedule": row(
        "post",
        "/api/v1/milestones/{milestone}/reschedule/",
        {"due_date": "2025-04-01", "dry_run": True},
        **ENGINE_EDIT,
    ),
    "milestone history": row("get", "/api/v1/milestones/{milestone}/history/", **HISTORY),
    "review clocks list": row("get", "/api/v1/review-clocks/", **STAFF_ONLY_LIST),
    "review clock retrieve": row("get", "/api/v1/review-clocks/{clock}/", **STAFF_ONLY_DETAIL),
    "review clock start": row("post", "/api/v1/review-clocks/{clock}/start/", {"on": "2025-03-03"}, **ENGINE_EDIT),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", list(MATRIX), ids=list(MATRIX))
def test_permission_matrix(api, case, actor):
    method, path, payload, expected, _world = MATRIX[case]
    client_a = ClientFactory(code="ALPHA")
    client_b = ClientFactory(code="BRAVO")
    project = ProjectFactory(client=client_a)
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    ids = {
        "project": project.id,
        "submission": submission.id,
        "milestone": submission.milestones.get(code="KICKOFF").id,
        "clock": submission.clocks.get(kind="authority_review").id,
    }
    api.as_user(make_actor(actor, client_a, client_b))
    response = getattr(api, method)(path.format(**ids), fill(payload, ids), format="json")
    assert response.status_code == expected[actor], (case, actor, response.content[:300])


def test_a_second_nmpa_supplement_notice_in_the_same_review_is_409(api, regulatory, planned):
    """NMPA allows one supplement notice per technical review (the dates issue, item 4)."""
    url = f"/api/v1/submissions/{planned.id}/transition/"
    api.as_user(regulatory)
    steps = [("preparing", "2025-05-05"), ("submitted", "2025-05-12"), ("accepted", "2025-05-19"),
             ("under_review", "2025-05-26"), ("deficiency", "2025-07-01"), ("under_review", "2025-09-01")]  # fmt: skip
    for to, on in steps:
        response = api.post(url, {"to": to, "on": on}, format="json")
        assert response.status_code == 200, (to, response.json())
    clock = planned.clocks.get(kind="authority_review")
    assert api.get(f"/api/v1/review-clocks/{clock.id}/").json()["round"] == 2
    second = api.post(url, {"to": "deficiency", "on": "2025-10-10"}, format="json")
    assert second.status_code == 409
    assert "one supplement notice per technical review" in second.json()["detail"]
    assert api.get(f"/api/v1/submissions/{planned.id}/").json()["status"] == "under_review"


def test_a_refuse_to_accept_restarts_the_fda_clock_from_the_resubmission(api, regulatory, client_a):
    """510(k) received 2026-03-02, refused 2026-03-17, resubmitted 2026-04-10 → decision goal 2026-07-09 (90 FDA
    days from the new receipt, not from the first)."""
    project = ProjectFactory(client=client_a, start_date=date(2026, 1, 5))
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=date(2026, 1, 5))
    url = f"/api/v1/submissions/{submission.id}/transition/"
    api.as_user(regulatory)
    steps = [("preparing", "2026-02-02"), ("submitted", "2026-03-02"), ("refused", "2026-03-17"),
             ("preparing", "2026-03-18"), ("submitted", "2026-04-10")]  # fmt: skip
    for to, on in steps:
        response = api.post(url, {"to": to, "on": on}, format="json")
        assert response.status_code == 200, (to, response.json())
    clock = submission.clocks.get(kind="authority_review")
    body = api.get(f"/api/v1/review-clocks/{clock.id}/").json()
    assert (body["state"], body["due_on"], body["round_budget"]) == ("running", "2026-07-09", 90)
    assert [e["action"] for e in body["events"]] == ["start", "stop", "restart"]


def test_an_fda_additional_information_hold_resumes_where_it_stopped(api, regulatory, client_a):
    """510(k) received 2026-03-02, AI request on FDA day 45 (2026-04-16), answered 2026-07-25 → goal 2026-09-08."""
    project = ProjectFactory(client=client_a, start_date=date(2026, 1, 5))
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=date(2026, 1, 5))
    url = f"/api/v1/submissions/{submission.id}/transition/"
    api.as_user(regulatory)
    steps = [("preparing", "2026-02-02"), ("submitted", "2026-03-02"), ("accepted", "2026-03-16"),
             ("under_review", "2026-03-16"), ("deficiency", "2026-04-16"), ("under_review", "2026-07-25")]  # fmt: skip
    for to, on in steps:
        response = api.post(url, {"to": to, "on": on}, format="json")
        assert response.status_code == 200, (to, response.json())
    clock = submission.clocks.get(kind="authority_review")
    assert api.get(f"/api/v1/review-clocks/{clock.id}/").json()["due_on"] == "2026-09-08"


def _walk(api, submission, steps):
    url = f"/api/v1/submissions/{submission.id}/transition/"
    for to, on in steps:
        response = api.post(url, {"to": to, "on": on}, format="json")
        assert response.status_code == 200, (to, response.json())
    return response.json()


def _milestone(api, submission, code):
    body = api.get(f"/api/v1/milestones/?submission={submission.id}&page_size=50").json()
    return next(m for m in body["results"] if m["code"] == code)


def test_the_fda_decision_milestone_follows_its_clock_through_a_hold(api, regulatory, client_a):
    """510(k) received 2026-03-02, AI request on FDA day 45 (2026-04-16), answered 2026-07-25: the decision
    milestone stands at the clock's goal, 2026-09-08, and in between at the latest the rules allow."""
    project = ProjectFactory(client=client_a, start_date=date(2026, 1, 5))
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=date(2026, 1, 5))
    api.as_user(regulatory)
    _walk(api, submission, [("preparing", "2026-02-02"), ("submitted", "2026-03-02")])
    assert _milestone(api, submission, "DECISION")["due_date"] == "2026-05-31"  # 90 FDA days from receipt
    _walk(api, submission, [("accepted", "2026-03-16"), ("under_review", "2026-03-16"), ("deficiency", "2026-04-16")])
    on_hold = _milestone(api, submission, "DECISION")
    assert on_hold["due_date"] == "2026-11-27"  # the 180-day window (2026-10-13), then the 45 FDA days left
    _walk(api, submission, [("under_review", "2026-07-25")])
    decision = _milestone(api, submission, "DECISION")
    assert (decision["due_date"], decision["follows_clock"]) == ("2026-09-08", "authority_review")
    clock = submission.clocks.get(kind="authority_review")
    assert api.get(f"/api/v1/review-clocks/{clock.id}/").json()["due_on"] == "2026-09-08"


def test_the_nmpa_technical_review_counts_from_the_transfer(api, regulatory, client_a):
    """NMPA Class II accepted 2026-09-28 → transfer 2026-10-08 (3 working days; National Day in between) →
    technical review due 2026-12-30 (60 working days). A recorded transfer replaces the planned one."""
    project = ProjectFactory(client=client_a, start_date=date(2026, 3, 2))
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 3, 2))
    api.as_user(regulatory)
    body = _walk(
        api, submission, [("preparing", "2026-09-01"), ("submitted", "2026-09-21"), ("accepted", "2026-09-28")]
    )
    assert (body["transferred_on"], body["transfer_recorded"]) == ("2026-10-08", False)
    clock = submission.clocks.get(kind="authority_review")
    reading = api.get(f"/api/v1/review-clocks/{clock.id}/").json()
    assert (reading["state"], reading["due_on"]) == ("running", "2026-12-30")
    assert reading["events"][0]["on"] == "2026-10-08"
    review = _milestone(api, submission, "TECHNICAL_REVIEW")
    assert (review["planned_start"], review["due_date"]) == ("2026-10-08", "2026-12-30")
    assert _milestone(api, submission, "ADMIN_DECISION")["due_date"] == "2027-01-28"  # successors shift with it

    body = _walk(api, submission, [("under_review", "2026-10-12")])  # the transfer came two working days late
    assert (body["transferred_on"], body["transfer_recorded"]) == ("2026-10-12", True)
    reading = api.get(f"/api/v1/review-clocks/{clock.id}/").json()
    assert reading["due_on"] == "2027-01-05"  # 60 working days from 2026-10-12, New Year's Day in between
    assert [(e["action"], e["on"]) for e in reading["events"]] == [("start", "2026-10-12")]
    assert _milestone(api, submission, "TECHNICAL_REVIEW")["due_date"] == "2027-01-05"


def test_a_transfer_before_the_acceptance_is_refused(api, regulatory, planned):
    api.as_user(regulatory)
    _walk(api, planned, [("preparing", "2025-05-05"), ("submitted", "2025-05-12"), ("accepted", "2025-05-19")])
    response = api.post(f"/api/v1/submissions/{planned.id}/transition/", {"to": "under_review", "on": "2025-05-16"},
                        format="json")  # fmt: skip
    assert response.status_code == 400 and "on" in response.json()
    assert api.get(f"/api/v1/submissions/{planned.id}/").json()["status"] == "accepted"


def test_nmpa_decision_and_certificate_have_clocks_their_milestones_follow(api, regulatory, client_a):
    project = ProjectFactory(client=client_a, start_date=date(2026, 3, 2))
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 3, 2))
    api.as_user(regulatory)
    _walk(api, submission, [("preparing", "2026-09-01"), ("submitted", "2026-09-21"), ("accepted", "2026-09-28"),
                            ("under_review", "2026-10-08"), ("decision_pending", "2026-11-02")])  # fmt: skip
    decision = submission.clocks.get(kind="decision")
    reading = api.get(f"/api/v1/review-clocks/{decision.id}/").json()
    assert (reading["state"], reading["budget"], reading["due_on"]) == ("running", 20, "2026-11-30")
    assert submission.clocks.get(kind="authority_review").state == "stopped"
    assert _milestone(api, submission, "ADMIN_DECISION")["due_date"] == "2026-11-30"
    _walk(api, submission, [("approved", "2026-11-20")])
    certificate = submission.clocks.get(kind="certificate")
    assert (certificate.state, certificate.due_on) == ("running", date(2026, 12, 4))  # 10 working days
    assert submission.clocks.get(kind="decision").state == "stopped"
    milestone = _milestone(api, submission, "CERTIFICATE")
    assert milestone["due_date"] == "2026-12-04"
    done = api.post(f"/api/v1/milestones/{milestone['id']}/complete/", {"on": "2026-11-24"}, format="json")
    assert done.status_code == 200, done.json()
    certificate.refresh_from_db()
    assert certificate.state == "stopped"


def test_an_authority_past_its_date_is_authority_overdue_not_our_lateness(api, regulatory, client_a, frozen_clock):
    project = ProjectFactory(client=client_a, start_date=date(2026, 3, 2))
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=date(2026, 3, 2))
    for milestone in submission.milestones.exclude(responsible="authority"):
        milestone_complete(milestone=milestone, actor=None, on=date(2026, 6, 1))
    api.as_user(regulatory)
    _walk(api, submission, [("preparing", "2026-06-01"), ("submitted", "2026-07-01")])  # goal 2026-09-29
    frozen_clock.move_to(datetime(2026, 10, 20, 4, tzinfo=UTC))
    assert clocks_expire_due() == 1
    project_body = api.get(f"/api/v1/projects/{project.id}/").json()
    # not late (the decision slipped past its baseline, which is a risk to the plan, not our lateness)
    assert (project_body["health"], project_body["authority_overdue"]) == ("at_risk", True)
    decision = _milestone(api, submission, "DECISION")
    assert decision["due_state"] == "authority_overdue"
    clock = submission.clocks.get(kind="authority_review")
    reading = api.get(f"/api/v1/review-clocks/{clock.id}/").json()
    assert (reading["state"], reading["expired"], reading["authority_overdue"]) == ("expired", True, True)
    assert api.get("/api/v1/projects/?health=late").json()["count"] == 0
    frozen_clock.move_to(datetime(2026, 10, 22, 4, tzinfo=UTC))  # what happened on the 21st is recorded after it
    _walk(api, submission, [("accepted", "2026-07-10"), ("under_review", "2026-07-10"),
                            ("decision_pending", "2026-10-21"), ("approved", "2026-10-21")])  # fmt: skip
    # the record completed the authority's steps on their dates: nothing left to chase
    done = dict(submission.milestones.filter(responsible="authority").values_list("code", "completed_on"))
    assert done == {"ACCEPTANCE_REVIEW": date(2026, 7, 10), "DECISION": date(2026, 10, 21)}
    assert api.get(f"/api/v1/projects/{project.id}/").json()["authority_overdue"] is False


def test_an_nmpa_window_that_runs_out_terminates_the_review_through_the_api(api, regulatory, pm, client_a):
    """The beat's sweep, then what a PM and an integration see: review terminated, one notification."""
    from milestones.tasks import day_change_refresh
    from notifications.models import Notification

    project = ProjectFactory(client=client_a, start_date=date(2025, 3, 3), project_manager=pm)
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2025, 3, 3))
    api.as_user(regulatory)
    _walk(api, submission, [("preparing", "2025-05-05"), ("submitted", "2025-05-12"), ("accepted", "2025-05-19"),
                            ("under_review", "2025-05-22"), ("deficiency", "2025-07-01")])  # fmt: skip
    assert day_change_refresh()["expired_clocks"] == 1  # the frozen today (2026-11) is past the window (2026-07-01)
    assert day_change_refresh()["expired_clocks"] == 0
    body = api.get(f"/api/v1/submissions/{submission.id}/").json()
    assert (body["status"], body["flag"]) == ("review_terminated", "refusal_expected")
    assert "under_review" in body["allowed_transitions"]  # a response dated inside the window may still come in
    assert Notification.objects.filter(user=pm, event="review_clock.expired").count() == 1
    late = api.post(f"/api/v1/submissions/{submission.id}/transition/", {"to": "under_review", "on": "2026-07-02"},
                    format="json")  # fmt: skip
    assert late.status_code == 400


def test_an_event_dated_tomorrow_is_refused_and_nothing_changes(api, regulatory, client_a, frozen_clock):
    from core import clock

    project = ProjectFactory(client=client_a, start_date=date(2026, 3, 2))
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=date(2026, 3, 2))
    api.as_user(regulatory)
    today = clock.today()
    tomorrow = (today + timedelta(days=1)).isoformat()
    _walk(api, submission, [("preparing", today.isoformat())])
    url = f"/api/v1/submissions/{submission.id}/transition/"
    refused = api.post(url, {"to": "submitted", "on": tomorrow}, format="json")
    assert refused.status_code == 400 and tomorrow in refused.json()["on"][0]
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_on) == ("preparing", None)
    assert not submission.clocks.filter(state="running").exists()
    milestone = _milestone(api, submission, "KICKOFF")
    done = api.post(f"/api/v1/milestones/{milestone['id']}/complete/", {"on": tomorrow}, format="json")
    assert done.status_code == 400 and _milestone(api, submission, "KICKOFF")["status"] == "not_started"
    assert api.post(url, {"to": "submitted", "on": today.isoformat()}, format="json").status_code == 200
    clock_ = submission.clocks.get(kind="authority_review")
    paused = api.post(f"/api/v1/review-clocks/{clock_.id}/pause/", {"on": tomorrow}, format="json")
    assert paused.status_code == 400 and submission.clocks.get(kind="authority_review").state == "running"


def test_fda_days_as_mdufa_counts_them_through_an_ai_hold(api, client, regulatory, client_a):
    """A 510(k) received 2026-05-04 (day 0): goal 2026-08-02; an AI letter on 2026-06-12 stops the count at 39 FDA
    days; the answer on 2026-09-01 resumes it: 51 days left, goal 2026-10-22, and the decision milestone says so."""
    project = ProjectFactory(client=client_a, start_date=date(2026, 1, 5))
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=date(2026, 1, 5))
    api.as_user(regulatory)
    _walk(api, submission, [("preparing", "2026-04-20"), ("submitted", "2026-05-04")])
    review = submission.clocks.get(kind="authority_review")
    assert api.get(f"/api/v1/review-clocks/{review.id}/").json()["due_on"] == "2026-08-02"
    _walk(api, submission, [("accepted", "2026-05-19"), ("under_review", "2026-05-19"), ("deficiency", "2026-06-12")])
    held = api.get(f"/api/v1/review-clocks/{review.id}/").json()
    assert (held["state"], held["consumed"], held["remaining"]) == ("paused", 39, 51)
    client.force_login(regulatory)
    assert "FDA day 39 of 90" in client.get(f"/projects/{project.pk}/").content.decode()
    _walk(api, submission, [("under_review", "2026-09-01")])
    resumed = api.get(f"/api/v1/review-clocks/{review.id}/").json()
    assert (resumed["state"], resumed["due_on"]) == ("running", "2026-10-22")
    assert _milestone(api, submission, "DECISION")["due_date"] == "2026-10-22"


@pytest.mark.parametrize(("kind", "inspected"), [("domestic", True), ("importer", False), ("overseas", False)])
def test_the_provinces_qms_inspection_is_for_domestic_class_iii_only(api, regulatory, kind, inspected, frozen_clock):
    from tests.factories import ClientFactory

    client = ClientFactory(code=f"Q{kind[:3].upper()}", kind=kind, country="CN" if kind != "overseas" else "DE")
    project = ProjectFactory(client=client, start_date=date(2025, 9, 1))
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_III", start_date=date(2025, 9, 1))
    assert submission.pathway.version == 3
    has_milestone = submission.milestones.filter(code="QMS_INSPECTION").exists()
    has_clock = submission.clocks.filter(kind="qms_inspection").exists()
    assert (has_milestone, has_clock) == (inspected, inspected)
    api.as_user(regulatory)
    frozen_clock.move_to(datetime(2026, 4, 28, 4, tzinfo=UTC))  # the last day, in Shanghai
    _walk(api, submission, [("preparing", "2026-02-02"), ("submitted", "2026-02-16"), ("accepted", "2026-03-02")])
    if inspected:  # notified within 10 working days, then 30: 40 working days after acceptance at the latest
        qms = submission.clocks.get(kind="qms_inspection")
        body = api.get(f"/api/v1/review-clocks/{qms.id}/").json()
        assert (body["state"], body["due_on"], body["authority_overdue"]) == ("running", "2026-04-28", False)
        assert _milestone(api, submission, "QMS_INSPECTION")["due_date"] == "2026-04-28"
        frozen_clock.move_to(datetime(2026, 4, 29, 4, tzinfo=UTC))
        assert api.get(f"/api/v1/review-clocks/{qms.id}/").json()["overdue_days"] == 1


def test_the_record_completes_the_authoritys_milestones_and_one_date_is_shown_everywhere(
    api, client, regulatory, client_a
):
    from tests.factories import ClientUserFactory

    project = ProjectFactory(client=client_a, start_date=date(2026, 1, 5))
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    api.as_user(regulatory)
    _walk(api, submission, [("preparing", "2026-06-01"), ("submitted", "2026-06-08"), ("accepted", "2026-06-15")])
    for code, on in (("SUBMISSION", "2026-06-08"), ("ACCEPTANCE", "2026-06-15")):
        milestone = _milestone(api, submission, code)
        assert (milestone["status"], milestone["completed_on"]) == ("done", on), code
    review = submission.clocks.get(kind="authority_review")
    due = api.get(f"/api/v1/review-clocks/{review.id}/").json()["due_on"]
    assert _milestone(api, submission, "TECHNICAL_REVIEW")["due_date"] == due
    client.force_login(ClientUserFactory(client=client_a))
    portal = client.get(f"/portal/projects/{project.pk}/").content.decode()
    assert due in portal


def test_completing_the_submission_milestone_records_the_submission_step(api, regulatory, client_a):
    project = ProjectFactory(client=client_a, start_date=date(2026, 1, 5))
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    api.as_user(regulatory)
    _walk(api, submission, [("preparing", "2026-06-01")])
    milestone = _milestone(api, submission, "SUBMISSION")
    assert api.post(f"/api/v1/milestones/{milestone['id']}/complete/", {"on": "2026-06-08"}).status_code == 200
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_on) == ("submitted", date(2026, 6, 8))


def test_a_milestone_a_clock_governs_keeps_the_clocks_date_through_reschedules(api, regulatory, client_a):
    project = ProjectFactory(client=client_a, start_date=date(2026, 1, 5))
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    api.as_user(regulatory)
    _walk(api, submission, [("preparing", "2026-06-01"), ("submitted", "2026-06-08"), ("accepted", "2026-06-15"),
                            ("under_review", "2026-06-18")])  # fmt: skip
    review = submission.clocks.get(kind="authority_review")
    due = api.get(f"/api/v1/review-clocks/{review.id}/").json()["due_on"]
    technical = _milestone(api, submission, "TECHNICAL_REVIEW")
    assert technical["due_date"] == due
    moved = api.post(f"/api/v1/milestones/{technical['id']}/reschedule/", {"due_date": "2027-07-27"}, format="json")
    assert moved.status_code == 409 and due in moved.json()["detail"]
    testing = _milestone(api, submission, "TYPE_TESTING")
    shifted = api.post(f"/api/v1/milestones/{testing['id']}/reschedule/",
                       {"due_date": "2026-12-31", "shift_successors": True}, format="json")  # fmt: skip
    assert shifted.status_code == 200, shifted.json()
    assert _milestone(api, submission, "TECHNICAL_REVIEW")["due_date"] == due  # one date: the clock's
