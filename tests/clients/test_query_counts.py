"""List endpoints run a constant number of queries, whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.factories import ContactFactory, DeviceClassificationFactory, DeviceFactory

pytestmark = pytest.mark.django_db

ROWS = 60
MAX_QUERIES = 6  # session/token user, roles, membership, count, page (+ one prefetch for devices)


@pytest.fixture
def many_rows(client_a, user_a):
    for device in DeviceFactory.create_batch(ROWS, client=client_a):
        DeviceClassificationFactory(device=device, market="CN")
        DeviceClassificationFactory(device=device, market="EU", device_class="IIa")
    ContactFactory.create_batch(ROWS, client=client_a)
    from tests.factories import ClientFactory

    ClientFactory.create_batch(ROWS, agent=None)


def count_queries(api, user_id, url):
    api.as_user(User.objects.get(pk=user_id))  # a fresh user object per request, as in production
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200, response.content[:200]
    return len(ctx.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("resource", ["clients", "contacts", "devices"])
@pytest.mark.parametrize("who", ["pm", "user_a"])
def test_same_queries_at_page_size_5_and_50(api, many_rows, pm, user_a, resource, who, django_assert_max_num_queries):
    user = pm if who == "pm" else user_a
    small, small_rows = count_queries(api, user.id, f"/api/v1/{resource}/?page_size=5")
    large, large_rows = count_queries(api, user.id, f"/api/v1/{resource}/?page_size=50")
    if not (resource == "clients" and who == "user_a"):
        assert (small_rows, large_rows) == (5, 50)
    assert small == large
    api.as_user(User.objects.get(pk=user.id))
    with django_assert_max_num_queries(MAX_QUERIES):
        api.get(f"/api/v1/{resource}/?page_size=50")


def test_history_is_constant_in_the_number_of_changes(api, pm, client_a):
    from clients.services import client_update

    for i in range(30):
        client_update(client=client_a, actor=pm, data={"name_en": f"Name {i}"})
    api.as_user(User.objects.get(pk=pm.id))
    with CaptureQueriesContext(connection) as ctx:
        body = api.get(f"/api/v1/clients/{client_a.id}/history/?page_size=50").json()
    assert body["count"] == 31
    assert len(ctx.captured_queries) <= MAX_QUERIES
