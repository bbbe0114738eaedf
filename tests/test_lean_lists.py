"""The lean read path of the hot lists (issue 19) answers exactly what the serializers write: projects, milestones
and test orders, for staff and for a client user (the allowlist), in both languages, page after page, with and
without filters — on the rich world of ``tests.world`` (two clients, plans, orders, reports)."""

import json

import pytest
from django.utils import translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import User
from labtests import selectors as lab_selectors
from labtests.api.serializers import TestOrderOutputSerializer, TestOrderPublicSerializer
from labtests.filters import TestOrderFilterSet
from milestones.api.serializers import MilestoneOutputSerializer, MilestonePublicSerializer
from milestones.filters import MilestoneFilterSet
from milestones.selectors import milestone_list
from projects.api.serializers import ProjectOutputSerializer, ProjectPublicSerializer
from projects.filters import ProjectFilterSet
from projects.selectors import project_list
from tests.factories import ClientUserFactory, StaffUserFactory
from tests.world import build_world, staff_people

pytestmark = pytest.mark.django_db

RESOURCES = {
    "projects": (project_list, ProjectFilterSet, ProjectOutputSerializer, ProjectPublicSerializer,
                 {"status": "active"}),
    "milestones": (milestone_list, MilestoneFilterSet, MilestoneOutputSerializer, MilestonePublicSerializer,
                   {"status": "not_started", "ordering": "-due_date"}),
    "test-orders": (lab_selectors.test_order_list, TestOrderFilterSet, TestOrderOutputSerializer,
                    TestOrderPublicSerializer, {"status": "report_issued,closed"}),
}  # fmt: skip


@pytest.fixture
def worlds(client_a, client_b):
    people = staff_people()
    build_world(client_a, people)
    build_world(client_b, people)
    return people


def reference(user, resource: str, query: dict, language: str, *, public: bool) -> list[dict]:
    selector, filterset, staff, client, _filters = RESOURCES[resource]
    queryset = selector(user=User.objects.get(pk=user.pk))
    if query:
        queryset = filterset(query, queryset=queryset).qs
    from core.api.rows import ordering_of

    queryset = queryset.order_by(*ordering_of(queryset))  # the lists' total order (the id last)
    with translation.override(language):
        return json.loads(json.dumps((client if public else staff)(queryset, many=True).data))


def pages(user, resource: str, query: dict, language: str, size: int = 4) -> list[dict]:
    _token, key = AuthToken.objects.create(user=user)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE=language)
    rows, page = [], 1
    while True:
        response = api.get(f"/api/v1/{resource}/", {**query, "page_size": size, "page": page})
        assert response.status_code == 200, response.content[:300]
        rows += response.json()["results"]
        if response.json()["next"] is None:
            return rows
        page += 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("resource", list(RESOURCES))
def test_the_lean_lists_answer_what_the_serializers_write(worlds, client_a, resource, language):
    staff = StaffUserFactory(roles=["viewer"])
    client_user = ClientUserFactory(client=client_a)
    filters = RESOURCES[resource][4]
    for query in ({}, filters):
        expected = reference(staff, resource, query, language, public=False)
        assert expected, (resource, query)  # the comparison compares something
        assert pages(staff, resource, query, language) == expected
        expected = reference(client_user, resource, query, language, public=True)
        assert pages(client_user, resource, query, language) == expected
