"""Issue 18's lab rules in the services: CMA sign-off (three people, an authorised signatory's scope and validity,
the password again), item start and dependencies, due dates pushed by time on hold and following the longest
chain, samples per item (destructive tests get their own), retention and return / disposal."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.calendars import add_working_days
from core.exceptions import ConflictError
from labtests import services as lab
from labtests.models import TestOrder, TestService
from milestones.services import pathway_apply
from tests.factories import PASSWORD, ProjectFactory, StaffUserFactory, pdf_upload, signatory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "pm": StaffUserFactory(roles=["project_manager"], username="pm_ws"),
        "engineer": StaffUserFactory(roles=["lab"], username="eng_ws"),
        "manager": StaffUserFactory(roles=["lab_manager"], username="mgr_ws"),
        "signer": signatory(StaffUserFactory(roles=["lab_manager"], username="sig_ws"), "electrical_safety", "emc"),
    }


def new_order(people, codes=("ES-60601-1", "EMC-60601-1-2")):
    project = ProjectFactory()
    submission = pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    return lab.test_order_create(
        actor=people["pm"], client=project.client, project=project,
        services=TestService.objects.filter(code__in=codes), milestone=submission.milestones.get(code="TYPE_TESTING"),
    )  # fmt: skip


def received(people, codes=("ES-60601-1", "EMC-60601-1-2"), samples=None, **kwargs):
    order = new_order(people, codes)
    order = lab.test_order_accept(order=lab.test_order_submit(order=order, actor=people["pm"]), actor=people["manager"])
    samples = samples or [{"identifier": "S1"}, {"identifier": "S2"}]
    every = list(order.items.values_list("pk", flat=True))
    samples = [{**s, "items": every} if s.get("items") == "all" else s for s in samples]
    return lab.test_order_receive(order=order, actor=people["engineer"], samples=samples, **kwargs)


def verified(people, codes=("ES-60601-1", "EMC-60601-1-2")):
    order = lab.test_order_start(order=received(people, codes, received_on=date(2026, 9, 28)), actor=people["engineer"])
    for item in order.items.all():
        lab.test_item_assign(item=item, actor=people["manager"], engineer=people["engineer"])
        lab.test_item_start(item=item, actor=people["engineer"])
        lab.test_item_submit_result(item=item, actor=people["engineer"], verdict="pass")
        lab.test_item_verify(item=item, actor=people["manager"])
    return TestOrder.objects.get(pk=order.pk)


# --- sign-off ---------------------------------------------------------------------------------------------------
def test_a_report_is_prepared_reviewed_and_approved_by_three_people_with_times_in_its_history(people):
    order = verified(people)
    draft = lab.test_report_create(order=order, actor=people["engineer"], upload=pdf_upload())
    with pytest.raises(ConflictError, match="reviewed before"):
        lab.test_report_approve(report=draft, actor=people["signer"], password=PASSWORD)
    reviewed = lab.test_report_review(report=draft, actor=people["manager"])
    issued = lab.test_report_approve(report=reviewed, actor=people["signer"], password=PASSWORD)
    assert (issued.status, issued.prepared_by, issued.reviewed_by, issued.approved_by) == (
        "issued", people["engineer"], people["manager"], people["signer"])  # fmt: skip
    assert issued.prepared_at <= issued.reviewed_at <= issued.approved_at
    reasons = list(issued.history.order_by("history_id").values_list("history_change_reason", "history_user"))
    assert reasons == [("prepared v1", people["engineer"].pk), ("reviewed v1", people["manager"].pk),
                       ("approved and issued v1", people["signer"].pk)]  # fmt: skip


def test_the_reviewer_cannot_approve_their_own_review_nor_review_their_own_preparation(people):
    order = verified(people)
    both = signatory(StaffUserFactory(roles=["lab_manager"], username="both_ws"))
    draft = lab.test_report_create(order=order, actor=both, upload=pdf_upload())
    with pytest.raises(PermissionDenied, match="another lab manager"):
        lab.test_report_review(report=draft, actor=both)
    lab.test_report_review(report=draft, actor=people["signer"])
    with pytest.raises(PermissionDenied, match="three different people"):
        lab.test_report_approve(report=draft, actor=people["signer"], password=PASSWORD)
    with pytest.raises(PermissionDenied, match="three different people"):
        lab.test_report_approve(report=draft, actor=both, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_approver_without_the_scope_or_out_of_validity_or_a_wrong_password_is_refused(people):
    order = verified(people, codes=("ES-60601-1", "ENV-14710"))
    draft = lab.test_report_create(order=order, actor=people["engineer"], upload=pdf_upload())
    lab.test_report_review(report=draft, actor=people["manager"])
    with pytest.raises(PermissionDenied, match="not an authorised signatory for: Environmental test"):
        lab.test_report_approve(report=draft, actor=people["signer"], password=PASSWORD)
    expired = signatory(StaffUserFactory(roles=["lab_manager"]), valid_until=date(2026, 1, 31))
    with pytest.raises(PermissionDenied, match="not an authorised signatory"):
        lab.test_report_approve(report=draft, actor=expired, password=PASSWORD)
    by_service = signatory(StaffUserFactory(roles=["lab_manager"]), "electrical_safety",
                           services=[TestService.objects.get(code="ENV-14710")])  # fmt: skip
    with pytest.raises(ValidationError) as wrong:
        lab.test_report_approve(report=draft, actor=by_service, password="guess")
    assert "password" in wrong.value.message_dict
    assert lab.test_report_approve(report=draft, actor=by_service, password=PASSWORD).status == "issued"


def test_a_report_must_be_a_pdf_by_content(people):
    order = verified(people)
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = SimpleUploadedFile("report.pdf", b"a,b\n1,2\n3,4\n", content_type="application/pdf")
    with pytest.raises(ValidationError, match="not a PDF"):
        lab.test_report_create(order=order, actor=people["engineer"], upload=csv)
    assert not order.reports.exists()


# --- items --------------------------------------------------------------------------------------------------------
def test_an_engineer_starts_only_their_own_item_and_results_carry_raw_data(people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import Attachment

    order = lab.test_order_start(order=received(people, ("ES-60601-1",)), actor=people["engineer"])
    item = order.items.get()
    lab.test_item_assign(item=item, actor=people["manager"], engineer=people["manager"])
    with pytest.raises(PermissionDenied):
        lab.test_item_start(item=item, actor=people["engineer"])
    lab.test_item_assign(item=item, actor=people["manager"], engineer=people["engineer"])
    item = lab.test_item_start(item=item, actor=people["engineer"])
    assert item.status == "in_progress"
    data = SimpleUploadedFile("leakage.csv", b"point,uA\nA,12\nB,15\n", content_type="text/csv")
    lab.test_item_submit_result(item=item, actor=people["engineer"], verdict="pass", files=[data])
    stored = Attachment.objects.get(owner_id=item.pk, original_name="leakage.csv")
    assert (stored.content_type, stored.client_visible) == ("text/csv", False)


def test_dependencies_order_the_work_and_refuse_a_loop(people):
    order = new_order(people, ("PKG-AGING", "PKG-F88", "PKG-F2096"))
    items = {i.service.code: i for i in order.items.select_related("service")}
    # the catalogue's rule: ageing before seal strength and bubble leak
    assert set(items["PKG-F88"].depends_on.all()) == {items["PKG-AGING"]}
    assert set(items["PKG-F2096"].depends_on.all()) == {items["PKG-AGING"]}
    with pytest.raises(ValidationError, match="loop"):
        lab.test_item_set_dependencies(item=items["PKG-AGING"], actor=people["manager"], depends_on=[items["PKG-F88"]])
    assert not items["PKG-AGING"].depends_on.exists()


def test_an_item_cannot_start_before_the_items_it_runs_after_have_a_result(people):
    samples = [{"identifier": "AGED-1", "items": "all"}]  # the aged pack is then torn for seal strength
    order = received(people, ("PKG-AGING", "PKG-F88"), samples=samples)
    order = lab.test_order_start(order=order, actor=people["engineer"])
    items = {i.service.code: i for i in order.items.select_related("service")}
    for item in items.values():
        lab.test_item_assign(item=item, actor=people["manager"], engineer=people["engineer"])
    with pytest.raises(ConflictError, match="runs after"):
        lab.test_item_start(item=items["PKG-F88"], actor=people["engineer"])
    lab.test_item_submit_result(item=items["PKG-AGING"], actor=people["engineer"], verdict="pass")
    assert lab.test_item_start(item=items["PKG-F88"], actor=people["engineer"]).status == "in_progress"


# --- due dates ----------------------------------------------------------------------------------------------------
def test_time_on_hold_pushes_the_due_date_by_its_working_days(people, frozen_clock):
    """Due 2026-12-10, held from Monday 2026-11-30 to Monday 2026-12-07: 5 working days → due 2026-12-17."""
    order = received(people, ("ES-60601-1",), received_on=date(2026, 11, 2))
    TestOrder.objects.filter(pk=order.pk).update(due_date=date(2026, 12, 10))
    frozen_clock.move_to(datetime(2026, 11, 30, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai
    order = lab.test_order_hold(order=TestOrder.objects.get(pk=order.pk), actor=people["engineer"], reason="power")
    assert order.held_on == date(2026, 11, 30)
    frozen_clock.move_to(datetime(2026, 12, 7, 2, 0, tzinfo=UTC))
    order = lab.test_order_resume(order=order, actor=people["engineer"])
    assert (order.status, order.due_date, order.hold_days, order.held_on) == (
        "samples_received", date(2026, 12, 17), 5, None)  # fmt: skip
    reason = order.history.latest("history_id").history_change_reason
    assert "on hold 5 working days: due 2026-12-10 → 2026-12-17" in reason


def test_a_hold_resumed_the_same_day_changes_nothing(people):
    order = received(people, ("ES-60601-1",), received_on=date(2026, 11, 2))
    due = order.due_date
    order = lab.test_order_resume(order=lab.test_order_hold(order=order, actor=people["engineer"]), actor=people["pm"])
    assert (order.due_date, order.hold_days) == (due, 0)


def test_the_due_date_is_the_end_of_the_longest_chain_not_of_the_longest_item(people):
    """Ageing (92 calendar days) → seal strength (5 working days): due = ageing's end + 5 working days."""
    samples = [{"identifier": "AGED-1", "items": "all"}]  # the aged pack is then torn for seal strength
    order = received(people, ("PKG-AGING", "PKG-F88"), samples=samples, received_on=date(2026, 9, 28))
    ageing_ends = date(2026, 9, 28) + timedelta(days=92)
    assert order.due_date == add_working_days(ageing_ends, 5, "cn_workdays").date
    assert order.due_date > ageing_ends  # the longest single item alone would end here


