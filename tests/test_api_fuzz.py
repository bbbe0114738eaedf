"""Every API operation fuzzed in process by schemathesis (the safety issue's acceptance): responses are never a
server error and agree with the OpenAPI schema in status code, content type and body — once with an admin's
token and once with a client user's (``admin`` and ``kangnuo`` of the demo data), on the test database (a scratch
database dropped after the run).

Fixed seed (``derandomize``), at most 10 examples per operation, no example database: every run makes the same
calls. The schema is generated in process by drf-spectacular, the calls go through Django's WSGI handler."""

import io
import json

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WsgiClient

from accounts.models import User

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _openapi() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_openapi())
schema.app = WSGIHandler()
WSGI_CLIENT = WsgiClient(schema.app)  # Django's test client would reconnect the signals this module disconnects


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Django's WSGI handler closes the database connection when a request ends, which would end the test's
    transaction; the test client disconnects the same signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker):
    """The demo data (every kind of row, in every state), loaded once for the module inside a transaction that
    is rolled back at its end; each test runs in a savepoint inside it (Django's ``setUpTestData`` pattern)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield {name: AuthToken.objects.create(User.objects.get(username=name))[1] for name in ("admin", "kangnuo")}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(params=["admin", "kangnuo"])
def token(request, demo_tokens):
    return demo_tokens[request.param]


_VISIBLE_IDS: dict[tuple[str, str], list[int]] = {}


def visible_ids(path: str, token: str) -> list[int]:
    """Ids of the rows of ``path``'s resource that the token's user can see (read once per test and user)."""
    resource = path.split("/")[3]
    key = (token, resource)
    if key not in _VISIBLE_IDS:
        response = WSGI_CLIENT.get(f"/api/v1/{resource}/?page_size=200", headers={"Authorization": f"Token {token}"})
        rows = response.get_json().get("results", []) if response.status_code == 200 else []
        _VISIBLE_IDS[key] = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
    return _VISIBLE_IDS[key]


def aim_at_real_rows(case, token: str) -> None:
    """Half the drawn ids (the even ones) are mapped onto rows that exist and are visible, so the fuzzed bodies and
    actions reach real objects in every state instead of answering 404."""
    drawn = (case.path_parameters or {}).get("id")
    if isinstance(drawn, int) and drawn % 2 == 0:
        ids = visible_ids(case.operation.path, token)
        if ids:
            case.path_parameters["id"] = ids[(drawn // 2) % len(ids)]


@pytest.mark.django_db
@schema.parametrize()
@hypothesis.settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[hypothesis.Phase.generate],
)
def test_api_operation_conforms_to_its_schema(case, token):
    aim_at_real_rows(case, token)
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


@pytest.mark.django_db
def test_the_responses_that_contradicted_the_schema_now_conform(demo_tokens):
    """What fuzzing found against the schema, pinned: a test order that was never on hold (``held_from: ""``), a
    contact without an e-mail, the token endpoint's 400, and a result entered while the order is not in testing
    (a 409 that is a conflict, not an illegal transition)."""
    from clients.models import Client, Contact
    from labtests.models import TestItem, TestOrder

    order = TestOrder.objects.filter(held_from="").order_by("pk").first()
    contact = Contact.objects.create(client=Client.objects.order_by("pk").first(), name="No e-mail", email="")
    item = TestItem.objects.exclude(order__status="in_testing").order_by("pk").first()
    cases = [
        (200, schema["/api/v1/test-orders/{id}/"]["GET"].Case(path_parameters={"id": order.pk})),
        (200, schema["/api/v1/contacts/{id}/"]["GET"].Case(path_parameters={"id": contact.pk})),
        (400, schema["/api/v1/auth/token/"]["POST"].Case(body={"username": "admin", "password": "wrong"},
                                                         media_type="application/json")),
        (409, schema["/api/v1/test-items/{id}/submit-result/"]["POST"].Case(
            path_parameters={"id": item.pk}, body={"verdict": "pass"}, media_type="application/json")),
    ]  # fmt: skip
    for status, case in cases:
        response = case.call_and_validate(headers={"Authorization": f"Token {demo_tokens['admin']}"}, checks=CHECKS)
        assert response.status_code == status, response.text
