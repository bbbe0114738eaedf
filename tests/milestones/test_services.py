"""The regulatory engine: pathway plans, statutory clocks (NMPA restart, FDA resume), reschedule, health."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError

from core.exceptions import ConflictError, StaleVersion, TransitionNotAllowed
from milestones.models import Milestone, ReviewClock
from milestones.services import (
    clocks_expire_due,
    dependency_add,
    milestone_complete,
    milestone_reschedule,
    pathway_apply,
    project_health_refresh,
    review_clock_pause,
    submission_transition,
)
from projects.models import Project
from tests.factories import ClientFactory, ProjectFactory

pytestmark = pytest.mark.django_db

START = date(2025, 3, 3)

# CN_NMPA_II from 2025-03-03: code → (duration in Chinese working days, due date), counted by hand with the
# official calendar (Qingming 4–6 April, Labour Day 1–5 May with Sunday 27 April worked, Dragon Boat 31 May –
# 2 June, National Day and Mid-Autumn 1–8 October with Sunday 28 September and Saturday 11 October worked).
CN_NMPA_II_PLAN = {
    "KICKOFF": (5, date(2025, 3, 10)),
    "GAP_ANALYSIS": (10, date(2025, 3, 24)),
    "TYPE_TESTING": (40, date(2025, 5, 22)),
    "CLINICAL_EVALUATION": (30, date(2025, 5, 8)),
    "DOSSIER": (20, date(2025, 6, 20)),
    "CLIENT_SIGN_OFF": (5, date(2025, 6, 27)),
    "SUBMISSION": (1, date(2025, 6, 30)),
    "ACCEPTANCE": (5, date(2025, 7, 7)),
    "TECHNICAL_REVIEW": (60, date(2025, 10, 9)),
    "ADMIN_DECISION": (20, date(2025, 11, 5)),
    "CERTIFICATE": (10, date(2025, 11, 19)),
}


def workdays_after(day: date, n: int) -> date:
    """An independent count with chinesecalendar itself: the n-th working day after ``day``."""
    return chinese_calendar.get_workdays(day + timedelta(days=1), day + timedelta(days=3 * n + 30))[n - 1]


@pytest.fixture
def project():
    return ProjectFactory(start_date=START)


def test_cn_nmpa_ii_plan_is_pinned(project):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    milestones = {m.code: m for m in submission.milestones.all()}
    assert {code: (m.duration, m.due_date) for code, m in milestones.items()} == CN_NMPA_II_PLAN
    for m in milestones.values():
        assert m.baseline_due_date == m.due_date
        assert workdays_after(m.planned_start, m.duration) == m.due_date, m.code
    assert milestones["TECHNICAL_REVIEW"].planned_start == workdays_after(date(2025, 7, 7), 3)  # 3-day transfer lag
    assert submission.authority == "provincial_mpa"
    assert sorted(submission.clocks.values_list("kind", "budget", "start_lag")) == [
        ("applicant_response", 1, 0),  # one year (period "years"), moved off a rest day
        ("authority_review", 60, 3),  # counts from the transfer, 3 working days after acceptance
        ("certificate", 10, 0),
        ("decision", 20, 0),
    ]
    assert submission.pathway.version == 2
    follows = {m.code: m.follows_clock for m in milestones.values() if m.follows_clock}
    assert follows == {"TECHNICAL_REVIEW": "authority_review", "ADMIN_DECISION": "decision",
                       "CERTIFICATE": "certificate"}  # fmt: skip


def test_a_pathway_applies_once_but_others_may_join(project):
    pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    with pytest.raises(ConflictError, match="CN_NMPA_II"):
        pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    us = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=START)
    assert us.authority == "fda"
    assert project.submissions.count() == 2
    assert us.milestones.get(code="DECISION").due_date == us.milestones.get(code="SUBMISSION").due_date + timedelta(90)


def test_unknown_pathway_is_a_validation_error(project):
    with pytest.raises(ValidationError):
        pathway_apply(project=project, actor=None, pathway="MARS_AGENCY", start_date=START)


def walk(submission, *steps):
    for to, on in steps:
        submission = submission_transition(submission=submission, actor=None, to=to, on=on)
    return submission


def test_nmpa_supplement_ends_the_round_and_the_answer_restarts_a_fresh_budget(project):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    review_start = date(2025, 3, 10)
    submission = walk(
        submission,
        ("preparing", date(2025, 3, 3)),
        ("submitted", date(2025, 3, 3)),
        ("accepted", date(2025, 3, 7)),
        ("under_review", review_start),
    )
    clock = submission.clocks.get(kind="authority_review")
    assert (clock.state, clock.due_on) == ("running", workdays_after(review_start, 60))

    notice = workdays_after(review_start, 45)  # the supplement notice (补正) at working day 45
    submission = walk(submission, ("deficiency", notice))
    clock.refresh_from_db()
    applicant = submission.clocks.get(kind="applicant_response")
    assert (clock.state, clock.consumed_before, clock.due_on) == ("stopped", 45, None)
    assert (applicant.state, applicant.due_on) == ("running", notice + timedelta(days=365))

    received = date(2025, 9, 15)  # the supplement arrives months later
    walk(submission, ("under_review", received))
    clock.refresh_from_db()
    applicant.refresh_from_db()
    assert (clock.state, clock.round, clock.round_budget, clock.consumed_before) == ("running", 2, 60, 0)
    assert clock.due_on == workdays_after(received, 60) == date(2025, 12, 12)
    assert applicant.state == "stopped"
    assert list(clock.events.values_list("action", flat=True)) == ["start", "stop", "restart"]


def test_fda_ai_hold_pauses_and_the_answer_resumes_where_it_stopped(project):
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=START)
    received = date(2025, 6, 2)
    submission = walk(
        submission, ("preparing", received), ("submitted", received), ("accepted", received + timedelta(14))
    )
    submission = walk(submission, ("under_review", received + timedelta(15)))
    hold = received + timedelta(days=58)
    submission = walk(submission, ("deficiency", hold))
    clock = submission.clocks.get(kind="authority_review")
    assert (clock.state, clock.consumed_before, clock.due_on) == ("paused", 58, None)

    answered = hold + timedelta(days=62)
    walk(submission, ("under_review", answered))
    clock.refresh_from_db()
    assert (clock.state, clock.consumed_before, clock.round) == ("running", 58, 1)
    assert clock.due_on == answered + timedelta(days=32)


def test_pausing_a_paused_clock_is_refused(project):
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=START)
    walk(submission, ("preparing", START), ("submitted", START), ("accepted", START), ("under_review", START))
    clock = submission.clocks.get(kind="authority_review")
    clock = review_clock_pause(clock=clock, actor=None, on=START + timedelta(5))
    with pytest.raises(TransitionNotAllowed) as caught:
        review_clock_pause(clock=clock, actor=None, on=START + timedelta(6))
    assert caught.value.allowed == ["restart", "resume", "stop"]


def test_clock_events_cannot_go_back_in_time(project):
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=START)
    walk(submission, ("preparing", START), ("submitted", START + timedelta(10)))
    clock = submission.clocks.get(kind="authority_review")
    with pytest.raises(ValidationError):
        review_clock_pause(clock=clock, actor=None, on=START)


def test_an_unanswered_fda_request_means_the_submission_is_considered_withdrawn(project):
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=START)
    hold = date(2025, 4, 1)
    submission = walk(
        submission, ("preparing", START), ("submitted", START), ("accepted", START), ("under_review", START),
        ("deficiency", hold),
    )  # fmt: skip
    applicant = submission.clocks.get(kind="applicant_response")
    assert applicant.due_on == hold + timedelta(days=180)  # FDA days: not moved off a weekend
    ended = applicant.due_on + timedelta(days=1)  # the day after the window's last day
    assert clocks_expire_due(today=applicant.due_on) == 0  # the last day still counts
    assert clocks_expire_due(today=applicant.due_on + timedelta(days=1)) == 1
    assert clocks_expire_due(today=applicant.due_on + timedelta(days=2)) == 0  # idempotent
    applicant.refresh_from_db()
    submission.refresh_from_db()
    assert (submission.status, submission.flag, submission.decided_on) == ("withdrawn", "deemed_withdrawn", ended)
    assert (applicant.state, applicant.expired_on) == ("stopped", ended)
    assert submission.get_flag_display() == "Considered withdrawn: the response window ran out"


def test_reschedule_dry_run_lists_the_shift_and_changes_nothing(project):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    dossier = submission.milestones.get(code="DOSSIER")
    before = dict(Milestone.objects.values_list("code", "due_date"))
    shifts = milestone_reschedule(milestone=dossier, actor=None, due_date=date(2025, 7, 4), dry_run=True)
    moved = {s.milestone.code: (s.old_due_date, s.new_due_date) for s in shifts}
    assert moved["DOSSIER"] == (date(2025, 6, 20), date(2025, 7, 4))
    assert moved["CLIENT_SIGN_OFF"] == (date(2025, 6, 27), workdays_after(date(2025, 7, 4), 5))
    assert "TYPE_TESTING" not in moved
    assert set(moved) == {"DOSSIER", "CLIENT_SIGN_OFF", "SUBMISSION", "ACCEPTANCE", "TECHNICAL_REVIEW",
                          "ADMIN_DECISION", "CERTIFICATE"}  # fmt: skip
    assert dict(Milestone.objects.values_list("code", "due_date")) == before


def test_reschedule_moves_successors_in_their_calendars_and_keeps_the_baseline(project):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    dossier = submission.milestones.get(code="DOSSIER")
    milestone_reschedule(milestone=dossier, actor=None, due_date=date(2025, 7, 4), expected_version=1)
    after = {m.code: m for m in submission.milestones.all()}
    assert after["DOSSIER"].due_date == date(2025, 7, 4)
    assert after["CLIENT_SIGN_OFF"].due_date == workdays_after(date(2025, 7, 4), 5)
    assert after["CERTIFICATE"].baseline_due_date == date(2025, 11, 19)
    assert after["CERTIFICATE"].due_date > date(2025, 11, 19)
    assert after["TYPE_TESTING"].due_date == date(2025, 5, 22)
    with pytest.raises(StaleVersion):
        milestone_reschedule(milestone=dossier, actor=None, due_date=date(2025, 7, 11), expected_version=1)


def test_reschedule_without_shifting_moves_only_the_milestone(project):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    dossier = submission.milestones.get(code="DOSSIER")
    shifts = milestone_reschedule(milestone=dossier, actor=None, due_date=date(2025, 7, 4), shift_successors=False)
    assert [s.milestone.code for s in shifts] == ["DOSSIER"]
    assert submission.milestones.get(code="CLIENT_SIGN_OFF").due_date == date(2025, 6, 27)


def test_a_dependency_cycle_is_refused(project):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    kickoff = submission.milestones.get(code="KICKOFF")
    certificate = submission.milestones.get(code="CERTIFICATE")
    with pytest.raises(ValidationError, match="cycle"):
        dependency_add(predecessor=certificate, successor=kickoff)
    dependency_add(predecessor=kickoff, successor=certificate, lag_days=2)


def test_health_progress_and_next_due(project):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    project.refresh_from_db()
    assert (project.progress, project.next_due_date) == (0, date(2025, 3, 10))
    kickoff = submission.milestones.get(code="KICKOFF")
    milestone_complete(milestone=kickoff, actor=None, on=date(2025, 3, 10))
    project_health_refresh(project_ids=[project.pk], today=date(2025, 3, 11))
    project.refresh_from_db()
    assert (project.progress, project.next_due_date, project.health) == (9, date(2025, 3, 24), "on_track")
    project_health_refresh(project_ids=[project.pk], today=date(2025, 3, 18))  # GAP due 03-24, not started
    project.refresh_from_db()
    assert project.health == "at_risk"
    project_health_refresh(project_ids=[project.pk], today=date(2025, 3, 25))
    project.refresh_from_db()
    assert project.health == "late"


def test_slipping_past_the_baseline_is_at_risk(project):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    certificate = submission.milestones.get(code="CERTIFICATE")
    milestone_reschedule(milestone=certificate, actor=None, due_date=date(2025, 12, 1))
    project_health_refresh(project_ids=[project.pk], today=date(2025, 3, 4))
    assert Project.objects.get(pk=project.pk).health == "at_risk"


def test_health_refresh_is_one_statement_for_all_open_projects(django_assert_num_queries):
    for _ in range(20):
        pathway_apply(project=ProjectFactory(), actor=None, pathway="US_510K", start_date=START)
    with django_assert_num_queries(1):
        updated = project_health_refresh(today=date(2025, 3, 4))
    assert updated == 20
    assert ReviewClock.objects.count() == 40


def test_dates_beyond_the_published_calendar_are_provisional(project):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 9, 1))
    flags = dict(submission.milestones.values_list("code", "due_provisional"))
    assert flags["KICKOFF"] is False  # September 2026 is published
    assert flags["CERTIFICATE"] is True  # 2027 is not (chinesecalendar 1.11.0 knows up to 2026)


@pytest.mark.parametrize(("kind", "authority"), [("domestic", "provincial_mpa"), ("importer", "nmpa"),
                                                 ("overseas", "nmpa")])  # fmt: skip
def test_an_imported_class_ii_device_is_reviewed_by_nmpa_not_the_province(kind, authority):
    client = ClientFactory(code=f"K{kind[:3].upper()}", kind=kind, country="CN" if kind != "overseas" else "DE")
    project = ProjectFactory(client=client)
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 3, 2))
    assert submission.authority == authority


def nmpa_in_supplement(project, notice=date(2025, 6, 2)):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    return walk(submission, ("preparing", START), ("submitted", START), ("accepted", START),
                ("under_review", START + timedelta(days=7)), ("deficiency", notice))  # fmt: skip


def test_an_nmpa_window_that_runs_out_terminates_the_review_and_tells_the_pm_once(project):
    from notifications.models import Notification
    from tests.factories import StaffUserFactory

    pm = StaffUserFactory(roles=["project_manager"], username="pm_window")
    Project.objects.filter(pk=project.pk).update(project_manager=pm)
    submission = nmpa_in_supplement(project)
    window = submission.clocks.get(kind="applicant_response")
    assert window.due_on == date(2026, 6, 2)  # one year, calendar days
    assert clocks_expire_due(today=window.due_on + timedelta(days=1)) == 1
    assert clocks_expire_due(today=window.due_on + timedelta(days=2)) == 0
    submission.refresh_from_db()
    assert (submission.status, submission.flag) == ("review_terminated", "refusal_expected")
    assert submission.get_status_display() == "Review terminated: refusal expected (the response window ran out)"
    assert submission.flagged_on == window.due_on + timedelta(days=1)
    assert Notification.objects.filter(user=pm, event="review_clock.expired").count() == 1
    review = submission.clocks.get(kind="authority_review")
    assert review.state == "stopped"  # where the supplement notice left it


def test_a_response_dated_inside_the_window_but_recorded_late_reopens_the_review(project):
    submission = nmpa_in_supplement(project)
    window = submission.clocks.get(kind="applicant_response")
    clocks_expire_due(today=window.due_on + timedelta(days=3))
    submission.refresh_from_db()
    with pytest.raises(ValidationError):  # dated after the window: the review stays terminated
        walk(submission, ("under_review", window.due_on + timedelta(days=1)))
    submission = walk(submission, ("under_review", window.due_on - timedelta(days=10)))
    assert (submission.status, submission.flag) == ("under_review", "")
    review = submission.clocks.get(kind="authority_review")
    assert (review.state, review.round) == ("running", 2)
    assert submission.clocks.get(kind="applicant_response").state == "stopped"


# --- Pathway templates, version 2 --------------------------------------------------------------------------------
def classified(project, market, device_class, **device):
    from tests.factories import DeviceClassificationFactory, DeviceFactory

    made = DeviceFactory(client=project.client, **device)
    DeviceClassificationFactory(device=made, market=market, device_class=device_class)
    project.devices.add(made)
    return made


def test_version_2_is_in_force_from_version_1s_date_and_v1_projects_keep_v1(project):
    from milestones.models import PathwayTemplate

    v1, v2 = (PathwayTemplate.objects.get(code="CN_NMPA_II", version=n) for n in (1, 2))
    assert v2.effective_from == v1.effective_from == date(2021, 10, 1)
    PathwayTemplate.objects.filter(pk=v2.pk).update(effective_from=date(2030, 1, 1))  # as before the correction
    old = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    PathwayTemplate.objects.filter(pk=v2.pk).update(effective_from=v1.effective_from)
    new = pathway_apply(project=ProjectFactory(start_date=START), actor=None, pathway="CN_NMPA_II", start_date=START)
    assert (old.pathway.version, new.pathway.version) == (1, 2)
    steps = (("preparing", START), ("submitted", START), ("accepted", date(2025, 3, 10)))
    old, new = walk(old, *steps), walk(new, *steps)
    # v1: the review starts when the submission goes under review; v2: at acceptance, dated at the transfer
    assert old.clocks.get(kind="authority_review").state == "not_started"
    assert sorted(old.clocks.values_list("kind", flat=True)) == ["applicant_response", "authority_review"]
    review = new.clocks.get(kind="authority_review")
    assert (review.state, review.running_since) == ("running", date(2025, 3, 13))
    assert new.transferred_on == date(2025, 3, 13) and not new.transfer_recorded


def test_pma_acceptance_and_filing_are_counted_from_receipt_and_a_panel_is_chosen_at_apply(project):
    plain = pathway_apply(project=project, actor=None, pathway="US_PMA", start_date=START)
    panel = pathway_apply(project=ProjectFactory(start_date=START), actor=None, pathway="US_PMA", start_date=START,
                          options=["advisory_panel"])  # fmt: skip
    for submission, budget in ((plain, 180), (panel, 320)):
        milestones = {m.code: m for m in submission.milestones.all()}
        receipt = milestones["SUBMISSION"].due_date
        assert milestones["ACCEPTANCE_REVIEW"].due_date == receipt + timedelta(days=15)
        assert milestones["FILING_REVIEW"].due_date == receipt + timedelta(days=45)
        assert milestones["DECISION"].due_date == receipt + timedelta(days=budget)
        assert submission.clocks.get(kind="authority_review").budget == budget
    assert (plain.options, panel.options) == ([], ["advisory_panel"])
    with pytest.raises(ValidationError, match="no option cecp_exempt"):
        pathway_apply(project=ProjectFactory(), actor=None, pathway="US_PMA", start_date=START, options=["cecp_exempt"])


@pytest.mark.parametrize(
    ("pathway", "device_class", "device", "options", "cecp"),
    [
        ("EU_MDR_III", "III", {"implantable": True}, [], True),
        ("EU_MDR_III", "III", {"implantable": True}, ["cecp_exempt"], False),  # Art. 54(2)
        ("EU_MDR_III", "III", {"implantable": False}, [], False),
        ("EU_MDR_IIA_IIB", "IIb", {"kind": "active", "administers_medicinal_product": True}, [], True),
        ("EU_MDR_IIA_IIB", "IIb", {"kind": "active", "administers_medicinal_product": False}, [], False),
        ("EU_MDR_IIA_IIB", "IIb", {"kind": "non_active", "administers_medicinal_product": True}, [], False),
        ("EU_MDR_IIA_IIB", "IIa", {"kind": "active", "administers_medicinal_product": True}, [], False),
    ],
)
def test_the_eu_clinical_evaluation_consultation_only_where_art_54_asks_for_it(
    project, pathway, device_class, device, options, cecp
):
    classified(project, "EU", device_class, **device)
    submission = pathway_apply(project=project, actor=None, pathway=pathway, start_date=START, options=options)
    codes = set(submission.milestones.values_list("code", flat=True))
    assert ("CECP" in codes) is cecp
    certificate = submission.milestones.get(code="CE_CERTIFICATE")
    predecessors = set(certificate.predecessor_links.values_list("predecessor__code", flat=True))
    assert predecessors == {"STAGE2_AUDIT", "TD_ASSESSMENT"} | ({"CECP"} if cecp else set())


@pytest.mark.parametrize(
    ("pathway", "market", "device_class", "message"),
    [
        ("CN_NMPA_II", "CN", "III", "is class III in market CN; pathway CN_NMPA_II is for class II"),
        ("US_PMA", "US", "II", "is class II in market US; pathway US_PMA is for class III"),
        ("CN_NMPA_II", "US", "II", "has no classification in market CN"),
    ],
)
def test_a_device_not_classified_for_the_pathway_is_refused_and_nothing_is_planned(
    project, pathway, market, device_class, message
):
    classified(project, market, device_class)
    with pytest.raises(ValidationError, match=message):
        pathway_apply(project=project, actor=None, pathway=pathway, start_date=START)
    assert not project.submissions.exists() and not project.milestones.exists()


def test_a_follower_moved_by_its_clock_is_not_a_date_set_by_hand_and_its_successors_shift(project):
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=START)
    planned = {m.code: m.due_date for m in submission.milestones.all()}
    walk(submission, ("preparing", START), ("submitted", START), ("accepted", date(2025, 9, 1)))
    review = submission.milestones.get(code="TECHNICAL_REVIEW")
    clock = submission.clocks.get(kind="authority_review")
    assert review.due_date == clock.due_on != planned["TECHNICAL_REVIEW"]
    assert not review.due_date_set_by_hand and review.baseline_due_date == planned["TECHNICAL_REVIEW"]
    decision = submission.milestones.get(code="ADMIN_DECISION")
    assert decision.planned_start == clock.due_on and decision.due_date > planned["ADMIN_DECISION"]


def test_an_nmpa_supplement_puts_the_review_at_the_latest_the_rules_allow(project):
    submission = nmpa_in_supplement(project)  # notice 2025-06-02: window to 2026-06-02, then 60 fresh working days
    review = submission.milestones.get(code="TECHNICAL_REVIEW")
    assert review.due_date == workdays_after(date(2026, 6, 2), 60) == date(2026, 8, 26)
    walk(submission, ("under_review", date(2025, 9, 1)))
    review.refresh_from_db()
    assert (
        review.due_date == submission.clocks.get(kind="authority_review").due_on == workdays_after(date(2025, 9, 1), 60)
    )


def test_a_clock_is_at_risk_from_the_day_a_fifth_of_its_budget_is_left(project):
    """SPEC §4: at risk when 20 % or less of the budget is left — 18 of a 510(k)'s 90 FDA days."""
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=START)
    walk(submission, ("preparing", START), ("submitted", date(2025, 3, 3)))
    clock = submission.clocks.get(kind="authority_review")
    assert (clock.warn_on, clock.due_on) == (date(2025, 3, 3) + timedelta(days=72), date(2025, 3, 3) + timedelta(90))
    assert not ReviewClock.objects.filter(pk=clock.pk, warn_on__lte=clock.warn_on - timedelta(days=1)).exists()


