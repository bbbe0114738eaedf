"""Odd numbers never make a server error, found generically: the URLconf is walked as the leak sweep walks it, and
every list is asked for ``?page=`` and ``?page_size=`` of each odd number, every page that takes a POST is sent
each odd number in every field the views read from a form (collected from the views' source), and every API write
gets it as ``If-Match`` — as an administrator and as a client user. Not one answer may be a 5xx."""

import ast
from pathlib import Path

import pytest
from django.test import Client

from tests.test_no_leak import _fill, routes, swept, two_worlds  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "9" * 5000, "-0", "1e3", str(2**63)]
ROOT = Path(__file__).resolve().parents[1]


def posted_fields() -> set[str]:
    """Every name a staff or portal view reads with ``request.POST.get / getlist`` (or ``GET``)."""
    names = set()
    for path in [*ROOT.glob("web/views/*.py"), *ROOT.glob("portal/views/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "getlist") and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr in ("POST", "GET") and node.args and isinstance(node.args[0], ast.Constant)
            ):  # fmt: skip
                names.add(node.args[0].value)
    return names


def _server_errors(http, requests) -> list[str]:
    errors = []
    for method, url, kwargs in requests:
        status = getattr(http, method)(url, **kwargs).status_code
        if status >= 500:
            errors.append(f"{method.upper()} {url[:120]} {str(kwargs)[:80]} → {status}")
    return errors


def _requests(side: str, ids: dict, fields: set[str]):
    for route in routes():
        prefix = route.name.split(":")[0]
        if prefix not in ("api-v1", "web", "portal") or route.name in ("api-v1:schema", "api-v1:docs"):
            continue
        if (prefix == "web") == (side == "client") and prefix != "api-v1":
            continue  # the staff pages for staff, the portal for clients (each other's are 404 before reading)
        urls = [route.url(**_fill(values, ids)) for _kind, values in swept(route)] if route.params else [route.url()]
        methods = route.methods()
        for url in urls:
            for odd in ODD:
                if "get" in methods and not route.params:
                    yield "get", url, {"data": {"page": odd, "page_size": odd}}
                if "post" in methods and prefix != "api-v1":
                    yield "post", url, {"data": dict.fromkeys(fields, odd)}
                if prefix == "api-v1" and "patch" in methods:
                    yield "patch", url, {"data": {}, "content_type": "application/json", "HTTP_IF_MATCH": f'"{odd}"'}


@pytest.mark.parametrize("side", ["staff", "client"])
def test_odd_numbers_anywhere_are_never_a_server_error(two_worlds, admin_user, side, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    fields = posted_fields()
    assert {"version", "page", "engineer", "depends_on", "lag_days", "amends"} <= fields  # the walk reads the views
    fields.add("id")  # read by core.numbers.posted_ids
    http = Client(raise_request_exception=False)
    http.force_login(admin_user if side == "staff" else two_worlds["users"]["A"])
    requests = list(_requests(side, two_worlds["ids"]["A"], fields))
    assert len(requests) > 200
    errors = _server_errors(http, requests)
    assert not errors, "\n".join(errors)
