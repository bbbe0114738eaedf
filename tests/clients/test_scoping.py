"""Client isolation: a client user only ever sees their own client's rows; another client's row is 404."""

import pytest

from tests.factories import (
    ClientFactory,
    ContactFactory,
    DeviceClassificationFactory,
    DeviceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROWS = 55


def build_world(client_a, client_b, rows):
    for client in (client_a, client_b):
        ContactFactory.create_batch(rows, client=client)
        for device in DeviceFactory.create_batch(rows, client=client):
            DeviceClassificationFactory(device=device, market="CN")
    ClientFactory.create_batch(rows)  # other clients nobody of A or B may see
    return {
        "A": {"client": client_a, "contact": client_a.contacts.first(), "device": client_a.devices.first()},
        "B": {"client": client_b, "contact": client_b.contacts.first(), "device": client_b.devices.first()},
    }


@pytest.fixture
def world(client_a, client_b, user_a, user_b):
    return build_world(client_a, client_b, 3)


@pytest.fixture
def big_world(client_a, client_b, user_a, user_b):
    return build_world(client_a, client_b, ROWS)


@pytest.mark.parametrize("resource", ["clients", "contacts", "devices"])
def test_lists_hold_only_the_own_clients_rows(api, big_world, user_a, client_a, resource):
    body = api.as_user(user_a).get(f"/api/v1/{resource}/?page_size=200").json()
    expected = 1 if resource == "clients" else ROWS
    assert body["count"] == expected
    client_ids = {row["id"] if resource == "clients" else row["client"]["id"] for row in body["results"]}
    assert client_ids == {client_a.id}


def test_staff_see_every_client(api, big_world, pm):
    assert api.as_user(pm).get("/api/v1/clients/").json()["count"] == ROWS + 2
    assert api.get("/api/v1/devices/").json()["count"] == 2 * ROWS


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/clients/{client}/",
        "/api/v1/clients/{client}/history/",
        "/api/v1/contacts/{contact}/",
        "/api/v1/contacts/{contact}/history/",
        "/api/v1/devices/{device}/",
        "/api/v1/devices/{device}/history/",
        "/api/v1/devices/{device}/classifications/",
        "/api/v1/devices/{device}/classifications/CN/",
        "/api/v1/contacts/?client={client}",
        "/api/v1/devices/?client={client}",
        "/api/v1/clients/?agent={client}",
    ],
)
def test_another_clients_rows_are_404_on_read(api, world, user_a, path):
    b = world["B"]
    url = path.format(client=b["client"].id, contact=b["contact"].id, device=b["device"].id)
    response = api.as_user(user_a).get(url)
    assert response.status_code == 404, url
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("patch", "/api/v1/clients/{client}/", {"name_en": "hacked"}),
        ("put", "/api/v1/clients/{client}/", {"code": "X", "name_en": "hacked", "kind": "domestic"}),
        ("delete", "/api/v1/clients/{client}/", None),
        ("post", "/api/v1/clients/{client}/transition/", {"to": "inactive"}),
        ("patch", "/api/v1/contacts/{contact}/", {"name": "hacked"}),
        ("delete", "/api/v1/contacts/{contact}/", None),
        ("patch", "/api/v1/devices/{device}/", {"name_en": "hacked"}),
        ("delete", "/api/v1/devices/{device}/", None),
        ("post", "/api/v1/devices/{device}/classifications/", {"market": "US", "device_class": "II"}),
        ("patch", "/api/v1/devices/{device}/classifications/CN/", {"device_class": "III"}),
    ],
)
def test_another_clients_rows_are_404_on_write_and_unchanged(api, world, user_a, method, path, payload):
    b = world["B"]
    url = path.format(client=b["client"].id, contact=b["contact"].id, device=b["device"].id)
    response = getattr(api.as_user(user_a), method)(url, payload, format="json")
    assert response.status_code == 404, url
    for row in b.values():
        fresh = type(row).objects.get(pk=row.pk)
        assert fresh.version == row.version


def test_unknown_ids_are_404_for_staff_too(api, world, pm):
    assert api.as_user(pm).get("/api/v1/contacts/?client=999999").status_code == 404
    assert api.get("/api/v1/clients/999999/").status_code == 404


def test_a_user_without_role_or_client_sees_nothing(api, world):
    nobody = UserFactory()
    api.as_user(nobody)
    for resource in ("clients", "contacts", "devices"):
        assert api.get(f"/api/v1/{resource}/").status_code == 403
    assert api.get(f"/api/v1/clients/{world['A']['client'].id}/").status_code == 403
    assert api.get("/api/v1/me/").status_code == 200
