"""The permission matrix of SPEC.md §5 for the client registry, row by row: every endpoint and method, for
anonymous, a user of client A (who owns the rows), a user of client B, and each staff role.

Clients, contacts, devices: admin all; project_manager create, edit, transition; regulatory read, and create
and edit device classifications; lab, lab_manager, viewer read; a client user reads their own client's rows.
"""

import pytest

from tests.factories import ClientFactory, ContactFactory, DeviceClassificationFactory, DeviceFactory
from tests.matrix import (
    ACTORS,
    ADMIN_PM_RA,
    CREATE,
    DELETE,
    EDIT,
    HISTORY,
    READ_DETAIL,
    READ_LIST,
    STAFF,
    fill,
    make_actor,
    row,
)

pytestmark = pytest.mark.django_db

NEW_CLIENT = {"code": "NEWCO", "name_en": "NewCo", "kind": "overseas", "country": "DE"}
PUT_CLIENT = {"code": "ALPHA", "name_en": "Alpha renamed", "kind": "domestic", "uscc": "{uscc}"}
NEW_DEVICE = {"client": "{client}", "name_en": "New device", "kind": "active"}
PUT_DEVICE = {"name_en": "Renamed", "kind": "active"}
NEW_CONTACT = {"client": "{client}", "name": "New person", "role": "qa"}
PUT_CONTACT = {"name": "Renamed", "role": "qa"}

MATRIX = {
    "clients list": row("get", "/api/v1/clients/", **READ_LIST),
    "clients create": row("post", "/api/v1/clients/", NEW_CLIENT, **CREATE),
    "client retrieve": row("get", "/api/v1/clients/{client}/", **READ_DETAIL),
    "client put": row("put", "/api/v1/clients/{client}/", PUT_CLIENT, **EDIT),
    "client patch": row("patch", "/api/v1/clients/{client}/", {"name_en": "Alpha 2"}, **EDIT),
    "client transition": row("post", "/api/v1/clients/{client}/transition/", {"to": "inactive"}, **EDIT),
    "client delete": row("delete", "/api/v1/clients/{client}/", **DELETE, world="bare"),
    "client history": row("get", "/api/v1/clients/{client}/history/", **HISTORY),
    "contacts list": row("get", "/api/v1/contacts/", **READ_LIST),
    "contacts create": row("post", "/api/v1/contacts/", NEW_CONTACT, **CREATE),
    "contact retrieve": row("get", "/api/v1/contacts/{contact}/", **READ_DETAIL),
    "contact put": row("put", "/api/v1/contacts/{contact}/", PUT_CONTACT, **EDIT),
    "contact patch": row("patch", "/api/v1/contacts/{contact}/", {"phone": "+86 2"}, **EDIT),
    "contact delete": row("delete", "/api/v1/contacts/{contact}/", **DELETE),
    "contact history": row("get", "/api/v1/contacts/{contact}/history/", **HISTORY),
    "devices list": row("get", "/api/v1/devices/", **READ_LIST),
    "devices create": row("post", "/api/v1/devices/", NEW_DEVICE, **CREATE),
    "device retrieve": row("get", "/api/v1/devices/{device}/", **READ_DETAIL),
    "device put": row("put", "/api/v1/devices/{device}/", PUT_DEVICE, **EDIT),
    "device patch": row("patch", "/api/v1/devices/{device}/", {"sterile": True}, **EDIT),
    "device delete": row("delete", "/api/v1/devices/{device}/", **DELETE),
    "device history": row("get", "/api/v1/devices/{device}/history/", **HISTORY),
    "classifications list": row("get", "/api/v1/devices/{device}/classifications/", **READ_DETAIL),
    "classification create": row(
        "post",
        "/api/v1/devices/{device}/classifications/",
        {"market": "EU", "device_class": "IIa"},
        allowed=ADMIN_PM_RA,
        ok=201,
        client_a=403,
        client_b=404,
    ),
    "classification retrieve": row("get", "/api/v1/devices/{device}/classifications/CN/", **READ_DETAIL),
    "classification put": row(
        "put",
        "/api/v1/devices/{device}/classifications/CN/",
        {"device_class": "III"},
        allowed=ADMIN_PM_RA,
        ok=200,
        client_a=403,
        client_b=404,
    ),
    "classification patch": row(
        "patch",
        "/api/v1/devices/{device}/classifications/CN/",
        {"code": "07-01"},
        allowed=ADMIN_PM_RA,
        ok=200,
        client_a=403,
        client_b=404,
    ),
    "classification delete": row("delete", "/api/v1/devices/{device}/classifications/CN/", **DELETE),
    "me": row("get", "/api/v1/me/", allowed=set(STAFF), ok=200, client_a=200, client_b=200),
    "logout": row("post", "/api/v1/auth/logout/", allowed=set(STAFF), ok=204, client_a=204, client_b=204),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", list(MATRIX), ids=list(MATRIX))
def test_permission_matrix(api, case, actor):
    method, path, payload, expected, world = MATRIX[case]
    client_a = ClientFactory(code="ALPHA")
    client_b = ClientFactory(code="BRAVO")
    ids = {"client": client_a.id, "uscc": client_a.uscc}
    if world == "full":
        ids["contact"] = ContactFactory(client=client_a).id
        device = DeviceFactory(client=client_a)
        DeviceClassificationFactory(device=device, market="CN")
        ids["device"] = device.id
    user = make_actor(actor, client_a, client_b)
    api.as_user(user)
    response = getattr(api, method)(path.format(**ids), fill(payload, ids), format="json")
    assert response.status_code == expected[actor], (case, actor, response.content[:300])
