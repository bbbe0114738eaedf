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
