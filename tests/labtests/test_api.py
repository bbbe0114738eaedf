"""The lab through the REST API: the whole order flow, files (size and content checks, scoped downloads),
client visibility (issued reports only, no prices, notes or unverified verdicts), constant queries."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.models import Attachment
from labtests.models import TestService
from milestones.services import pathway_apply
from tests.factories import PASSWORD, ProjectFactory, StaffUserFactory, pdf_upload, signatory
from tests.utils import all_keys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff():
    return {
        "pm": StaffUserFactory(roles=["project_manager"], username="pm_l"),
        "lab": StaffUserFactory(roles=["lab"], username="eng_l"),
        "mgr": StaffUserFactory(roles=["lab_manager"], username="mgr_l"),
        "mgr2": StaffUserFactory(roles=["lab_manager"], username="mgr_l2"),
        "signer": signatory(StaffUserFactory(roles=["lab_manager"], username="signer_l")),
    }


def api_issue(api, staff, order_id, *, amend_of=None, reason="typo in model number"):
    """Prepare (engineer), review (lab manager) and approve (signatory, password again) through the API."""
    if amend_of:
        draft = post(api, staff["lab"], f"/api/v1/test-reports/{amend_of}/amend/",
                     {"file": pdf_upload("v2.pdf"), "reason": reason}, fmt="multipart")  # fmt: skip
    else:
        draft = post(api, staff["lab"], "/api/v1/test-reports/", {"order": order_id, "file": pdf_upload()},
                     fmt="multipart")  # fmt: skip
    assert draft.status_code == 201, draft.json()
    report_url = f"/api/v1/test-reports/{draft.json()['id']}/"
    assert post(api, staff["mgr"], report_url + "review/").status_code == 200
    return post(api, staff["signer"], report_url + "approve/", {"password": PASSWORD})


@pytest.fixture
def project(client_a):
    project = ProjectFactory(client=client_a)
    pathway_apply(project=project, actor=None, pathway="CN_NMPA_II", start_date=date(2026, 1, 5))
    return project


def post(api, user, url, data=None, fmt="json", **extra):
    return api.as_user(user).post(url, data or {}, format=fmt, **extra)


def create_order(api, staff, project, codes=("ES-60601-1", "EMC-60601-1-2")):
    services = list(TestService.objects.filter(code__in=codes).values_list("pk", flat=True))
    milestone = project.milestones.get(code="TYPE_TESTING")
    payload = {"client": project.client_id, "project": project.pk, "milestone": milestone.pk, "services": services,
               "purpose": "NMPA type testing", "internal_notes": "rush, key account"}  # fmt: skip
    response = post(api, staff["pm"], "/api/v1/test-orders/", payload)
    assert response.status_code == 201, response.json()
    return response.json()


def run_flow(api, staff, project, verdicts=("pass", "pass")):
    order = create_order(api, staff, project)
    url = f"/api/v1/test-orders/{order['id']}/"
    assert post(api, staff["pm"], url + "submit/").status_code == 200
    assert post(api, staff["mgr"], url + "accept/").status_code == 200
    samples = [{"identifier": "S1", "model": "KN-T100", "condition_on_receipt": "intact", "storage_location": "R1"},
               {"identifier": "S2", "model": "KN-T100", "serial": "002"}]  # fmt: skip
    received = post(api, staff["lab"], url + "receive/", {"received_on": "2026-09-28", "samples": samples})
    assert received.status_code == 200, received.json()
    assert post(api, staff["lab"], url + "start/").status_code == 200
    items = api.as_user(staff["mgr"]).get(f"/api/v1/test-items/?order={order['id']}").json()["results"]
    for item, verdict in zip(items, verdicts, strict=True):
        item_url = f"/api/v1/test-items/{item['id']}/"
        assert post(api, staff["mgr"], item_url + "assign/", {"engineer": staff["lab"].pk}).status_code == 200
        result = post(api, staff["lab"], item_url + "submit-result/", {"verdict": verdict, "result_summary": "x"})
        assert result.status_code == 200, result.json()
        assert post(api, staff["mgr"], item_url + "verify/").status_code == 200
    return order, url, items


def test_whole_flow_from_draft_to_closed(api, staff, project):
    _order, url, _items = run_flow(api, staff, project)
    body = api.as_user(staff["mgr"]).get(url).json()
    # 20 working days (electrical safety) after 2026-09-28: National Day 1–7 October off, Saturday 10 worked.
    assert (body["status"], body["received_on"], body["due_date"]) == ("verified", "2026-09-28", "2026-10-30")
    issued = api_issue(api, staff, _order["id"])
    assert issued.status_code == 200, issued.json()
    signed = issued.json()
    assert (signed["status"], signed["prepared_by"]["username"], signed["reviewed_by"]["username"],
            signed["approved_by"]["username"]) == ("issued", "eng_l", "mgr_l", "signer_l")  # fmt: skip
    assert signed["prepared_at"] and signed["reviewed_at"] and signed["approved_at"]
    assert project.milestones.get(code="TYPE_TESTING").status == "done"
    closed = post(api, staff["mgr"], url + "close/")
    assert closed.json()["status"] == "closed"
    history = api.get(url + "history/").json()["results"]
    status_changes = [c["new"] for entry in history for c in entry["changes"] if c["field"] == "status"]
    assert status_changes[0] == "closed"
    assert status_changes[-1] == "submitted"


def test_illegal_steps_are_409_naming_the_allowed_ones(api, staff, project):
    order = create_order(api, staff, project)
    response = post(api, staff["lab"], f"/api/v1/test-orders/{order['id']}/start/")
    assert response.status_code == 409
    assert response.json()["allowed"] == ["cancelled", "submitted"]
    assert post(api, staff["lab"], f"/api/v1/test-orders/{order['id']}/accept/").status_code == 403  # role


def test_own_result_cannot_be_verified_and_retract_creates_a_retest(api, staff, project):
    order = create_order(api, staff, project, codes=("ES-60601-1",))
    url = f"/api/v1/test-orders/{order['id']}/"
    post(api, staff["pm"], url + "submit/")
    post(api, staff["mgr"], url + "accept/")
    post(api, staff["lab"], url + "receive/", {"samples": [{"identifier": "S1"}]})
    post(api, staff["lab"], url + "start/")
    item = api.as_user(staff["mgr"]).get(f"/api/v1/test-items/?order={order['id']}").json()["results"][0]
    item_url = f"/api/v1/test-items/{item['id']}/"
    post(api, staff["mgr"], item_url + "assign/", {"engineer": staff["mgr"].pk})
    other_engineer = post(api, staff["lab"], item_url + "submit-result/", {"verdict": "pass"})
    assert other_engineer.status_code == 403  # lab engineers enter results on their own items
    post(api, staff["mgr"], item_url + "submit-result/", {"verdict": "fail"})
    own = post(api, staff["mgr"], item_url + "verify/")
    assert own.status_code == 403
    assert "another lab manager" in own.json()["detail"]
    assert post(api, staff["mgr2"], item_url + "verify/").status_code == 200
    retest = post(api, staff["mgr2"], item_url + "retract/", {"reason": "radiated emissions re-run"})
    assert retest.status_code == 201
    assert retest.json()["retest_of"] == item["id"]
    assert api.get(url).json()["status"] == "in_testing"


def test_amended_report_supersedes_v1_and_both_stay_readable_by_staff(api, staff, project):
    order, _url, _items = run_flow(api, staff, project)
    v1 = api_issue(api, staff, order["id"]).json()
    v2 = api_issue(api, staff, order["id"], amend_of=v1["id"])
    assert v2.status_code == 200, v2.json()
    assert (v2.json()["version"], v2.json()["supersedes"]) == (2, v1["id"])
    reports = api.as_user(staff["pm"]).get("/api/v1/test-reports/").json()["results"]
    assert sorted((r["version"], r["status"]) for r in reports) == [(1, "superseded"), (2, "issued")]
    assert api.get(v1["file"]["download"]).status_code == 200


def test_client_sees_issued_reports_only_and_no_internal_data(api, staff, project, user_a, user_b):
    order, url, _items = run_flow(api, staff, project, verdicts=("fail", "pass"))
    draft = post(api, staff["lab"], "/api/v1/test-reports/", {"order": order["id"], "file": pdf_upload()},
                 fmt="multipart").json()  # fmt: skip
    api.as_user(user_a)
    assert api.get(f"/api/v1/test-reports/{draft['id']}/").status_code == 404
    assert api.get(draft["file"]["download"]).status_code == 404
    assert post(api, staff["mgr"], f"/api/v1/test-reports/{draft['id']}/review/").status_code == 200
    wrong = post(api, staff["signer"], url + "issue-report/", {"password": "not-it"})
    assert (wrong.status_code, list(wrong.json())) == (400, ["password"])
    issued = post(api, staff["signer"], url + "issue-report/", {"password": PASSWORD}).json()
    api.as_user(user_a)
    download = api.get(issued["file"]["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert api.as_user(user_b).get(issued["file"]["download"]).status_code == 404
    assert api.get(f"/api/v1/test-reports/{issued['id']}/").status_code == 404
    assert api.as_user(user_a).get("/api/v1/attachments/999999/download/").status_code == 404

    bodies = [api.get(u).json() for u in ("/api/v1/test-orders/", url, "/api/v1/test-items/", "/api/v1/samples/",
                                           "/api/v1/test-services/", "/api/v1/test-reports/")]  # fmt: skip
    for body in bodies:
        keys = all_keys(body)
        assert not keys & {"price", "internal_notes", "engineer", "storage_location", "result_by"}, keys
        assert "key account" not in str(body)


def test_client_sees_verdicts_only_once_verified(api, staff, project, user_a):
    order = create_order(api, staff, project, codes=("ES-60601-1",))
    url = f"/api/v1/test-orders/{order['id']}/"
    post(api, staff["pm"], url + "submit/")
    post(api, staff["mgr"], url + "accept/")
    post(api, staff["lab"], url + "receive/", {"samples": [{"identifier": "S1"}]})
    post(api, staff["lab"], url + "start/")
    item = api.as_user(staff["mgr"]).get("/api/v1/test-items/").json()["results"][0]
    post(api, staff["mgr"], f"/api/v1/test-items/{item['id']}/assign/", {"engineer": staff["lab"].pk})
    post(api, staff["lab"], f"/api/v1/test-items/{item['id']}/submit-result/", {"verdict": "fail"})
    seen = api.as_user(user_a).get(f"/api/v1/test-items/{item['id']}/").json()
    assert (seen["status"], seen["verdict"]) == ("submitted", None)
    assert api.get("/api/v1/test-items/?verdict=fail").json()["count"] == 0
    post(api, staff["mgr"], f"/api/v1/test-items/{item['id']}/verify/")
    assert api.as_user(user_a).get(f"/api/v1/test-items/{item['id']}/").json()["verdict"] == "fail"


def test_oversized_and_disguised_uploads_are_400_and_store_nothing(api, staff, project, settings):
    order = create_order(api, staff, project)
    settings.ATTACHMENT_MAX_BYTES = 1024
    too_big = post(api, staff["pm"], "/api/v1/attachments/",
                   {"file": pdf_upload(size=4096), "owner_type": "test_order", "owner_id": order["id"]},
                   fmt="multipart")  # fmt: skip
    assert too_big.status_code == 400
    assert "file" in too_big.json()
    elf = SimpleUploadedFile("report.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 200, content_type="application/pdf")
    disguised = post(api, staff["pm"], "/api/v1/attachments/",
                     {"file": elf, "owner_type": "test_order", "owner_id": order["id"]}, fmt="multipart")  # fmt: skip
    assert disguised.status_code == 400
    assert Attachment.objects.count() == 0
    ok = post(
        api,
        staff["pm"],
        "/api/v1/attachments/",
        {"file": pdf_upload(size=512), "owner_type": "test_order", "owner_id": order["id"]},
        fmt="multipart",
    )
    assert ok.status_code == 201
    assert ok.json()["content_type"] == "application/pdf"


def test_list_queries_constant_with_50_orders(api, staff, project):
    from labtests import services as lab

    services = list(TestService.objects.filter(destructive=False)[:2])
    for i in range(50):
        order = lab.test_order_create(actor=staff["pm"], client=project.client, project=project, services=services)
        order = lab.test_order_submit(order=order, actor=staff["pm"])
        order = lab.test_order_accept(order=order, actor=staff["mgr"])
        order = lab.test_order_receive(order=order, actor=staff["lab"], samples=[{"identifier": f"S{i}"}])
        lab.test_report_create(order=order, actor=staff["mgr"], upload=pdf_upload())
    for resource in ("test-orders", "test-items", "samples", "test-reports", "test-services", "attachments"):
        counts = []
        for size in (5, 50):
            api.as_user(User.objects.get(pk=staff["mgr"].pk))
            with CaptureQueriesContext(connection) as ctx:
                body = api.get(f"/api/v1/{resource}/?page_size={size}").json()
            assert len(body["results"]) == min(size, body["count"])
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], (resource, counts)


@pytest.mark.parametrize(
    ("name", "head", "served_as"),
    [
        ("poly.html", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "poly.pdf"),
        ("test-report.pdf.bat", b"%PDF-1.7\n@echo off\r\nformat c:", "test-report.pdf"),
        ("photo.svg", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "photo.png"),
        ("..\\..\\evil.exe", b"%PDF-1.4\n", "evil.pdf"),
    ],
)
def test_an_upload_is_stored_and_served_under_the_extension_of_its_content(api, staff, project, name, head, served_as):
    order = create_order(api, staff, project)
    upload = SimpleUploadedFile(name, head + b"\0" * 256, content_type="text/html")
    created = post(api, staff["pm"], "/api/v1/attachments/",
                   {"file": upload, "owner_type": "test_order", "owner_id": order["id"]}, fmt="multipart")  # fmt: skip
    assert created.status_code == 201, created.json()
    assert created.json()["original_name"] == served_as
    attachment = Attachment.objects.get(pk=created.json()["id"])
    assert attachment.file.name.endswith("." + served_as.rsplit(".", 1)[1])
    download = api.as_user(staff["pm"]).get(created.json()["download"])
    assert download["Content-Disposition"] == f'attachment; filename="{served_as}"'
    assert download["Content-Type"] == attachment.content_type


def test_an_attachment_stored_before_the_rule_is_served_under_its_contents_extension(api, staff, project):
    order = create_order(api, staff, project)
    body = {"file": pdf_upload(), "owner_type": "test_order", "owner_id": order["id"]}
    created = post(api, staff["pm"], "/api/v1/attachments/", body, fmt="multipart")
    Attachment.objects.filter(pk=created.json()["id"]).update(original_name="report.pdf.bat")
    download = api.as_user(staff["pm"]).get(created.json()["download"])
    assert download["Content-Disposition"] == 'attachment; filename="report.pdf"'


def test_items_start_and_samples_go_back_through_the_api(api, staff, project):
    order = create_order(api, staff, project, codes=("ES-60601-1",))
    url = f"/api/v1/test-orders/{order['id']}/"
    post(api, staff["pm"], url + "submit/")
    post(api, staff["mgr"], url + "accept/")
    received = post(api, staff["lab"], url + "receive/", {"retention_days": 10, "samples": [{"identifier": "S1"}]})
    assert (received.json()["retention_days"], received.status_code) == (10, 200)
    post(api, staff["lab"], url + "start/")
    item = api.as_user(staff["mgr"]).get(f"/api/v1/test-items/?order={order['id']}").json()["results"][0]
    item_url = f"/api/v1/test-items/{item['id']}/"
    post(api, staff["mgr"], item_url + "assign/", {"engineer": staff["lab"].pk})
    started = post(api, staff["lab"], item_url + "start/")
    assert (started.status_code, started.json()["status"]) == (200, "in_progress")
    data = {"verdict": "pass", "files": [SimpleUploadedFile("d.csv", b"a,b\n1,2\n3,4\n")]}
    result = post(api, staff["lab"], item_url + "submit-result/", data, fmt="multipart")
    assert result.status_code == 200, result.json()
    post(api, staff["mgr"], item_url + "verify/")
    assert api_issue(api, staff, order["id"]).status_code == 200
    sample = api.get(f"/api/v1/samples/?order={order['id']}").json()["results"][0]
    refused = post(api, staff["lab"], f"/api/v1/samples/{sample['id']}/return/", {"courier_reference": ""})
    assert refused.status_code == 400
    returned = post(api, staff["lab"], f"/api/v1/samples/{sample['id']}/return/", {"courier_reference": "SF42"})
    assert (returned.json()["disposition"], returned.json()["courier_reference"]) == ("return", "SF42")
    again = post(api, staff["lab"], f"/api/v1/samples/{sample['id']}/dispose/")
    assert again.status_code == 409
    assert api.get(url).json()["disposition_due"] is None


def test_wrong_signature_passwords_lock_the_signatory_out_of_approval_and_log_in(
    api, staff, project, settings, frozen_clock
):
    from datetime import timedelta

    from core import clock

    order, _url, _items = run_flow(api, staff, project)
    draft = post(api, staff["lab"], "/api/v1/test-reports/", {"order": order["id"], "file": pdf_upload()},
                 fmt="multipart").json()  # fmt: skip
    report_url = f"/api/v1/test-reports/{draft['id']}/"
    assert post(api, staff["mgr"], report_url + "review/").status_code == 200
    guesses = [post(api, staff["signer"], report_url + "approve/", {"password": f"guess{n}"})
               for n in range(settings.AXES_FAILURE_LIMIT)]  # fmt: skip
    assert [g.status_code for g in guesses] == [400] * settings.AXES_FAILURE_LIMIT
    assert guesses[0].json()["password"] == ["The password is not correct."]
    right = post(api, staff["signer"], report_url + "approve/", {"password": PASSWORD})
    assert right.status_code == 400 and "Too many failed log-in attempts" in right.json()["password"][0]
    api.force_authenticate(None)
    token = api.post("/api/v1/auth/token/", {"username": "signer_l", "password": PASSWORD}, format="json")
    assert token.status_code == 429  # the same lock-out as the log-in's
    history = api.as_user(staff["mgr"]).get(report_url + "history/").json()["results"]
    failed = [entry for entry in history if entry["reason"].startswith("failed signature")]
    assert len(failed) == settings.AXES_FAILURE_LIMIT + 1 and failed[0]["user"]["id"] == staff["signer"].pk
    assert api.get(report_url).json()["status"] == "draft"
    frozen_clock.move_to(clock.now() + timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))
    signed = post(api, staff["signer"], report_url + "approve/", {"password": PASSWORD})
    assert (signed.status_code, signed.json()["status"]) == (200, "issued")


def test_samples_received_tomorrow_are_refused_and_nothing_changes(api, staff, project):
    from datetime import timedelta

    from core import clock

    order = create_order(api, staff, project)
    url = f"/api/v1/test-orders/{order['id']}/"
    assert post(api, staff["pm"], url + "submit/").status_code == 200
    assert post(api, staff["mgr"], url + "accept/").status_code == 200
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    refused = post(api, staff["lab"], url + "receive/", {"received_on": tomorrow, "samples": [{"identifier": "S1"}]})
    assert refused.status_code == 400 and tomorrow in refused.json()["received_on"][0]
    assert api.as_user(staff["mgr"]).get(url).json()["status"] == "accepted"


def test_a_due_date_in_an_unpublished_year_is_provisional_until_the_year_is_published(
    api, client, staff, project, user_a
):
    """35 working days from 2026-11-20 end in January 2027, whose holidays chinesecalendar does not know: the due
    date is an estimate — said by the API (list and detail), the board, the order page and the portal — until an
    administrator publishes 2027, which re-plans it."""
    from core.services import calendar_year_publish
    from labtests.models import TestOrder

    order = create_order(api, staff, project, codes=("BIO-SENS",))
    url = f"/api/v1/test-orders/{order['id']}/"
    assert post(api, staff["pm"], url + "submit/").status_code == 200
    assert post(api, staff["mgr"], url + "accept/").status_code == 200
    item = api.as_user(staff["mgr"]).get(f"/api/v1/test-items/?order={order['id']}").json()["results"][0]
    receipt = {"received_on": "2026-11-20", "samples": [{"identifier": "S1", "items": [item["id"]]}]}
    received = post(api, staff["lab"], url + "receive/", receipt)
    assert received.status_code == 200, received.json()
    body = api.as_user(staff["mgr"]).get(url).json()
    assert body["due_date"].startswith("2027-01") and body["due_provisional"] is True
    listed = api.get(f"/api/v1/test-orders/?project={project.pk}").json()["results"]
    assert [row["due_provisional"] for row in listed] == [True]
    client.force_login(staff["mgr"])
    for page in ("/lab/", f"/lab/orders/{order['id']}/"):
        assert 'class="provisional"' in client.get(page).content.decode(), page
    client.force_login(user_a)
    for page in ("/portal/orders/", f"/portal/orders/{order['id']}/"):
        assert 'class="provisional"' in client.get(page).content.decode(), page
    assert api.as_user(user_a).get(url).json()["due_provisional"] is True
    calendar_year_publish(calendar="cn_workdays", year=2027, actor=None, note="test schedule")
    assert TestOrder.objects.get(pk=order["id"]).due_provisional is False