def test_every_additional_information_request_restarts_the_applicants_window(project):
    """FDA may ask again after an answer: each request opens a fresh 180-day window (a new round of the
    applicant clock), and the review clock resumes where it stopped each time."""
    submission = pathway_apply(project=project, actor=None, pathway="US_510K", start_date=START)
    steps = [("preparing", START), ("submitted", date(2025, 3, 3)), ("accepted", date(2025, 3, 17)),
             ("under_review", date(2025, 3, 17)), ("deficiency", date(2025, 4, 1)), ("under_review", date(2025, 5, 1)),
             ("deficiency", date(2025, 6, 2))]  # fmt: skip
    submission = walk(submission, *steps)
    window = submission.clocks.get(kind="applicant_response")
    assert (window.state, window.round, window.due_on) == ("running", 2, date(2025, 6, 2) + timedelta(days=180))
    assert list(window.events.values_list("action", flat=True)) == ["start", "stop", "restart"]
    review = submission.clocks.get(kind="authority_review")
    assert (review.state, review.consumed_before) == ("paused", 29 + 32)  # 3-03→4-01, then 5-01→6-02


def test_an_nmpa_window_ends_where_the_civil_code_says_and_a_response_on_its_last_day_is_in_time(project):
    submission = nmpa_in_supplement(project, notice=date(2025, 10, 3))
    window = submission.clocks.get(kind="applicant_response")
    # one year to 2026-10-03, inside the National Day holiday (10-01…07): the next working day
    assert (window.due_on, window.round_budget, window.provisional) == (date(2026, 10, 8), 365, False)
    assert clocks_expire_due(today=date(2026, 10, 8)) == 0  # the last day still counts
    assert clocks_expire_due(today=date(2026, 10, 9)) == 1
    submission.refresh_from_db()
    assert submission.status == "review_terminated"
    submission = walk(submission, ("under_review", date(2026, 10, 8)))  # recorded late, dated on the last day
    assert submission.status == "under_review"


def test_a_window_ends_on_the_corresponding_day_of_the_next_year(project):
    window = nmpa_in_supplement(project, notice=date(2025, 4, 1)).clocks.get(kind="applicant_response")
    assert (window.due_on, window.round_budget) == (date(2026, 4, 1), 365)  # leap years: tests/core/test_periods.py


def test_after_a_terminated_review_the_refusal_decision_is_recorded_as_rejected(project):
    submission = nmpa_in_supplement(project)
    window = submission.clocks.get(kind="applicant_response")
    clocks_expire_due(today=window.due_on + timedelta(days=1))
    submission.refresh_from_db()
    decided = window.due_on + timedelta(days=30)
    submission = walk(submission, ("rejected", decided))  # 不予注册, on the authority's own date
    assert (submission.status, submission.decided_on, submission.flag) == ("rejected", decided, "refusal_expected")
