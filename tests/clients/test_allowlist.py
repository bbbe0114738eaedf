"""Everything a client user receives is on the client allowlist: no internal field, no history, ever."""

import pytest

from clients.api.serializers import ClientPublicSerializer, ContactPublicSerializer, DevicePublicSerializer
from tests.factories import ContactFactory, DeviceClassificationFactory, DeviceFactory, StaffUserFactory
from tests.utils import all_keys

pytestmark = pytest.mark.django_db

INTERNAL = {"internal_notes", "account_manager", "user", "allowed_transitions", "history_user", "contract_value"}

CLIENT_FIELDS = {
    "id", "code", "name", "name_zh", "name_en", "uscc", "country", "kind", "agent", "status",
    "created_at", "updated_at", "version",
}  # fmt: skip
CONTACT_FIELDS = {"id", "client", "name", "email", "phone", "role", "is_primary", "created_at", "updated_at", "version"}
DEVICE_FIELDS = {
    "id", "client", "name", "name_zh", "name_en", "model_numbers", "kind", "sterile", "implantable", "has_software",
    "administers_medicinal_product", "intended_use", "classifications", "created_at", "updated_at", "version",
}  # fmt: skip
SUMMARY_FIELDS = {"id", "code", "name"}
CLASSIFICATION_FIELDS = {"id", "market", "device_class", "code", "rationale", "updated_at", "version"}


def test_allowlists_are_the_declared_ones():
    assert set(ClientPublicSerializer.Meta.fields) == CLIENT_FIELDS
    assert set(ContactPublicSerializer.Meta.fields) == CONTACT_FIELDS
    assert set(DevicePublicSerializer.Meta.fields) == DEVICE_FIELDS


@pytest.fixture
def own_data(client_a, user_a):
    pm = StaffUserFactory(roles=["project_manager"])
    client_a.internal_notes = "credit hold"
    client_a.account_manager = pm
    client_a.save()
    ContactFactory(client=client_a, user=user_a)
    device = DeviceFactory(client=client_a)
    DeviceClassificationFactory(device=device)
    return device


def responses_for(api, client_a, device):
    urls = [
        "/api/v1/me/",
        "/api/v1/clients/",
        f"/api/v1/clients/{client_a.id}/",
        "/api/v1/contacts/",
        f"/api/v1/contacts/{client_a.contacts.first().id}/",
        "/api/v1/devices/",
        f"/api/v1/devices/{device.id}/",
        f"/api/v1/devices/{device.id}/classifications/",
        f"/api/v1/devices/{device.id}/classifications/CN/",
    ]
    return {url: api.get(url) for url in urls}


def test_client_user_receives_only_allowlisted_fields(api, own_data, client_a, user_a):
    api.as_user(user_a)
    allowed = CLIENT_FIELDS | CONTACT_FIELDS | DEVICE_FIELDS | SUMMARY_FIELDS | CLASSIFICATION_FIELDS
    allowed |= {"count", "next", "previous", "results", "username", "email", "display_name", "first_name"}
    allowed |= {"last_name", "language", "roles"}
    for url, response in responses_for(api, client_a, own_data).items():
        assert response.status_code == 200, url
        keys = all_keys(response.json())
        assert not keys & INTERNAL, (url, keys & INTERNAL)
        assert keys <= allowed, (url, keys - allowed)
        assert "credit hold" not in response.content.decode()


def test_client_user_gets_no_history(api, own_data, client_a, user_a):
    response = api.as_user(user_a).get(f"/api/v1/clients/{client_a.id}/history/")
    assert response.status_code == 403
    assert "changes" not in response.content.decode()


def test_staff_do_get_internal_fields(api, own_data, client_a, pm):
    body = api.as_user(pm).get(f"/api/v1/clients/{client_a.id}/").json()
    assert body["internal_notes"] == "credit hold"
