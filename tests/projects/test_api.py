"""Projects through the REST API: pinned response, permissions, scoping, allowlist, queries, filters."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from projects.models import Project
from tests.factories import ClientFactory, DeviceFactory, ProjectFactory, StaffUserFactory
from tests.matrix import ACTORS, ADMIN, CREATE, EDIT, HISTORY, READ_DETAIL, READ_LIST, fill, make_actor, row
from tests.utils import all_keys, pinned

pytestmark = pytest.mark.django_db

INTERNAL = {"contract_value", "contract_currency", "contract_number", "internal_notes", "description"}


def test_project_detail_pinned(api, pm, client_a):
    device = DeviceFactory(client=client_a, name_en="Thermometer", name_zh="体温计")
    project = ProjectFactory(
        code="P-2026-0042",
        title="Thermometer NMPA Class II",
        client=client_a,
        project_manager=pm,
        target_date=date(2026, 12, 31),
        contract_number="C-77",
        contract_value=Decimal("120000.00"),
        priority="high",
        description="Internal plan.",
        client_summary="Registration of the KN-T100.",
        internal_notes="Price negotiated down.",
    )
    project.devices.add(device)
    response = api.as_user(pm).get(f"/api/v1/projects/{project.id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["ETag"] == '"1"'
    assert pinned(response.json()) == {
        "id": project.id,
        "code": "P-2026-0042",
        "title": "Thermometer NMPA Class II",
        "client": {"id": client_a.id, "code": "ALPHA", "name": client_a.name_en},
        "devices": [{"id": device.id, "name": "Thermometer"}],
        "service_type": "registration",
        "status": "active",
        "project_manager": {"id": pm.id, "username": pm.username, "display_name": pm.display_name},
        "start_date": "2026-01-05",
        "target_date": "2026-12-31",
        "priority": "high",
        "client_summary": "Registration of the KN-T100.",
        "health": "on_track",
        "authority_overdue": False,
        "progress": 0,
        "next_due_date": None,
        "contract_number": "C-77",
        "contract_value": "120000.00",
        "contract_currency": "CNY",
        "description": "Internal plan.",
        "internal_notes": "Price negotiated down.",
        "allowed_transitions": ["cancelled", "completed", "on_hold"],
        "created_at": "<datetime>",
        "updated_at": "<datetime>",
        "version": 1,
    }


def test_create_validates_devices_of_the_client(api, pm, client_a, client_b):
    foreign = DeviceFactory(client=client_b)
    payload = {"title": "X", "client": client_a.id, "service_type": "registration", "devices": [foreign.id]}
    response = api.as_user(pm).post("/api/v1/projects/", payload, format="json")
    assert response.status_code == 400
    assert "devices" in response.json()
    assert not Project.objects.exists()


def test_create_and_transition(api, pm, client_a):
    payload = {"title": "X", "client": client_a.id, "service_type": "registration", "start_date": "2026-02-02"}
    created = api.as_user(pm).post("/api/v1/projects/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "P-2026-0001"
    url = f"/api/v1/projects/{created.json()['id']}/transition/"
    assert api.post(url, {"to": "completed"}, format="json").status_code == 409
    assert api.post(url, {"to": "active"}, format="json", HTTP_IF_MATCH='"1"').json()["status"] == "active"
    assert api.post(url, {"to": "on_hold"}, format="json", HTTP_IF_MATCH='"1"').status_code == 412


def test_client_user_sees_own_non_draft_projects_through_the_allowlist(api, user_a, client_a, client_b):
    own = ProjectFactory(client=client_a, internal_notes="secret", contract_value=Decimal("1.00"))
    ProjectFactory(client=client_a, status="draft")
    other = ProjectFactory(client=client_b)
    body = api.as_user(user_a).get("/api/v1/projects/").json()
    assert [p["id"] for p in body["results"]] == [own.id]
    assert not all_keys(body) & INTERNAL
    assert "secret" not in str(body)
    assert api.get(f"/api/v1/projects/{other.id}/").status_code == 404
    assert api.get(f"/api/v1/projects/?client={client_b.id}").status_code == 404
    assert api.get(f"/api/v1/projects/{own.id}/history/").status_code == 403


def test_filters(api, pm, client_a):
    ProjectFactory(client=client_a, title="Stent PMA", status="active", priority="urgent")
    ProjectFactory(title="Thermometer", status="on_hold")
    api.as_user(pm)
    assert api.get("/api/v1/projects/?status=on_hold,draft").json()["count"] == 1
    assert api.get(f"/api/v1/projects/?client={client_a.id}&q=stent").json()["count"] == 1
    assert api.get("/api/v1/projects/?priority=urgent").json()["results"][0]["title"] == "Stent PMA"
    assert api.get("/api/v1/projects/?due_before=not-a-date").status_code == 400
    assert api.get("/api/v1/projects/?ordering=-title").json()["results"][0]["title"] == "Thermometer"


@pytest.mark.parametrize("who", ["pm", "user_a"])
def test_list_queries_constant(api, pm, user_a, client_a, who, django_assert_max_num_queries):
    for _ in range(55):
        project = ProjectFactory(client=client_a, project_manager=pm)
        project.devices.add(DeviceFactory(client=client_a))
    user_id = (pm if who == "pm" else user_a).id
    counts = []
    for size in (5, 50):
        api.as_user(User.objects.get(pk=user_id))
        with CaptureQueriesContext(connection) as ctx:
            body = api.get(f"/api/v1/projects/?page_size={size}").json()
        assert len(body["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    api.as_user(User.objects.get(pk=user_id))
    with django_assert_max_num_queries(7):
        api.get("/api/v1/projects/?page_size=50")


NEW_PROJECT = {"title": "New", "client": "{client}", "service_type": "testing"}
MATRIX = {
    "projects list": row("get", "/api/v1/projects/", **READ_LIST),
    "projects create": row("post", "/api/v1/projects/", NEW_PROJECT, **CREATE),
    "project retrieve": row("get", "/api/v1/projects/{project}/", **READ_DETAIL),
    "project put": row("put", "/api/v1/projects/{project}/", {"title": "T", "service_type": "testing"}, **EDIT),
    "project patch": row("patch", "/api/v1/projects/{project}/", {"title": "T2"}, **EDIT),
    "project transition": row("post", "/api/v1/projects/{project}/transition/", {"to": "on_hold"}, **EDIT),
    "project delete": row(
        "delete", "/api/v1/projects/{draft}/", allowed=ADMIN, ok=204, client_a=404, client_b=404
    ),  # a client user never sees drafts
    "project history": row("get", "/api/v1/projects/{project}/history/", **HISTORY),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", list(MATRIX), ids=list(MATRIX))
def test_permission_matrix(api, case, actor):
    method, path, payload, expected, _world = MATRIX[case]
    client_a = ClientFactory(code="ALPHA")
    client_b = ClientFactory(code="BRAVO")
    ids = {
        "client": client_a.id,
        "project": ProjectFactory(client=client_a).id,
        "draft": ProjectFactory(client=client_a, status="draft").id,
    }
    api.as_user(make_actor(actor, client_a, client_b))
    response = getattr(api, method)(path.format(**ids), fill(payload, ids), format="json")
    assert response.status_code == expected[actor], (case, actor, response.content[:300])


def test_staff_roles_read_everything(api):
    ProjectFactory()
    for role in ("regulatory", "lab", "lab_manager", "viewer"):
        assert api.as_user(StaffUserFactory(roles=[role])).get("/api/v1/projects/").json()["count"] == 1