def test_a_destructive_test_gets_samples_of_its_own(people):
    order = new_order(people, ("ES-60601-1", "PKG-F88"))
    order = lab.test_order_accept(order=lab.test_order_submit(order=order, actor=people["pm"]), actor=people["manager"])
    items = {i.service.code: i.pk for i in order.items.select_related("service")}
    shared = [{"identifier": "S1", "items": [items["ES-60601-1"], items["PKG-F88"]]}]
    with pytest.raises(ValidationError, match="samples of its own"):
        lab.test_order_receive(order=order, actor=people["engineer"], samples=shared)
    with pytest.raises(ValidationError, match="Name the samples"):
        lab.test_order_receive(order=order, actor=people["engineer"], samples=[{"identifier": "S1"}])
    own = [{"identifier": "S1"}, {"identifier": "P1", "items": [items["PKG-F88"]]}]
    order = lab.test_order_receive(order=order, actor=people["engineer"], samples=own)
    uses = {i.service.code: sorted(i.samples.values_list("identifier", flat=True)) for i in order.items.all()}
    assert uses == {"ES-60601-1": ["S1"], "PKG-F88": ["P1"]}


# --- samples afterwards -------------------------------------------------------------------------------------------
def test_retention_gives_the_disposition_date_and_return_and_disposal_end_it(people):
    order = received(people, ("ES-60601-1",), received_on=date(2026, 11, 2), retention_days=60)
    assert (order.retention_days, order.disposition_due) == (60, date(2027, 1, 1))
    first, second = order.samples.order_by("identifier")
    assert first.retention_until == date(2027, 1, 1)
    with pytest.raises(ConflictError, match="once the report is issued"):
        lab.sample_dispose(sample=first, actor=people["engineer"])
    TestOrder.objects.filter(pk=order.pk).update(status="report_issued")
    with pytest.raises(ValidationError, match="courier"):
        lab.sample_return(sample=first, actor=people["engineer"], courier_reference=" ")
    returned = lab.sample_return(sample=first, actor=people["engineer"], courier_reference="SF1234567890")
    assert (returned.disposition, returned.courier_reference, returned.disposed_by) == (
        "return", "SF1234567890", people["engineer"])  # fmt: skip
    assert TestOrder.objects.get(pk=order.pk).disposition_due == date(2027, 1, 1)  # one sample still kept
    lab.sample_dispose(sample=second, actor=people["manager"])
    assert TestOrder.objects.get(pk=order.pk).disposition_due is None
    with pytest.raises(ConflictError, match="already"):
        lab.sample_dispose(sample=first, actor=people["manager"])


