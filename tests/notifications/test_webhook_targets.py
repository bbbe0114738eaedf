"""Where a client's webhook may reach (the safety issue, item 4): literal private addresses refused when saved,
every non-global address counted as private, one resolution per delivery with the connection made to the
address that was checked, and redirects recorded, not followed."""

import socket

import pytest

from notifications import services, targets
from notifications.models import Webhook, WebhookDelivery
from tests.factories import ClientUserFactory, StaffUserFactory

from .receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _http_allowed(settings):
    """These tests are about where an address points; https-only is tested in ``test_webhooks.py``."""
    settings.WEBHOOK_ALLOW_HTTP = True


PRIVATE = [
    "http://127.0.0.1/h",
    "http://localhost:8080/h",
    "http://[::1]/h",
    "http://0.0.0.0/h",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/h",
    "http://100.64.0.1/h",
    "http://[::ffff:127.0.0.1]/h",
    "https://192.168.1.20/h",
    "http://172.16.0.1/h",
    "http://[fd00::1]/h",
    "http://224.0.0.1/h",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_a_client_user_cannot_save_a_webhook_to_a_private_address(api, client_a, url):
    client = api.as_user(ClientUserFactory(client=client_a))
    response = client.post("/api/v1/webhooks/", {"name": "x", "url": url, "events": ["*"]}, format="json")
    assert response.status_code == 400, response.content
    assert "public" in response.json()["url"][0]
    assert not Webhook.objects.exists()


def test_a_client_webhook_cannot_be_moved_to_a_private_address(api, client_a):
    hook = Webhook.objects.create(name="a", url="https://93.184.215.14/h", events=["*"], client=client_a)
    client = api.as_user(ClientUserFactory(client=client_a))
    response = client.patch(f"/api/v1/webhooks/{hook.pk}/", {"url": "http://10.1.2.3/h"}, format="json")
    assert response.status_code == 400 and "url" in response.json()
    hook.refresh_from_db()
    assert hook.url == "https://93.184.215.14/h"
    staff = api.as_user(StaffUserFactory(roles=["admin"]))
    assert staff.patch(f"/api/v1/webhooks/{hook.pk}/", {"url": "http://10.1.2.3/h"}, format="json").status_code == 400


def test_public_addresses_and_staff_webhooks_are_accepted(api, client_a):
    client = api.as_user(ClientUserFactory(client=client_a))
    body = {"name": "x", "url": "https://93.184.215.14/h", "events": ["*"]}
    assert client.post("/api/v1/webhooks/", body, format="json").status_code == 201
    staff = api.as_user(StaffUserFactory(roles=["admin"]))
    body = {"name": "erp", "url": "http://10.0.0.5/erp", "events": ["*"]}
    assert staff.post("/api/v1/webhooks/", body, format="json").status_code == 201  # an ERP on the CRO's LAN


@pytest.mark.parametrize("address", ["100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1", "169.254.169.254", "::1"])
def test_every_address_that_is_not_global_counts_as_private(address):
    assert not targets.public_address(address)


def test_a_private_client_webhook_is_refused_at_delivery_without_a_connection(client_a):
    """A webhook saved before the rule (or a name that resolved elsewhere then) is refused when it is sent."""
    hook = Webhook.objects.create(name="a", url="http://100.64.0.1:9/h", events=["*"], client=client_a)
    delivery = WebhookDelivery.objects.create(webhook=hook, event="x", payload={})
    services.webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.error == targets.REFUSED and delivery.response_code is None and delivery.attempts == 1


@pytest.fixture
def rebinding_resolver(monkeypatch):
    """``hooks.example.test`` answers 127.0.0.1 to the first question and 10.255.255.1 to every later one —
    what a DNS-rebinding attacker's name server does. Records every question."""
    questions = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "hooks.example.test":
            return real(host, port, *args, **kwargs)
        questions.append(host)
        address = "127.0.0.1" if len(questions) == 1 else "10.255.255.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return questions


def test_a_delivery_resolves_once_and_connects_to_the_address_it_checked(rebinding_resolver):
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        hook = Webhook.objects.create(name="erp", url=f"http://hooks.example.test:{port}/h", events=["*"])
        delivery = WebhookDelivery.objects.create(webhook=hook, event="x", payload={"n": 1})
        assert services.webhook_delivery_attempt(delivery_id=delivery.pk).sent == 1
        assert rebinding_resolver == ["hooks.example.test"]
        (request,) = receiver.requests
        assert request["headers"]["host"] == f"hooks.example.test:{port}"  # the name, for virtual hosts and TLS


def test_redirects_are_recorded_not_followed():
    with Receiver() as elsewhere, Receiver(status=302) as receiver:
        receiver.headers = {"Location": elsewhere.url}
        hook = Webhook.objects.create(name="erp", url=receiver.url, events=["*"])
        delivery = WebhookDelivery.objects.create(webhook=hook, event="x", payload={})
        services.webhook_delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.response_code == 302 and delivery.status == "pending" and delivery.error == "HTTP 302"
        assert len(receiver.requests) == 1
        assert elsewhere.requests == []
