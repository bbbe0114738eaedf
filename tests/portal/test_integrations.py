"""The client's integrations in the portal: their own webhooks (create, edit, rotate, deliveries, re-send) and
personal API tokens (shown once, listed, revoked — a revoked token stops working)."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from notifications.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(client, user_a):
    client.force_login(user_a)
    return client


def test_a_client_manages_its_own_webhooks(portal, client_a, client_b, monkeypatch):
    from notifications import targets

    monkeypatch.setattr(targets, "private_address_at_save", lambda url: None)  # no DNS here
    created = portal.post("/portal/integrations/", {"name": "ERP", "url": "https://erp.example.com/hook",
                                                    "events": ["milestone.completed"], "active": "on"})  # fmt: skip
    hook = Webhook.objects.get(name="ERP")
    assert created.url == f"/portal/integrations/webhooks/{hook.pk}/"
    assert (hook.client_id, hook.events) == (client_a.pk, ["milestone.completed"])
    assert hook.secret in portal.get(created.url).content.decode()
    refused = portal.post("/portal/integrations/", {"name": "All", "url": "https://x.example.com",
                                                    "events": ["client.updated"]})  # fmt: skip
    assert refused.status_code == 400 and Webhook.objects.count() == 1  # not an event clients may hear
    old = hook.secret
    portal.post(f"/portal/integrations/webhooks/{hook.pk}/rotate/")
    hook.refresh_from_db()
    assert hook.secret != old
    assert portal.post(created.url, {"name": "ERP 2", "url": "https://erp.example.com/h2", "events": ["*"],
                                     "active": "on"}).status_code == 302  # fmt: skip
    hook.refresh_from_db()
    assert (hook.name, hook.events) == ("ERP 2", ["*"])
    delivery = WebhookDelivery.objects.create(webhook=hook, event="milestone.completed", payload={})
    portal.post(f"/portal/integrations/deliveries/{delivery.pk}/resend/")
    assert WebhookDelivery.objects.filter(resent_from=delivery).exists()
    theirs = Webhook.objects.create(name="Theirs", url="https://b.example.com", events=["*"], client=client_b)
    assert portal.get(f"/portal/integrations/webhooks/{theirs.pk}/").status_code == 404
    assert "Theirs" not in portal.get("/portal/integrations/").content.decode()
    portal.post(f"/portal/integrations/webhooks/{hook.pk}/delete/")
    assert list(Webhook.objects.values_list("name", flat=True)) == ["Theirs"]


def test_an_api_token_is_shown_once_and_stops_working_when_revoked(portal, user_a):
    portal.post("/portal/integrations/tokens/")
    page = portal.get("/portal/integrations/").content.decode()
    token = AuthToken.objects.get(user=user_a)
    secret = page.split('aria-label="New API token"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert secret.startswith(token.token_key)
    assert "New API token" not in portal.get("/portal/integrations/").content.decode()  # shown only once
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/v1/projects/").status_code == 200
    portal.post(f"/portal/integrations/tokens/{token.token_key}/revoke/")
    assert api.get("/api/v1/projects/").status_code == 401