def test_retention_defaults_to_the_longest_of_the_ordered_services(people):
    TestService.objects.filter(code="EMC-60601-1-2").update(retention_days=90)
    order = received(people, received_on=date(2026, 11, 2))
    assert (order.retention_days, order.disposition_due) == (90, date(2027, 1, 31))


def test_disposition_dates_are_a_reminder_kind(people):
    from notifications.reminders import REMINDER_KINDS

    order = received(people, ("ES-60601-1",), received_on=date(2026, 11, 2), retention_days=30)
    due = REMINDER_KINDS["sample_disposition_due"].due_items(date(2026, 12, 1), date(2026, 12, 3))
    assert [(d.target_id, d.due_date) for d in due] == [(order.pk, date(2026, 12, 2))]


def test_the_sign_off_and_assignments_tell_the_next_person(people):
    from notifications.models import Notification

    order = verified(people)
    told = set(Notification.objects.filter(event="test_item.assigned").values_list("user__username", flat=True))
    assert told == {"eng_ws"}
    draft = lab.test_report_create(order=order, actor=people["engineer"], upload=pdf_upload())
    reviewers = set(Notification.objects.filter(event="test_report.prepared").values_list("user__username", flat=True))
    assert {"mgr_ws", "sig_ws"} <= reviewers and "eng_ws" not in reviewers
    lab.test_report_review(report=draft, actor=people["manager"])
    signers = set(Notification.objects.filter(event="test_report.reviewed").values_list("user__username", flat=True))
    assert signers == {"sig_ws"}
    message = Notification.objects.filter(event="test_report.reviewed").first()
    assert "authorised signatory" in message.text
