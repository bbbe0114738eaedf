"""Webhooks in process: deliveries recorded in the transaction of the change, signed over ``timestamp.body``,
retried with growing delays, re-sent by hand; a client's webhook hears only its own client's events, without
internal fields; the API's permission matrix."""

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction

from core import clock
from milestones.services import milestone_complete, pathway_apply
from notifications import services
from notifications.choices import DeliveryStatus
from notifications.models import Webhook, WebhookDelivery
from projects.services import project_transition
from tests.factories import ClientUserFactory, ProjectFactory, StaffUserFactory

from .receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm():
    return StaffUserFactory(roles=["project_manager"], username="pm_w")


@pytest.fixture
def plan(client_a, pm):
    project = ProjectFactory(client=client_a, project_manager=pm)
    return pathway_apply(project=project, actor=pm, pathway="US_510K", start_date=date(2026, 1, 5))


def staff_hook(url="http://127.0.0.1:9/hook", events=("*",)):
    return Webhook.objects.create(name="ERP", url=url, events=list(events))


def test_deliveries_are_recorded_in_the_transaction_of_the_change(plan, pm):
    staff_hook(events=["milestone.completed"])
    kickoff = plan.milestones.get(code="KICKOFF")
    with pytest.raises(RuntimeError), transaction.atomic():
        milestone_complete(milestone=kickoff, actor=pm)
        assert WebhookDelivery.objects.filter(event="milestone.completed").count() == 1  # inside, already there
        raise RuntimeError("roll back")
    assert not WebhookDelivery.objects.exists()  # rolled back with the change
    milestone_complete(milestone=kickoff, actor=pm)
    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["event"] == "milestone.completed"
    assert delivery.payload["data"]["milestone_id"] == kickoff.pk
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None


