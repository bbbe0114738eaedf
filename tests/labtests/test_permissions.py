"""SPEC §5 for the lab, row by row: anonymous, client A (owner), client B, each staff role."""

from datetime import date

import pytest

from labtests import services as lab
from labtests.models import TestService
from tests.factories import ClientFactory, ProjectFactory, StaffUserFactory, pdf_upload
from tests.matrix import ACTORS, HISTORY, READ_DETAIL, READ_LIST, fill, make_actor, row

pytestmark = pytest.mark.django_db

CREATORS = {"admin", "project_manager", "lab_manager"}
BENCH = {"admin", "lab", "lab_manager"}
MANAGERS = {"admin", "lab_manager"}


def acting(allowed, ok=200, client_b=404):
    return {"allowed": allowed, "ok": ok, "client_a": 403, "client_b": client_b}


MATRIX = {
    "standards list": row("get", "/api/v1/standards/", **READ_LIST),
    "standard patch": row("patch", "/api/v1/standards/{standard}/", {"equivalent": "IEC"},
                          allowed=MANAGERS, ok=200, client_a=403, client_b=403),
    "services list": row("get", "/api/v1/test-services/", **READ_LIST),
    "orders list": row("get", "/api/v1/test-orders/", **READ_LIST),
    "order create": row("post", "/api/v1/test-orders/",
                        {"client": "{client}", "project": "{project}", "services": ["{service}"]},
                        **acting(CREATORS, ok=201, client_b=403)),
    "order retrieve": row("get", "/api/v1/test-orders/{order}/", **READ_DETAIL),
    "order submit": row("post", "/api/v1/test-orders/{draft}/submit/", **acting(CREATORS), world="draft"),
    "order accept": row("post", "/api/v1/test-orders/{submitted}/accept/", **acting(MANAGERS)),
    "order receive": row("post", "/api/v1/test-orders/{order}/receive/", {"samples": [{"identifier": "S9"}]},
                         **acting(BENCH)),
    "order history": row("get", "/api/v1/test-orders/{order}/history/", **HISTORY),
    "items list": row("get", "/api/v1/test-items/", **READ_LIST),
    "item assign": row("post", "/api/v1/test-items/{item}/assign/", {"engineer": "{engineer}"}, **acting(MANAGERS)),
    "item start": row("post", "/api/v1/test-items/{item}/start/", **acting(BENCH, ok=409)),  # not in testing yet
    "item dependencies": row("post", "/api/v1/test-items/{item}/dependencies/", {"depends_on": []},
                             **acting(MANAGERS)),
    # a draft report does not exist for client users (404), as every draft
    "report review": row("post", "/api/v1/test-reports/{report}/review/", **{**acting(MANAGERS), "client_a": 404}),
    "report approve": row("post", "/api/v1/test-reports/{report}/approve/", {"password": "x"},
                          **{**acting(BENCH, ok=409), "client_a": 404}),  # not reviewed yet
    "samples list": row("get", "/api/v1/samples/", **READ_LIST),
    "reports list": row("get", "/api/v1/test-reports/", **READ_LIST),
    "attachments list": row("get", "/api/v1/attachments/", **READ_LIST),
}  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", list(MATRIX), ids=list(MATRIX))
def test_permission_matrix(api, case, actor):
    method, path, payload, expected, world = MATRIX[case]
    client_a, client_b = ClientFactory(code="ALPHA"), ClientFactory(code="BRAVO")
    project = ProjectFactory(client=client_a, start_date=date(2026, 1, 5))
    service = TestService.objects.get(code="ES-60601-1")
    manager = StaffUserFactory(roles=["lab_manager"], username="mgr_matrix")
    accepted = lab.test_order_accept(
        order=lab.test_order_submit(
            order=lab.test_order_create(actor=None, client=client_a, project=project, services=[service]), actor=None
        ),
        actor=None,
    )
    submitted = lab.test_order_submit(
        order=lab.test_order_create(actor=None, client=client_a, project=project, services=[service]), actor=None
    )
    draft = lab.test_order_create(actor=None, client=client_a, project=project, services=[service])
    ids = {
        "client": client_a.id, "project": project.id, "service": service.id, "standard": service.standards.first().id,
        "order": accepted.id, "submitted": submitted.id, "draft": draft.id, "item": accepted.items.first().id,
        "engineer": manager.id,
    }  # fmt: skip
    if world == "draft":
        expected = {**expected, "client_a": 404}  # client users never see draft orders
    ids["report"] = lab.test_report_create(order=accepted, actor=None, upload=pdf_upload()).id
    api.as_user(make_actor(actor, client_a, client_b))
    response = getattr(api, method)(path.format(**ids), fill(payload, ids), format="json")
    assert response.status_code == expected[actor], (case, actor, response.content[:300])


def test_client_users_cannot_see_prices(api, user_a):
    body = api.as_user(user_a).get("/api/v1/test-services/").json()
    assert body["count"] == 14
    assert "price" not in body["results"][0]
