"""Positive allowlists: every response a client user can receive carries exactly these keys (at any depth), so a
field added to a serializer — an internal note, a price, who held an order — fails here until it is declared
fit for clients. (Clients, contacts and devices: ``tests/clients/test_allowlist.py``.)"""

import pytest

from core.models import Attachment, Comment
from notifications.models import WebhookDelivery
from tests.utils import all_keys
from tests.world import build_world, staff_people

pytestmark = pytest.mark.django_db

META = {"count", "next", "previous", "results"}
STAMPS = {"created_at", "updated_at", "version"}
CLIENT_SUMMARY = {"id", "code", "name"}
PROJECT_SUMMARY = {"id", "code", "title"}

ORDER = {
    "id",
    "number",
    "client",
    "project",
    "purpose",
    "priority",
    "status",
    "received_on",
    "due_date",
    "due_provisional",
    *STAMPS,
}
SAMPLE = {"id", "order", "identifier", "model", "serial", "quantity", "condition_on_receipt", "received_on",
          "disposition", "retention_until", "disposed_on", "courier_reference", "version"}  # fmt: skip
ITEM_SERVICE = {"id", "code", "name", "lab_section"}
ITEM = {"id", "order", "service", "status", "verdict", "result_summary", "retest_of", "version"}  # no engineer
REPORT_FILE = {"id", "original_name", "content_type", "size", "sha256", "client_visible", "created_at", "download"}
REPORT = {"id", "order", "number", "version", "status", "issued_on", "file"}  # no signatories, no amendment reason
MILESTONE = {"id", "project", "submission", "code", "name", "name_zh", "name_en", "kind", "planned_start", "due_date",
             "due_provisional", "baseline_start", "baseline_due_date", "completed_on", "responsible", "status",
             "due_state", *STAMPS}  # fmt: skip
PATHWAY_SUMMARY = {"id", "code", "version", "name"}
SUBMISSION = {"id", "project", "pathway", "authority", "reference_number", "status", "submitted_on",
              "accepted_on", "decided_on", "transferred_on", "transfer_recorded", "options", "flag", "flagged_on",
              *STAMPS}  # fmt: skip
AUTHOR = {"id", "username", "name"}
FILE = {
    "id",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "owner_type",
    "owner_id",
    "comment",
    "uploaded_by",
    "created_at",
    "download",
}  # fmt: skip  (no visibility flag: a client sees only visible files)
COMMENT = {"id", "owner_type", "owner_id", "project_id", "parent", "author", "by_client", "body", "created_at",
           "edited_at", "deleted_at", "editable_until", "attachments"}  # fmt: skip

EXPECTED = {
    "/api/v1/comments/": META | COMMENT | AUTHOR | FILE,
    "/api/v1/attachments/": META | FILE | AUTHOR,
    "/api/v1/test-orders/": META | ORDER | CLIENT_SUMMARY | PROJECT_SUMMARY,
    "/api/v1/test-orders/{order}/": ORDER | CLIENT_SUMMARY | PROJECT_SUMMARY,
    "/api/v1/samples/": META | SAMPLE,
    "/api/v1/test-items/": META | ITEM | ITEM_SERVICE,
    "/api/v1/test-reports/": META | REPORT | REPORT_FILE,
    "/api/v1/milestones/": META | MILESTONE | PROJECT_SUMMARY,
    "/api/v1/submissions/": META | SUBMISSION | PROJECT_SUMMARY | PATHWAY_SUMMARY,
    "/api/v1/submissions/{submission}/": SUBMISSION | PROJECT_SUMMARY | PATHWAY_SUMMARY,
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(client_a, client_b):
    people = staff_people()
    build_world(client_b, people)
    return build_world(client_a, people)


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_a_client_user_receives_exactly_the_allowlisted_keys(api, world, user_a, path):
    url = path.format(order=world.order.pk, submission=world.submission.pk)
    body = api.as_user(user_a).get(url).json()
    assert body.get("count", 1) > 0, body
    assert all_keys(body) == EXPECTED[path], sorted(all_keys(body) ^ EXPECTED[path])
    assert "key account" not in str(body) and "margin is thin" not in str(body)
    assert "raw.pdf" not in str(body)  # the lab's internal file


def test_a_client_user_reads_no_review_clock_and_no_history(api, world, user_a):
    api.as_user(user_a)
    assert api.get("/api/v1/review-clocks/").status_code == 403
    assert api.get(f"/api/v1/review-clocks/{world.submission.clocks.first().pk}/").status_code == 403
    assert api.get(f"/api/v1/test-orders/{world.order.pk}/history/").status_code == 403


CLIENT_WEBHOOK_DATA = {
    "project.created": {"project_id", "client_id"},
    "project.status_changed": {"project_id", "client_id", "old", "new"},
    "pathway.applied": {"project_id", "client_id", "submission_id", "pathway"},
    "milestone.completed": {"milestone_id", "project_id", "client_id", "completed_on"},
    "milestone.rescheduled": {"milestone_id", "project_id", "client_id"},
    "milestone.started": {"milestone_id", "project_id", "client_id"},
    "milestone.answered": {"milestone_id", "project_id", "client_id"},
    "milestone.sent_back": {"milestone_id", "project_id", "client_id"},
    "test_order.status_changed": {"order_id", "project_id", "client_id", "old", "new"},
    "test_report.issued": {"report_id", "order_id", "client_id", "version"},
    "comment.created": {"comment_id", "parent_id", "owner_type", "owner_id", "project_id", "client_id", "by_client",
                        "attachment_ids"},
    "attachment.created": {"attachment_id", "comment_id", "owner_type", "owner_id", "project_id", "client_id",
                           "by_client"},
}  # fmt: skip


def test_the_client_webhook_allowlist_is_the_declared_one():
    from notifications.webhook_events import CLIENT_EVENT_FIELDS

    assert {event: set(fields) for event, fields in CLIENT_EVENT_FIELDS.items()} == CLIENT_WEBHOOK_DATA


def test_a_client_webhook_payload_carries_exactly_the_allowlisted_keys(world):
    """Every delivery recorded for client A's webhook while their world was built: envelope and data keys."""
    deliveries = list(WebhookDelivery.objects.filter(webhook=world.webhook))
    assert {d.event for d in deliveries} >= {"pathway.applied", "test_order.status_changed", "test_report.issued",
                                            "milestone.completed", "comment.created", "attachment.created"}  # fmt: skip
    internal = set(Comment.objects.filter(client_visible=False).values_list("pk", flat=True))
    internal_files = set(Attachment.objects.filter(client_visible=False).values_list("pk", flat=True))
    assert internal and internal_files
    for delivery in deliveries:
        assert delivery.payload["data"].get("comment_id") not in internal
        assert delivery.payload["data"].get("attachment_id") not in internal_files
    for delivery in deliveries:
        assert set(delivery.payload) == {"id", "event", "occurred_at", "data"}
        assert set(delivery.payload["data"]) == CLIENT_WEBHOOK_DATA[delivery.event], delivery.event
        assert delivery.payload["data"]["client_id"] == world.order.client_id