def test_a_delivery_is_signed_over_timestamp_dot_body(plan, pm):
    with Receiver() as receiver:
        hook = staff_hook(url=receiver.url, events=["project.status_changed"])
        project_transition(project=plan.project, actor=pm, to="on_hold", reason="client asked")
        (delivery,) = WebhookDelivery.objects.all()
        assert services.webhook_delivery_attempt(delivery_id=delivery.pk).sent == 1
        (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    expected = hmac.new(hook.secret.encode(), headers["x-cdmo-timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["x-cdmo-signature"] == "sha256=" + expected.hexdigest()
    assert headers["x-cdmo-event"] == "project.status_changed"
    assert headers["x-cdmo-delivery"] == str(delivery.event_id)
    assert (headers["content-type"], headers["user-agent"]) == ("application/json", "CDMO-Portal-Webhooks/1")
    assert json.loads(body)["data"]["new"] == "on_hold"
    # The signed bytes are canonical JSON: sorted keys, no spaces, UTF-8 as is (a receiver may re-serialize)
    assert body == json.dumps(json.loads(body), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 200, 1)
    assert services.webhook_delivery_attempt(delivery_id=delivery.pk).sent == 0  # never twice


def test_the_timestamp_is_the_clocks_and_a_replayed_request_is_refused(plan, pm, frozen_clock):
    """Replay protection rests on the timestamp: it is the (frozen) clock's second, and the documented check
    refuses the same genuine signature once the tolerance has passed."""
    with Receiver() as receiver:
        hook = staff_hook(url=receiver.url, events=["project.status_changed"])
        project_transition(project=plan.project, actor=pm, to="on_hold", reason="client asked")
        (delivery,) = WebhookDelivery.objects.all()
        services.webhook_delivery_attempt(delivery_id=delivery.pk)
        (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    sent = int(headers["x-cdmo-timestamp"])
    assert abs(sent - clock.now().timestamp()) < 120  # the clock's now (ticking from the frozen instant)
    signed = {"secret": hook.secret, "timestamp": headers["x-cdmo-timestamp"], "body": body,
              "signature": headers["x-cdmo-signature"]}  # fmt: skip
    assert services.webhook_signature_verify(**signed)
    assert not services.webhook_signature_verify(**{**signed, "body": body + b" "})  # tampered
    assert not services.webhook_signature_verify(**{**signed, "timestamp": str(sent + 1)})  # re-dated
    assert not services.webhook_signature_verify(**{**signed, "timestamp": "0"})
    assert not services.webhook_signature_verify(**{**signed, "timestamp": "not a number"})
    assert not services.webhook_signature_verify(**{**signed, "signature": ""})
    at_the_limit = datetime.fromtimestamp(sent + services.WEBHOOK_TOLERANCE_SECONDS, tz=UTC)
    assert services.webhook_signature_verify(**signed, now=at_the_limit)  # five minutes exactly: still accepted
    assert not services.webhook_signature_verify(**signed, now=at_the_limit + timedelta(seconds=1))
    frozen_clock.move_to(datetime.fromtimestamp(sent + services.WEBHOOK_TOLERANCE_SECONDS + 60, tz=UTC))
    assert not services.webhook_signature_verify(**signed)  # the same request, replayed six minutes later


def test_a_failing_receiver_is_retried_with_growing_delays_then_given_up(plan, pm, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    with Receiver(status=500) as receiver:
        staff_hook(url=receiver.url, events=["project.status_changed"])
        project_transition(project=plan.project, actor=pm, to="on_hold", reason="")
        delivery = WebhookDelivery.objects.get()
        delays = []
        for _ in range(4):
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)  # time passes
            delays.append(services.webhook_delivery_attempt(delivery_id=delivery.pk).retry_in)
        assert len(receiver.requests) == 4
    assert delays == [10, 20, 40, None]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.attempts) == (DeliveryStatus.FAILED, 500, 4)
    assert "HTTP 500" in delivery.error


def test_an_early_attempt_waits_for_its_time(plan, pm):
    staff_hook(events=["project.status_changed"])
    project_transition(project=plan.project, actor=pm, to="on_hold", reason="")
    delivery = WebhookDelivery.objects.get()
    services.webhook_delivery_attempt(delivery_id=delivery.pk)  # nothing listens on port 9: fails
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.error
    assert services.webhook_delivery_attempt(delivery_id=delivery.pk) == services.SendOutcome()
    assert services.webhook_deliveries_due() == []


def test_a_clients_webhook_hears_only_its_own_clients_events_without_internal_fields(plan, pm, client_b):
    own = Webhook.objects.create(name="A", url="http://127.0.0.1:9/a", events=["*"], client=plan.project.client)
    other = Webhook.objects.create(name="B", url="http://127.0.0.1:9/b", events=["*"], client=client_b)
    project_transition(project=plan.project, actor=pm, to="on_hold", reason="internal: budget dispute")
    kickoff = plan.milestones.get(code="KICKOFF")
    milestone_complete(milestone=kickoff, actor=pm)
    assert not other.deliveries.exists()
    events = {d.event: d.payload["data"] for d in own.deliveries.all()}
    assert set(events) == {"project.status_changed", "milestone.completed"}
    assert events["project.status_changed"] == {"project_id": plan.project.pk, "client_id": plan.project.client_id,
                                                "old": "active", "new": "on_hold"}  # fmt: skip
    assert "actor_id" not in json.dumps(events) and "budget" not in json.dumps(events)


def test_a_clients_webhook_does_not_hear_of_milestones_hidden_from_the_client(plan, pm):
    own = Webhook.objects.create(name="A", url="http://127.0.0.1:9/a", events=["*"], client=plan.project.client)
    kickoff = plan.milestones.get(code="KICKOFF")
    kickoff.client_visible = False
    kickoff.save()
    milestone_complete(milestone=kickoff, actor=pm)
    assert not own.deliveries.filter(event="milestone.completed").exists()


def test_a_manual_resend_makes_a_new_delivery_of_the_same_event(api, plan, pm):
    admin = StaffUserFactory(roles=["admin"])
    staff_hook(events=["project.status_changed"])
    project_transition(project=plan.project, actor=pm, to="on_hold", reason="")
    original = WebhookDelivery.objects.get()
    response = api.as_user(admin).post(f"/api/v1/webhook-deliveries/{original.pk}/resend/")
    assert response.status_code == 201, response.content
    copy = WebhookDelivery.objects.get(pk=response.json()["id"])
    assert copy.event_id == original.event_id and copy.payload == original.payload
    assert copy.resent_from_id == original.pk and copy.status == DeliveryStatus.PENDING


# --- API: permission matrix and scoping -------------------------------------------------------------------------

ROLES = ["admin", "project_manager", "regulatory", "lab", "lab_manager", "viewer"]


@pytest.fixture
def hooks(client_a, client_b):
    return {
        "staff": Webhook.objects.create(name="staff", url="https://erp.example.com/h", events=["*"]),
        "a": Webhook.objects.create(name="a", url="https://a.example.com/h", events=["*"], client=client_a),
        "b": Webhook.objects.create(name="b", url="https://b.example.com/h", events=["*"], client=client_b),
    }


def actor(kind, client_a):
    if kind == "anonymous":
        return None
    if kind == "client_a":
        return ClientUserFactory(client=client_a)
    return StaffUserFactory(roles=[kind])


@pytest.mark.parametrize(
    ("who", "listed", "create"),
    [("anonymous", None, 401), ("client_a", {"a"}, 201), *[(role, {"staff", "a", "b"}, 201 if role == "admin"
                                                            else 403) for role in ROLES]],
)  # fmt: skip
def test_webhook_permission_matrix(api, hooks, client_a, who, listed, create):
    user = actor(who, client_a)
    client = api.as_user(user)
    response = client.get("/api/v1/webhooks/")
    if listed is None:
        assert response.status_code == 401
    else:
        assert {row["name"] for row in response.json()["results"]} == listed
        assert "secret" not in response.json()["results"][0]
    body = {"name": "new", "url": "https://x.example.com/h", "events": ["milestone.completed"]}
    response = client.post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == create, response.content
    if create == 201:
        assert len(response.json()["secret"]) == 64
        owner = Webhook.objects.get(pk=response.json()["id"]).client_id
        assert owner == (client_a.pk if who == "client_a" else None)


def test_another_clients_webhook_and_deliveries_are_404(api, hooks, client_a):
    alice = ClientUserFactory(client=client_a)
    delivery = WebhookDelivery.objects.create(webhook=hooks["b"], event="x", payload={})
    client = api.as_user(alice)
    assert client.get(f"/api/v1/webhooks/{hooks['b'].pk}/").status_code == 404
    assert client.patch(f"/api/v1/webhooks/{hooks['b'].pk}/", {"active": False}, format="json").status_code == 404
    assert client.delete(f"/api/v1/webhooks/{hooks['staff'].pk}/").status_code == 404
    assert client.get(f"/api/v1/webhook-deliveries/{delivery.pk}/").status_code == 404
    assert client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/resend/").status_code == 404
    assert client.get(f"/api/v1/webhook-deliveries/?webhook={hooks['b'].pk}").status_code == 404
    Webhook.objects.get(pk=hooks["b"].pk, active=True)


def test_a_client_user_may_not_subscribe_to_internal_events_and_bad_input_is_400(api, client_a):
    client = api.as_user(ClientUserFactory(client=client_a))
    response = client.post("/api/v1/webhooks/", {"name": "x", "url": "https://x.example.com",
                                                  "events": ["review_clock.paused"]}, format="json")  # fmt: skip
    assert response.status_code == 400 and "events" in response.json()
    response = client.post("/api/v1/webhooks/", {"name": "x", "url": "ftp://x", "events": []}, format="json")
    assert response.status_code == 400 and {"url", "events"} <= set(response.json())
    assert not Webhook.objects.exists()


def test_the_delivery_list_runs_a_constant_number_of_queries(api, hooks, django_assert_max_num_queries):
    admin = StaffUserFactory(roles=["admin"])
    client = api.as_user(admin)
    WebhookDelivery.objects.bulk_create([WebhookDelivery(webhook=hooks["a"], event="x", payload={}) for _ in range(60)])
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/webhook-deliveries/?page_size=5").json()["results"]) == 5
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/webhook-deliveries/?page_size=50").json()["results"]) == 50


def test_pinned_webhook_and_delivery_responses(api, client_a):
    from tests.utils import pinned

    admin = StaffUserFactory(roles=["admin"])
    hook = Webhook.objects.create(name="ERP", url="https://erp.example.com/h", events=["test_report.issued"],
                                  client=client_a, secret="s" * 64)  # fmt: skip
    delivery = WebhookDelivery.objects.create(
        webhook=hook, event="test_report.issued", payload={"data": {"x": 1}}, attempts=2, response_code=500,
        error="HTTP 500 Internal Server Error",
    )  # fmt: skip
    client = api.as_user(admin)
    assert pinned(client.get(f"/api/v1/webhooks/{hook.pk}/").json()) == {
        "id": hook.pk, "name": "ERP", "url": "https://erp.example.com/h", "events": ["test_report.issued"],
        "active": True, "client": {"id": client_a.pk, "code": "ALPHA", "name": client_a.name_en},
        "created_at": "<datetime>", "updated_at": "<datetime>",
    }  # fmt: skip
    assert pinned(client.get(f"/api/v1/webhook-deliveries/{delivery.pk}/").json()) == {
        "id": delivery.pk, "webhook": hook.pk, "event_id": str(delivery.event_id), "event": "test_report.issued",
        "payload": {"data": {"x": 1}}, "status": "pending", "attempts": 2, "response_code": 500,
        "error": "HTTP 500 Internal Server Error", "next_attempt_at": None, "delivered_at": None,
        "resent_from": None, "created_at": "<datetime>",
    }  # fmt: skip
    rotated = client.post(f"/api/v1/webhooks/{hook.pk}/rotate-secret/").json()["secret"]
    assert rotated != "s" * 64 and len(rotated) == 64


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("client_a", 403), *[(role, 200) for role in ROLES]])
def test_reminder_rules_are_read_by_staff_only(api, client_a, who, status):
    from notifications.reminder_defaults import seed_reminder_rules

    seed_reminder_rules()
    client = api.as_user(actor(who, client_a))
    response = client.get("/api/v1/reminder-rules/")
    assert response.status_code == status
    if status == 200:
        kinds = {row["kind"] for row in response.json()["results"]}
        assert kinds == {
            "milestone_due",
            "test_order_due",
            "review_clock_due",
            "applicant_response_due",
            "sample_disposition_due",
        }
        rule = response.json()["results"][0]
        assert client.post("/api/v1/reminder-rules/", {}).status_code in (403, 405)  # read-only
        assert client.get(f"/api/v1/reminder-rules/{rule['id']}/").json()["offsets"] == [14, 7, 3, 1, 0]


@pytest.mark.parametrize(
    ("who", "hook", "expected"),
    [("anonymous", "a", 401), ("client_a", "a", 200), ("client_a", "b", 404), ("client_a", "staff", 404),
     *[(role, hook, 200 if role == "admin" else 403) for role in ROLES for hook in ("staff", "a")]],
)  # fmt: skip
def test_webhook_write_matrix(api, hooks, client_a, who, hook, expected):
    client = api.as_user(actor(who, client_a))
    target = hooks[hook]
    delivery = WebhookDelivery.objects.create(webhook=target, event="project.status_changed", payload={"data": {}})
    response = client.patch(f"/api/v1/webhooks/{target.pk}/", {"name": "renamed"}, format="json")
    assert response.status_code == expected
    resend = client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/resend/")
    assert resend.status_code == (201 if expected == 200 else expected)
    rotate = client.post(f"/api/v1/webhooks/{target.pk}/rotate-secret/")
    assert rotate.status_code == expected
    delete = client.delete(f"/api/v1/webhooks/{target.pk}/")
    assert delete.status_code == (204 if expected == 200 else expected)
    assert Webhook.objects.filter(pk=target.pk).exists() == (expected != 200)


def test_a_clients_webhook_may_not_reach_a_private_address(plan, pm, settings):
    with Receiver() as receiver:
        hook = Webhook.objects.create(name="A", url=receiver.url, events=["*"], client=plan.project.client)
        project_transition(project=plan.project, actor=pm, to="on_hold", reason="")
        delivery = hook.deliveries.get()
        services.webhook_delivery_attempt(delivery_id=delivery.pk)
        assert receiver.requests == []
        delivery.refresh_from_db()
        assert "private or loopback" in delivery.error and delivery.response_code is None
        settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # e.g. an on-premises installation that wants it
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        assert services.webhook_delivery_attempt(delivery_id=delivery.pk).sent == 1
        assert len(receiver.requests) == 1


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(plan, pm, settings):
    """The worker never waits on a receiver longer than ``WEBHOOK_TIMEOUT``: the attempt fails and is retried."""
    settings.WEBHOOK_TIMEOUT = 1
    with Receiver(delay=4) as slow:
        staff_hook(url=slow.url, events=["project.status_changed"])
        project_transition(project=plan.project, actor=pm, to="on_hold", reason="client asked")
        (delivery,) = WebhookDelivery.objects.all()
        outcome = services.webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert outcome.sent == 0 and outcome.retry_in is not None
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.PENDING, 1, None)
    assert "timed out" in delivery.error.lower()


