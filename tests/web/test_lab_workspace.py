"""The lab workspace in pages (issue 18): items (assign, start, result with raw data, verify by another manager,
retract into a retest, run after), reports signed by three people (the approver's scope and password, refusals in
place), samples returned or disposed of, the board's filters and columns, "my test items"; constant queries at two
sizes for the board, the order page and my items."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from labtests import services as lab
from labtests.models import TestItem, TestOrder, TestReport, TestService
from tests.factories import PASSWORD, ProjectFactory, StaffUserFactory, pdf_upload, signatory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "pm": StaffUserFactory(roles=["project_manager"], username="pm_lw"),
        "lab": StaffUserFactory(roles=["lab"], username="eng_lw"),
        "mgr": StaffUserFactory(roles=["lab_manager"], username="mgr_lw"),
        "signer": signatory(StaffUserFactory(roles=["lab_manager"], username="sig_lw"), "electrical_safety", "emc"),
    }


def in_testing(people, codes=("ES-60601-1", "EMC-60601-1-2"), project=None):
    project = project or ProjectFactory(project_manager=people["pm"])
    order = lab.test_order_create(actor=people["pm"], client=project.client, project=project,
                                  services=TestService.objects.filter(code__in=codes))  # fmt: skip
    order = lab.test_order_accept(order=lab.test_order_submit(order=order, actor=None), actor=None)
    order = lab.test_order_receive(
        order=order, actor=None, samples=[{"identifier": "S1"}], received_on=date(2026, 11, 2)
    )
    return lab.test_order_start(order=order, actor=None)


def as_(client, user):
    client.force_login(User.objects.get(pk=user.pk))
    return client


def item_act(client, item, action, **data):
    item.refresh_from_db()
    return client.post(f"/lab/items/{item.pk}/act/", {"action": action, "version": item.version, **data})


def page(client, order):
    return client.get(f"/lab/orders/{order.pk}/").content.decode()


def test_a_manager_assigns_the_engineer_starts_and_enters_a_result_with_a_csv(client, people):
    order = in_testing(people, ("ES-60601-1",))
    item = order.items.get()
    assert 'value="assign"' not in page(as_(client, people["lab"]), order)
    assert item_act(client, item, "assign", engineer=people["lab"].pk).status_code == 403
    response = item_act(as_(client, people["mgr"]), item, "assign", engineer=people["lab"].pk)
    assert response.url == f"/lab/orders/{order.pk}/#row-item-{item.pk}"
    html = page(as_(client, people["lab"]), order)
    assert 'value="start"' in html and 'value="result"' in html
    item_act(client, item, "start")
    csv = SimpleUploadedFile("leakage.csv", b"point,uA\nA,12\nB,15\n", content_type="text/csv")
    item_act(client, item, "result", verdict="pass", result_summary="leakage within limits", files=csv)
    item.refresh_from_db()
    assert (item.status, item.verdict, item.result_by) == ("submitted", "pass", people["lab"])
    html = page(client, order)
    assert "leakage.csv" in html and "leakage within limits" in html


def test_verification_by_the_one_who_entered_it_is_refused_in_place_then_done_by_another(client, people):
    order = in_testing(people, ("ES-60601-1",))
    item = order.items.get()
    lab.test_item_assign(item=item, actor=None, engineer=people["mgr"])
    item_act(as_(client, people["mgr"]), item, "result", verdict="fail")
    assert 'value="verify"' not in page(client, order)  # not offered to the one who entered it …
    item_act(client, item, "verify")  # … and refused if posted anyway
    assert "another lab manager must verify it" in page(client, order)
    assert TestItem.objects.get(pk=item.pk).status == "submitted"
    item_act(as_(client, people["signer"]), item, "verify")
    assert TestItem.objects.get(pk=item.pk).status == "verified"
    item_act(client, item, "retract", reason="")
    assert "Say why the result is retracted." in page(client, order)
    item_act(client, item, "retract", reason="probe out of calibration")
    retest = TestItem.objects.get(retest_of=item)
    assert (retest.status, retest.engineer) == ("assigned", people["mgr"])


def _verified(people, order):
    for item in order.items.all():
        lab.test_item_assign(item=item, actor=None, engineer=people["lab"])
        lab.test_item_submit_result(item=item, actor=people["lab"], verdict="pass")
        lab.test_item_verify(item=item, actor=people["mgr"])
    return TestOrder.objects.get(pk=order.pk)


def test_a_report_is_prepared_reviewed_and_approved_on_the_page(client, people):
    order = _verified(people, in_testing(people))
    as_(client, people["lab"]).post(f"/lab/orders/{order.pk}/reports/", {"file": pdf_upload(), "number": "R-1"})
    draft = TestReport.objects.get(order=order)
    assert draft.prepared_by == people["lab"]
    html = page(as_(client, people["mgr"]), order)
    assert 'value="review"' in html
    client.post(f"/lab/reports/{draft.pk}/act/", {"action": "review"})
    signer = as_(client, people["signer"])
    html = page(signer, order)
    assert "By approving I sign this report" in html and 'type="password"' in html
    signer.post(f"/lab/reports/{draft.pk}/act/", {"action": "approve", "password": "wrong"})
    assert "The password is not correct." in page(signer, order)
    signer.post(f"/lab/reports/{draft.pk}/act/", {"action": "approve", "password": PASSWORD})
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == ("issued", people["signer"])
    html = page(signer, order)
    for name in ("eng_lw", "mgr_lw", "sig_lw"):
        assert name in html or User.objects.get(username=name).display_name in html


def test_guessing_the_signature_password_on_the_page_locks_out_approval_and_log_in(client, people, settings):
    order = _verified(people, in_testing(people))
    draft = lab.test_report_create(order=order, actor=people["lab"], upload=pdf_upload())
    lab.test_report_review(report=draft, actor=people["mgr"])
    signer = as_(client, people["signer"])
    for n in range(settings.AXES_FAILURE_LIMIT):
        signer.post(f"/lab/reports/{draft.pk}/act/", {"action": "approve", "password": f"guess{n}"})
    signer.post(f"/lab/reports/{draft.pk}/act/", {"action": "approve", "password": PASSWORD})
    assert "Too many failed log-in attempts" in page(signer, order)
    assert TestReport.objects.get(pk=draft.pk).status == "draft"
    client.logout()
    login = client.post("/accounts/login/", {"username": "sig_lw", "password": PASSWORD})
    assert login.status_code == 429


def test_refusals_of_the_sign_off_are_shown_with_their_reason(client, people):
    order = _verified(people, in_testing(people, ("ES-60601-1", "ENV-14710")))
    draft = lab.test_report_create(order=order, actor=people["lab"], upload=pdf_upload())
    as_(client, people["mgr"]).post(f"/lab/reports/{draft.pk}/act/", {"action": "review"})
    client.post(f"/lab/reports/{draft.pk}/act/", {"action": "approve", "password": PASSWORD})
    assert "three different people" in page(client, order)
    as_(client, people["signer"]).post(f"/lab/reports/{draft.pk}/act/", {"action": "approve", "password": PASSWORD})
    assert "You are not an authorised signatory for: Environmental test." in page(client, order)
    assert TestReport.objects.get(pk=draft.pk).status == "draft"
    assert (
        as_(client, StaffUserFactory(roles=["viewer"]))
        .post(f"/lab/reports/{draft.pk}/act/", {"action": "approve", "password": PASSWORD})
        .status_code
        == 403
    )


def test_samples_are_returned_with_a_courier_reference_or_disposed_of(client, people):
    order = _verified(people, in_testing(people, ("ES-60601-1",)))
    lab.test_report_create(order=order, actor=people["lab"], upload=pdf_upload())
    sample = order.samples.get()
    as_(client, people["lab"])
    client.post(f"/lab/samples/{sample.pk}/act/", {"action": "return", "courier_reference": "SF1"})
    assert "once the report is issued" in page(client, order)
    TestOrder.objects.filter(pk=order.pk).update(status="report_issued")
    sample.refresh_from_db()
    client.post(
        f"/lab/samples/{sample.pk}/act/", {"action": "return", "courier_reference": "", "version": sample.version}
    )
    assert "Give the courier" in page(client, order)
    client.post(f"/lab/samples/{sample.pk}/act/",
                {"action": "return", "courier_reference": "SF1234567890", "version": sample.version})  # fmt: skip
    sample.refresh_from_db()
    assert (sample.disposition, sample.courier_reference) == ("return", "SF1234567890")
    assert "SF1234567890" in page(client, order)


def test_intake_names_the_tests_each_sample_serves_and_the_retention(client, people):
    project = ProjectFactory()
    order = lab.test_order_create(actor=None, client=project.client, project=project,
                                  services=TestService.objects.filter(code__in=["ES-60601-1", "PKG-F88"]))  # fmt: skip
    order = lab.test_order_accept(order=lab.test_order_submit(order=order, actor=None), actor=None)
    items = {i.service.code: i.pk for i in order.items.select_related("service")}
    form = {"received_on": "2026-11-20", "retention_days": "45", "form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "1", "form-MAX_NUM_FORMS": "1000", "form-0-identifier": "S1",
            "form-1-identifier": "P1", "form-1-items": [items["PKG-F88"]]}  # fmt: skip
    response = as_(client, people["lab"]).post(f"/lab/orders/{order.pk}/intake/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert (order.retention_days, order.disposition_due) == (45, date(2027, 1, 4))
    assert list(TestItem.objects.get(pk=items["PKG-F88"]).samples.values_list("identifier", flat=True)) == ["P1"]
    refused = client.post(f"/lab/orders/{order.pk}/intake/", form)
    assert refused.status_code == 400


def test_the_board_shows_every_column_with_counts_filters_and_drop_targets(client, people, frozen_clock):
    late = in_testing(people, ("ES-60601-1",))
    TestOrder.objects.filter(pk=late.pk).update(due_date=date(2026, 11, 1))
    lab.test_item_assign(item=late.items.get(), actor=None, engineer=people["lab"])
    other = in_testing(people, ("EMC-60601-1-2",))
    TestOrder.objects.filter(pk=other.pk).update(due_date=date(2027, 1, 29))
    as_(client, people["mgr"])
    html = client.get("/lab/").content.decode()
    for column in ("submitted", "accepted", "samples_received", "in_testing", "to_be_verified", "verified",
                   "report_issued", "on_hold", "closed"):  # fmt: skip
        assert f'href="#col-{column}"' in html and f'data-status="{column}"' in html
    assert 'data-targets="on_hold"' in html
    overdue = client.get("/lab/?overdue=true").content.decode()
    assert late.number in overdue and other.number not in overdue
    emc = client.get("/lab/?lab_section=emc").content.decode()
    assert other.number in emc and late.number not in emc
    mine = client.get(f"/lab/?engineer={people['lab'].pk}").content.decode()
    assert late.number in mine and other.number not in mine
    assert client.get("/lab/?engineer=999999").status_code == 200


def test_my_items_is_a_working_list(client, people):
    order = in_testing(people, ("ES-60601-1", "EMC-60601-1-2"))
    first, second = order.items.order_by("id")
    lab.test_item_assign(item=first, actor=None, engineer=people["lab"])
    lab.test_item_assign(item=second, actor=None, engineer=people["mgr"])
    html = as_(client, people["lab"]).get("/lab/my-items/").content.decode()
    assert order.number in html and first.service.code in html and second.service.code not in html
    first.refresh_from_db()
    response = client.post(f"/lab/items/{first.pk}/act/",
                           {"action": "start", "version": first.version, "next": "my-items"})  # fmt: skip
    assert response.url == f"/lab/my-items/#row-item-{first.pk}"
    assert TestItem.objects.get(pk=first.pk).status == "in_progress"


def _count(client, user, url, django_assert_max_num_queries, limit):
    as_(client, user)
    client.get(url)  # warm the per-process caches (content types, calendars) so both sizes count the same work
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_board_order_page_and_my_items_queries_do_not_grow(client, people, django_assert_max_num_queries):
    project = ProjectFactory()
    order = in_testing(people, project=project)
    for item in order.items.all():
        lab.test_item_assign(item=item, actor=None, engineer=people["lab"])
    sizes = []
    for extra in (0, 12):
        for _ in range(extra):
            more = in_testing(people, project=project)
            for item in more.items.all():
                lab.test_item_assign(item=item, actor=None, engineer=people["lab"])
        big = in_testing(people, ("ES-60601-1", "EMC-60601-1-2", "ENV-14710", "ALARM-60601-1-8")[: 2 + extra // 6],
                         project=project)  # fmt: skip
        first, *later = big.items.order_by("id")
        for item in later:  # every later item runs after the first: the page lists what each runs after
            lab.test_item_set_dependencies(item=item, actor=None, depends_on=[first])
        sizes.append(
            (
                _count(client, people["mgr"], "/lab/", django_assert_max_num_queries, 12),
                _count(client, people["mgr"], f"/lab/orders/{big.pk}/", django_assert_max_num_queries, 20),
                _count(client, people["lab"], "/lab/my-items/", django_assert_max_num_queries, 12),
            )
        )
    assert sizes[0] == sizes[1], sizes
