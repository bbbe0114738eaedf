import pytest

from clients.filters import ClientFilterSet, DeviceFilterSet
from clients.models import Client, Device
from tests.factories import ClientFactory, DeviceClassificationFactory, DeviceFactory

pytestmark = pytest.mark.django_db


def filtered(filterset_class, queryset, **params):
    filterset = filterset_class(data=params, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def test_status_list_and_kind():
    ClientFactory(code="A1", status="active")
    ClientFactory(code="P1", status="prospect")
    ClientFactory(code="I1", status="inactive", kind="importer")
    codes = set(
        filtered(ClientFilterSet, Client.objects.all(), status="active,prospect").values_list("code", flat=True)
    )
    assert codes == {"A1", "P1"}
    assert list(filtered(ClientFilterSet, Client.objects.all(), kind="importer").values_list("code", flat=True)) == [
        "I1"
    ]


def test_q_searches_code_and_both_names_word_by_word():
    ClientFactory(code="KANGNUO", name_zh="杭州康诺医疗", name_en="Hangzhou Kangnuo Medical")
    ClientFactory(code="RUILAN", name_zh="苏州瑞澜", name_en="Suzhou Ruilan Biomaterials")
    assert filtered(ClientFilterSet, Client.objects.all(), q="康诺").get().code == "KANGNUO"
    assert filtered(ClientFilterSet, Client.objects.all(), q="ruilan bio").get().code == "RUILAN"
    assert filtered(ClientFilterSet, Client.objects.all(), q="kangnuo biomaterials").count() == 0


def test_country_list_and_ordering():
    ClientFactory(code="DE1", country="DE", kind="overseas", uscc="")
    ClientFactory(code="CN1", country="CN")
    rows = filtered(ClientFilterSet, Client.objects.all(), country="de,cn", ordering="-code")
    assert list(rows.values_list("code", flat=True)) == ["DE1", "CN1"]


def test_market_and_class_together_mean_this_class_in_this_market():
    both = DeviceFactory(name_en="Both")
    DeviceClassificationFactory(device=both, market="CN", device_class="III")
    mixed = DeviceFactory(name_en="Mixed")
    DeviceClassificationFactory(device=mixed, market="CN", device_class="II")
    DeviceClassificationFactory(device=mixed, market="US", device_class="III")
    rows = filtered(DeviceFilterSet, Device.objects.all(), market="CN", device_class="III")
    assert list(rows.values_list("name_en", flat=True)) == ["Both"]
    assert filtered(DeviceFilterSet, Device.objects.all(), market="US").get().name_en == "Mixed"
    assert filtered(DeviceFilterSet, Device.objects.all(), device_class="III").count() == 2


def test_api_filters_reach_the_filterset(api, pm):
    ClientFactory(code="A1", status="active")
    ClientFactory(code="P1", status="prospect")
    body = api.as_user(pm).get("/api/v1/clients/?status=prospect").json()
    assert [row["code"] for row in body["results"]] == ["P1"]


# --- Filters on internal fields are not offered to client users (the safety issue, item 6) ----------------------
STAFF_ONLY_FILTERS = [
    ("/api/v1/clients/", "account_manager"),
    ("/api/v1/projects/", "project_manager"),
    ("/api/v1/milestones/", "owner"),
    ("/api/v1/test-orders/", "engineer"),
    ("/api/v1/test-items/", "engineer"),
]


@pytest.mark.parametrize(("url", "name"), STAFF_ONLY_FILTERS)
def test_a_client_user_gets_the_same_answer_whatever_a_staff_only_filter_says(api, client_a, user_a, url, name):
    from tests.factories import ProjectFactory, StaffUserFactory

    staff = StaffUserFactory(roles=["lab"], username="someone_staff")
    client_a.account_manager = staff
    client_a.save()
    ProjectFactory(client=client_a, project_manager=staff)
    api.as_user(user_a)
    unfiltered = api.get(url)
    assert unfiltered.status_code == 200
    for value in (staff.pk, user_a.pk, 999_999, "not-an-id"):
        response = api.get(url, {name: value})
        assert response.status_code == 200, (name, value, response.content)
        assert response.json()["count"] == unfiltered.json()["count"]


@pytest.mark.parametrize(("url", "name"), STAFF_ONLY_FILTERS)
def test_staff_keep_the_staff_only_filters(api, admin_user, user_a, url, name):
    api.as_user(admin_user)
    assert api.get(url, {name: admin_user.pk}).status_code == 200
    assert api.get(url, {name: user_a.pk}).status_code == 404  # not a staff user: like opening it