@pytest.mark.parametrize("url", ["ftp://erp.example.com/hook", "http://erp.example.com/hook", "file:///etc/passwd",
                                 "gopher://erp.example.com/"])  # fmt: skip
def test_a_webhook_address_is_https_in_the_api_and_the_portal_alike(api, client, client_a, url, settings, monkeypatch):
    user = ClientUserFactory(client=client_a)
    answer = api.as_user(user).post("/api/v1/webhooks/", {"name": "x", "url": url, "events": ["*"]}, format="json")
    assert answer.status_code == 400 and answer.json()["url"][0] in ("Use an https:// address.", "Enter a valid URL.")
    client.force_login(user)
    page = client.post("/portal/integrations/", {"name": "x", "url": url, "events": ["*"], "active": "on"})
    assert page.status_code == 400 and Webhook.objects.count() == 0
    staff = api.as_user(StaffUserFactory(roles=["admin"]))
    assert staff.post("/api/v1/webhooks/", {"name": "x", "url": url, "events": ["*"]}, format="json").status_code == 400
    settings.WEBHOOK_ALLOW_HTTP = True  # development: http too, and still nothing else
    monkeypatch.setattr(services.targets, "private_address_at_save", lambda url: None)  # no DNS here
    allowed = api.as_user(user).post("/api/v1/webhooks/", {"name": "x", "url": url, "events": ["*"]}, format="json")
    assert allowed.status_code == (201 if url.startswith("http:") else 400)


def test_the_portal_form_says_why_an_ftp_address_is_refused(client, client_a):
    client.force_login(ClientUserFactory(client=client_a))
    page = client.post("/portal/integrations/", {"name": "x", "url": "ftp://erp.example.com/h", "events": ["*"]})
    assert "Use an https:// address." in page.content.decode()
