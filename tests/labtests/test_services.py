"""The lab order flow: due date from receipt, four-eyes verification, retest on retraction, amended reports,
and what an issued report does to the milestone it feeds."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.exceptions import ConflictError, TransitionNotAllowed
from labtests import services as lab
from labtests.models import TestService
from milestones.services import pathway_apply
from tests.factories import (
    PASSWORD,
    ProjectFactory,
    StaffUserFactory,
    amend_report,
    issue_report,
    pdf_upload,
    signatory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "pm": StaffUserFactory(roles=["project_manager"], username="pm_lab"),
        "engineer": StaffUserFactory(roles=["lab"], username="eng1"),
        "manager": StaffUserFactory(roles=["lab_manager"], username="mgr1"),
        "manager2": StaffUserFactory(roles=["lab_manager"], username="mgr2"),
        "signer": signatory(StaffUserFactory(roles=["lab_manager"], username="signer1")),
    }


def sign(people):
    return {"preparer": people["engineer"], "reviewer": people["manager"], "approver": people["signer"]}


@pytest.fixture
def order(people):
    project = ProjectFactory()
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    services = TestService.objects.filter(code__in=["ES-60601-1", "EMC-60601-1-2"])
    return lab.test_order_create(
        actor=people["pm"],
        client=project.client,
        project=project,
        services=services,
        milestone=submission.milestones.get(code="TYPE_TESTING"),
    )


def run_to_testing(order, people, received_on=date(2026, 9, 28)):
    order = lab.test_order_submit(order=order, actor=people["pm"])
    order = lab.test_order_accept(order=order, actor=people["manager"])
    order = lab.test_order_receive(
        order=order, actor=people["engineer"], received_on=received_on,
        samples=[{"identifier": "S1", "model": "KN-T100", "condition_on_receipt": "intact", "storage_location": "R1"},
                 {"identifier": "S2", "model": "KN-T100", "serial": "002"}],
    )  # fmt: skip
    return lab.test_order_start(order=order, actor=people["engineer"])


def test_due_date_is_the_latest_turnaround_from_receipt(order, people):
    ten_day = TestService.objects.get(code="ENV-14710")
    order.items.all().delete()
    order.items.create(service=ten_day)
    order = run_to_testing(order, people)
    assert order.due_date == date(2026, 10, 16)  # National Day week off, Saturday 10 October worked
    assert order.samples.count() == 2
    assert list(order.items.get().samples.values_list("identifier", flat=True)) == ["S1", "S2"]


def test_full_flow_to_closed_and_the_milestone_completes(order, people):
    order = run_to_testing(order, people)
    items = list(order.items.all())
    for item in items:
        lab.test_item_assign(item=item, actor=people["manager"], engineer=people["engineer"])
        lab.test_item_submit_result(item=item, actor=people["engineer"], verdict="pass", result_summary="ok")
    order.refresh_from_db()
    assert order.status == "to_be_verified"
    for item in items:
        lab.test_item_verify(item=item, actor=people["manager"])
    order.refresh_from_db()
    assert order.status == "verified"
    report = issue_report(order, **sign(people))
    assert (report.status, report.version, report.attachment.client_visible) == ("issued", 1, True)
    order.refresh_from_db()
    assert order.status == "report_issued"
    assert order.milestone.status == "done"
    order = lab.test_order_close(order=order, actor=people["manager"])
    assert order.status == "closed"


def test_a_failed_item_blocks_the_milestone_and_a_retraction_creates_a_retest(order, people):
    order = run_to_testing(order, people)
    safety, emc = order.items.order_by("service__code")
    for item, verdict in ((emc, "fail"), (safety, "pass")):
        lab.test_item_assign(item=item, actor=people["manager"], engineer=people["engineer"])
        lab.test_item_submit_result(item=item, actor=people["engineer"], verdict=verdict)
        lab.test_item_verify(item=item, actor=people["manager"])
    issue_report(order, **sign(people))
    order.refresh_from_db()
    assert order.milestone.status == "blocked"

    retest = lab.test_item_retract(item=emc, actor=people["manager"], reason="radiated emissions re-run")
    assert retest.retest_of == emc
    assert retest.status == "assigned"
    emc.refresh_from_db()
    order.refresh_from_db()
    assert (emc.status, order.status) == ("retracted", "in_testing")
    with pytest.raises(ConflictError):  # approving before the retest is verified
        amend_report(order.reports.get(), **sign(people))

    lab.test_item_submit_result(item=retest, actor=people["engineer"], verdict="pass", result_summary="re-run ok")
    lab.test_item_verify(item=retest, actor=people["manager"])
    draft = order.reports.get(status="draft")  # the refused approval left the reviewed draft in place
    v2 = lab.test_report_approve(report=draft, actor=people["signer"], password=PASSWORD)
    order.refresh_from_db()
    assert (v2.version, order.status, order.milestone.status) == (2, "report_issued", "done")


def test_verifying_ones_own_result_is_refused(order, people):
    order = run_to_testing(order, people)
    item = order.items.first()
    lab.test_item_assign(item=item, actor=people["manager"], engineer=people["manager"])
    lab.test_item_submit_result(item=item, actor=people["manager"], verdict="pass")
    with pytest.raises(PermissionDenied):
        lab.test_item_verify(item=item, actor=people["manager"])
    lab.test_item_verify(item=item, actor=people["manager2"])


def test_amended_report_supersedes_and_both_stay(order, people):
    order = run_to_testing(order, people)
    for item in order.items.all():
        lab.test_item_assign(item=item, actor=people["manager"], engineer=people["engineer"])
        lab.test_item_submit_result(item=item, actor=people["engineer"], verdict="pass")
        lab.test_item_verify(item=item, actor=people["manager"])
    v1 = issue_report(order, **sign(people))
    v2 = amend_report(v1, **sign(people), reason="a typo")
    v1.refresh_from_db()
    assert (v1.status, v2.status, v2.version, v2.supersedes_id) == ("superseded", "issued", 2, v1.pk)
    assert order.reports.count() == 2


def test_illegal_steps_name_the_allowed_ones(order, people):
    with pytest.raises(TransitionNotAllowed) as caught:
        lab.test_order_start(order=order, actor=people["engineer"])
    assert caught.value.allowed == ["cancelled", "submitted"]
    with pytest.raises(ValidationError):
        lab.test_order_reject(order=order, actor=people["manager"], reason=" ")


def test_hold_resumes_to_where_it_was_and_cancel_is_before_testing_only(order, people):
    order = run_to_testing(order, people)
    order = lab.test_order_hold(order=order, actor=people["engineer"], reason="power outage")
    with pytest.raises(TransitionNotAllowed):
        lab.test_order_cancel(order=order, actor=people["pm"])
    order = lab.test_order_resume(order=order, actor=people["engineer"])
    assert order.status == "in_testing"


def test_results_only_while_in_testing(order, people):
    with pytest.raises(ConflictError):
        lab.test_item_submit_result(item=order.items.first(), actor=people["engineer"], verdict="pass")


def test_accelerated_ageing_rounds_up_to_whole_days():
    """ASTM F1980, 2 years at 55 °C against 25 °C with Q10 = 2: 730 / 8 = 91.25 days → 92 (the dates issue)."""
    from labtests.catalogue_data import accelerated_ageing_days
    from labtests.models import TestService

    assert accelerated_ageing_days(2) == 92
    assert accelerated_ageing_days(1) == 46  # 365 / 8 = 45.6
    assert accelerated_ageing_days(1, ageing_temperature=45) == 92  # factor 4: 91.25
    assert TestService.objects.get(code="PKG-AGING").turnaround_days == 92


def test_the_report_lifecycle_is_draft_issued_superseded_and_nothing_else(order, people):
    """SPEC §4: an amendment is a new version that supersedes the issued one; clients see issued reports only.
    Draft → issued (issue), issued → superseded (amend); amending a draft or a superseded report is refused."""
    order = run_to_testing(order, people)
    for item in order.items.all():
        lab.test_item_assign(item=item, actor=people["manager"], engineer=people["engineer"])
        lab.test_item_submit_result(item=item, actor=people["engineer"], verdict="pass")
        lab.test_item_verify(item=item, actor=people["manager"])
    draft = lab.test_report_create(order=order, actor=people["manager"], upload=pdf_upload())
    assert draft.status == "draft"
    with pytest.raises(ConflictError):  # one draft at a time
        lab.test_report_create(order=order, actor=people["manager"], upload=pdf_upload("second.pdf"))
    with pytest.raises(TransitionNotAllowed):
        lab.test_report_amend(report=draft, actor=people["manager"], upload=pdf_upload("v2.pdf"), reason="x")
    lab.test_report_review(report=draft, actor=people["manager2"])
    issued = lab.test_report_issue(order=order, actor=people["signer"], password=PASSWORD)
    assert (issued.pk, issued.status) == (draft.pk, "issued")
    amended = amend_report(issued, **sign(people), reason="typo")
    issued.refresh_from_db()
    assert (issued.status, amended.status) == ("superseded", "issued")
    with pytest.raises(TransitionNotAllowed):
        lab.test_report_amend(report=issued, actor=people["manager"], upload=pdf_upload("v3.pdf"), reason="again")
    assert sorted(order.reports.values_list("version", "status")) == [(1, "superseded"), (2, "issued")]


def test_a_hold_begun_in_testing_cannot_end_in_a_cancellation(order, people):
    """Cancelled is before testing only — also through a hold that began once testing had started."""
    order = run_to_testing(order, people)
    order = lab.test_order_hold(order=order, actor=people["engineer"], reason="power outage")
    with pytest.raises(TransitionNotAllowed) as refused:
        lab.test_order_cancel(order=order, actor=people["pm"], reason="client gave up")
    assert refused.value.allowed == ["in_testing"]
    order.refresh_from_db()
    assert order.status == "on_hold"
