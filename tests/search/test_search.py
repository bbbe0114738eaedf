"""Global search: by code, name or number in both languages' names, grouped by kind, scoped like every read."""

import pytest
from django.db import connection

from milestones.models import Submission
from tests.factories import ClientFactory, ProjectFactory
from tests.world import build_world, staff_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def worlds(client_a, client_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    people = staff_people()
    type(client_a).objects.filter(pk=client_a.pk).update(name_zh="杭州康诺医疗器械有限公司")
    world_a, world_b = build_world(client_a, people), build_world(client_b, people)
    Submission.objects.filter(pk=world_a.submission.pk).update(reference_number="浙械注准20262070123")
    return {"A": world_a, "B": world_b, "people": people}


def test_staff_find_a_project_by_its_clients_chinese_name_a_submission_by_reference_and_an_order(api, worlds):
    api.as_user(worlds["people"]["pm"])
    by_name = api.get("/api/v1/search/", {"q": "康诺"}).json()
    assert worlds["A"].submission.project_id in [hit["id"] for hit in by_name["projects"]]
    assert by_name["clients"][0]["label"].endswith("杭州康诺医疗器械有限公司")
    by_reference = api.get("/api/v1/search/", {"q": "20262070123"}).json()
    assert [hit["id"] for hit in by_reference["submissions"]] == [worlds["A"].submission.pk]
    by_number = api.get("/api/v1/search/", {"q": worlds["B"].order.number}).json()
    assert [hit["id"] for hit in by_number["test_orders"]] == [worlds["B"].order.pk]


def test_a_client_user_finds_nothing_of_another_client(api, worlds, user_b, user_a):
    api.as_user(user_b)
    assert api.get("/api/v1/search/", {"q": "康诺"}).json() == {}
    assert api.get("/api/v1/search/", {"q": worlds["A"].order.number}).json() == {}
    assert api.get("/api/v1/search/", {"q": "20262070123"}).json() == {}
    mine = api.as_user(user_a).get("/api/v1/search/", {"q": worlds["A"].order.number}).json()
    assert [hit["id"] for hit in mine["test_orders"]] == [worlds["A"].order.pk]


def test_too_short_a_query_finds_nothing_and_anonymous_is_401(api, worlds):
    assert api.get("/api/v1/search/", {"q": "P"}).status_code == 401
    assert api.as_user(worlds["people"]["pm"]).get("/api/v1/search/", {"q": "P"}).json() == {}


def test_the_search_page_groups_hits_and_the_header_gets_the_drop_down(client, worlds):
    client.force_login(worlds["people"]["pm"])
    page = client.get("/search/", {"q": "康诺"}).content.decode()
    assert "Projects" in page and "Clients" in page and worlds["A"].submission.project.code in page
    fragment = client.get("/search/", {"q": "康诺"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div class="search-hits"') and "<html" not in fragment
    assert 'role="option"' in fragment


def test_search_queries_are_one_per_kind(api, worlds, django_assert_max_num_queries):
    for n in range(30):
        ProjectFactory(client=ClientFactory(name_zh=f"康诺分公司{n}"))
    api.as_user(worlds["people"]["pm"])
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/search/", {"q": "康诺"}).json()
    assert len(body["projects"]) == 5 and len(body["clients"]) == 5


def test_postgresql_has_trigram_indexes_for_the_search(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search_%%_trgm'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"search_project_title_trgm", "search_submission_reference_number_trgm"} <= names
