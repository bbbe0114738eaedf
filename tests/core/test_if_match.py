"""Optimistic locking (``core/api/viewsets.py``): ``If-Match`` names the version the client last read. Absent or
``*`` means "whatever it is now"; a stale version is 412; anything that is not a version can never match — 412,
never silently ignored — and nothing changes."""

import pytest

from core.api.viewsets import parse_if_match
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("", None), ("*", None), (" * ", None), ('"3"', 3), ('W/"3"', 3), ("3", 3), ('"3", "4"', 3),
     ("W/12", 12), ('"' + "9" * 18 + '"', 10**18 - 1),
     ('"abc"', -1), ('"X3"', -1), ('"-1"', -1), ('"3.0"', -1), ('"٣"', -1), ('"' + "9" * 19 + '"', -1), ("W/", -1),
     ('""', -1)],
)  # fmt: skip
def test_parse_if_match(header, expected):
    assert parse_if_match(header) == expected


@pytest.mark.parametrize("header", ['"abc"', '"0"', '"99"', "W/xyz", '"1.0"'])
def test_a_garbage_or_stale_if_match_is_412_and_changes_nothing(api, pm, header):
    client = ClientFactory(name_en="Before")
    response = api.as_user(pm).patch(f"/api/v1/clients/{client.id}/", {"name_en": "After"}, format="json",
                                     HTTP_IF_MATCH=header)  # fmt: skip
    assert response.status_code == 412, response.content
    client.refresh_from_db()
    assert (client.name_en, client.version) == ("Before", 1)


@pytest.mark.parametrize("header", ['"1"', 'W/"1"', "*"])
def test_the_current_version_or_a_wildcard_matches(api, pm, header):
    client = ClientFactory(name_en="Before")
    response = api.as_user(pm).patch(f"/api/v1/clients/{client.id}/", {"name_en": "After"}, format="json",
                                     HTTP_IF_MATCH=header)  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
