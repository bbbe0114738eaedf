"""The projects list's lean read path answers exactly what the serializers write — staff and client, both
languages, deep pages, filters and orderings — in at most four queries with token auth at any page size."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import User
from clients.models import Device
from projects.api.serializers import ProjectOutputSerializer, ProjectPublicSerializer
from projects.selectors import project_list
from tests.factories import ClientUserFactory, DeviceFactory, ProjectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(client_a):
    pm = StaffUserFactory(roles=["project_manager"], username="pm_rows", display_name="", first_name="Fang",
                          last_name="Wang")  # fmt: skip
    made = []
    for n in range(7):
        project = ProjectFactory(client=client_a, project_manager=pm if n % 2 else None,
                                 contract_value=Decimal("1234.5") if n % 3 else None, status="active",
                                 target_date=date(2027, 1, n + 1) if n % 2 else None)  # fmt: skip
        if n % 3 == 0:
            project.devices.add(DeviceFactory(client=client_a, name_en="", name_zh=f"设备{n}"),
                                DeviceFactory(client=client_a, name_en=f"Device {n}", name_zh=""))  # fmt: skip
        made.append(project)
    return made


def token_client(user, language="en"):
    _token, key = AuthToken.objects.create(user=user)
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE=language)


def serialized(user, serializer, query: dict, language: str) -> list[dict]:
    """What the serializer writes for the same rows, in the same order (the reference)."""
    from projects.filters import ProjectFilterSet

    queryset = project_list(user=User.objects.get(pk=user.pk))
    if query:
        queryset = ProjectFilterSet(query, queryset=queryset).qs
    with translation.override(language):
        return json.loads(json.dumps(serializer(queryset, many=True).data))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("query", [{}, {"ordering": "-code"}, {"status": "active", "ordering": "code"}])
def test_staff_rows_match_the_serializer_on_every_page(projects, language, query):
    staff = StaffUserFactory(roles=["viewer"])
    expected = serialized(staff, ProjectOutputSerializer, query, language)
    pages = []
    for page in (1, 2, 3):
        body = token_client(staff, language).get("/api/v1/projects/", {**query, "page_size": 3, "page": page}).json()
        pages += body["results"]
    assert pages == expected
    assert body["count"] == 7 and body["next"] is None and "page=2" in body["previous"]


def test_client_rows_are_the_allowlist_and_match_the_serializer(projects, client_a):
    user = ClientUserFactory(client=client_a)
    expected = serialized(user, ProjectPublicSerializer, {}, "en")
    body = token_client(user).get("/api/v1/projects/").json()
    assert body["results"] == expected
    assert "internal_notes" not in body["results"][0] and "contract_value" not in body["results"][0]


def test_a_page_out_of_range_is_404_as_before(projects):
    response = token_client(StaffUserFactory(roles=["viewer"])).get("/api/v1/projects/", {"page": 9})
    assert response.status_code == 404


def test_four_queries_with_token_auth_at_page_sizes_5_and_200(client_a, django_assert_max_num_queries):
    for n in range(210):
        project = ProjectFactory(client=client_a)
        if n % 10 == 0:
            project.devices.add(Device.objects.filter(client=client_a).first() or DeviceFactory(client=client_a))
    api = token_client(StaffUserFactory(roles=["project_manager"]))
    counts = []
    for size in (5, 200):
        with django_assert_max_num_queries(4, info=str(size)) as captured:
            assert len(api.get("/api/v1/projects/", {"page_size": size}).json()["results"]) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
