"""The client registry through the REST API: pinned responses, errors, locking, history, languages."""

import pytest

from clients.models import Client
from tests.factories import ClientFactory, ContactFactory, DeviceClassificationFactory, DeviceFactory
from tests.utils import pinned

pytestmark = pytest.mark.django_db


@pytest.fixture
def kangnuo(pm):
    agent = ClientFactory(code="QIHENG", name_zh="上海启衡", name_en="Qiheng", kind="importer")
    return ClientFactory(
        code="KANGNUO",
        name_zh="杭州康诺医疗科技有限公司",
        name_en="Hangzhou Kangnuo Medical",
        uscc="",
        kind="overseas",
        country="DE",
        agent=agent,
        account_manager=pm,
        internal_notes="Pays late.",
    )


def test_client_detail_pinned(api, pm, kangnuo):
    response = api.as_user(pm).get(f"/api/v1/clients/{kangnuo.id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert pinned(response.json()) == {
        "id": kangnuo.id,
        "code": "KANGNUO",
        "name": "Hangzhou Kangnuo Medical",
        "name_zh": "杭州康诺医疗科技有限公司",
        "name_en": "Hangzhou Kangnuo Medical",
        "uscc": "",
        "country": "DE",
        "kind": "overseas",
        "agent": {"id": kangnuo.agent_id, "code": "QIHENG", "name": "Qiheng"},
        "status": "active",
        "account_manager": {"id": pm.id, "username": "pm1", "display_name": pm.display_name},
        "internal_notes": "Pays late.",
        "allowed_transitions": ["inactive"],
        "created_at": "<datetime>",
        "updated_at": "<datetime>",
        "version": 1,
    }


def test_contact_detail_pinned(api, pm, kangnuo):
    contact = ContactFactory(
        client=kangnuo, name="赵磊", email="zl@kn.example", phone="+86 1", role="qa", is_primary=True
    )
    response = api.as_user(pm).get(f"/api/v1/contacts/{contact.id}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert pinned(response.json()) == {
        "id": contact.id,
        "client": {"id": kangnuo.id, "code": "KANGNUO", "name": "杭州康诺医疗科技有限公司"},
        "name": "赵磊",
        "email": "zl@kn.example",
        "phone": "+86 1",
        "role": "qa",
        "is_primary": True,
        "user": None,
        "created_at": "<datetime>",
        "updated_at": "<datetime>",
        "version": 1,
    }


def test_device_detail_pinned(api, pm, kangnuo):
    device = DeviceFactory(
        client=kangnuo,
        name_zh="医用电子体温计",
        name_en="Thermometer",
        model_numbers=["KN-T100"],
        kind="active",
        has_software=True,
        intended_use="Body temperature.",
    )
    cn = DeviceClassificationFactory(device=device, market="CN", device_class="II", code="07-03-01")
    response = api.as_user(pm).get(f"/api/v1/devices/{device.id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert pinned(response.json()) == {
        "id": device.id,
        "client": {"id": kangnuo.id, "code": "KANGNUO", "name": "Hangzhou Kangnuo Medical"},
        "name": "Thermometer",
        "name_zh": "医用电子体温计",
        "name_en": "Thermometer",
        "model_numbers": ["KN-T100"],
        "kind": "active",
        "sterile": False,
        "implantable": False,
        "has_software": True,
        "administers_medicinal_product": False,
        "intended_use": "Body temperature.",
        "classifications": [
            {
                "id": cn.id,
                "market": "CN",
                "device_class": "II",
                "code": "07-03-01",
                "rationale": "",
                "updated_at": "<datetime>",
                "version": 1,
            }
        ],
        "created_at": "<datetime>",
        "updated_at": "<datetime>",
        "version": 1,
    }


def test_list_shape_and_page_size_cap(api, pm):
    ClientFactory.create_batch(3)
    body = api.as_user(pm).get("/api/v1/clients/?page_size=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert "page=2" in body["next"]
    capped = api.get("/api/v1/clients/?page_size=1000")
    assert capped.status_code == 200
    assert api.get("/api/v1/clients/?page=99").status_code == 404


def test_create_client(api, pm):
    payload = {"code": "NEWCO", "name_en": "NewCo", "kind": "domestic", "uscc": "91330106MA2H7K3N8B"}
    response = api.as_user(pm).post("/api/v1/clients/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "prospect"
    assert Client.objects.get(code="NEWCO").history.get().history_user == pm


def test_wrong_uscc_check_character_is_400_naming_uscc(api, pm):
    payload = {"code": "NEWCO", "name_en": "NewCo", "kind": "domestic", "uscc": "91330106MA2H7K3N8A"}
    response = api.as_user(pm).post("/api/v1/clients/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()) == ["uscc"]
    assert "check character" in response.json()["uscc"][0]
    assert not Client.objects.filter(code="NEWCO").exists()


def test_model_rules_are_400_with_field_errors(api, pm):
    payload = {"code": "NEWCO", "name_en": "NewCo", "kind": "domestic"}  # a Chinese company without USCC
    response = api.as_user(pm).post("/api/v1/clients/", payload, format="json")
    assert response.status_code == 400
    assert "uscc" in response.json()


def test_duplicate_code_is_400(api, pm, kangnuo):
    response = api.as_user(pm).post(
        "/api/v1/clients/", {"code": "KANGNUO", "name_en": "X", "kind": "overseas"}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_illegal_transition_is_409_naming_the_allowed_ones(api, pm):
    client = ClientFactory(status="inactive")
    response = api.as_user(pm).post(f"/api/v1/clients/{client.id}/transition/", {"to": "prospect"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["current"], body["requested"], body["allowed"]) == (
        "illegal_transition",
        "inactive",
        "prospect",
        ["active"],
    )
    client.refresh_from_db()
    assert (client.status, client.version) == ("inactive", 1)


def test_transition_to_an_unknown_status_is_400(api, pm):
    client = ClientFactory()
    response = api.as_user(pm).post(f"/api/v1/clients/{client.id}/transition/", {"to": "bogus"}, format="json")
    assert response.status_code == 400
    assert "to" in response.json()


def test_reactivation(api, pm):
    client = ClientFactory(status="inactive")
    response = api.as_user(pm).post(f"/api/v1/clients/{client.id}/transition/", {"to": "active"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response["ETag"] == '"2"'


def test_stale_if_match_is_412_and_changes_nothing(api, pm):
    client = ClientFactory(name_en="Original")
    api.as_user(pm)
    etag = api.get(f"/api/v1/clients/{client.id}/")["ETag"]
    first = api.patch(f"/api/v1/clients/{client.id}/", {"name_en": "First"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] == '"2"'
    stale = api.patch(f"/api/v1/clients/{client.id}/", {"name_en": "Second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    client.refresh_from_db()
    assert (client.name_en, client.version) == ("First", 2)


def test_stale_if_match_on_transition_and_delete(api, admin_user):
    client = ClientFactory(status="active", version=3)
    api.as_user(admin_user)
    url = f"/api/v1/clients/{client.id}/"
    assert api.post(url + "transition/", {"to": "inactive"}, format="json", HTTP_IF_MATCH='"2"').status_code == 412
    assert api.delete(url, HTTP_IF_MATCH='"2"').status_code == 412
    assert Client.objects.get(pk=client.pk).status == "active"


def test_if_match_is_optional(api, pm):
    client = ClientFactory()
    response = api.as_user(pm).patch(f"/api/v1/clients/{client.id}/", {"name_en": "Changed"}, format="json")
    assert response.status_code == 200


def test_delete_of_a_referenced_client_is_409(api, admin_user):
    device = DeviceFactory()
    response = api.as_user(admin_user).delete(f"/api/v1/clients/{device.client_id}/")
    assert response.status_code == 409
    assert Client.objects.filter(pk=device.client_id).exists()


def test_chinese_error_messages_for_zh_cn(api, pm):
    payload = {"code": "NEWCO", "name_en": "NewCo", "kind": "domestic", "uscc": "91330106MA2H7K3N8A"}
    response = api.as_user(pm).post("/api/v1/clients/", payload, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 400
    assert response["Content-Language"] == "zh-hans"
    assert "校验码" in response.json()["uscc"][0]
    client = ClientFactory(status="inactive")
    conflict = api.post(
        f"/api/v1/clients/{client.id}/transition/", {"to": "prospect"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert "不能" in conflict.json()["detail"]
    not_found = api.get("/api/v1/clients/999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert not_found.status_code == 404
    assert not_found.json()["detail"] == "未找到。"


def test_user_language_applies_without_accept_language(api, pm):
    pm.language = "zh-hans"
    pm.save()
    response = api.as_user(pm).get("/api/v1/clients/999999/")
    assert response.json()["detail"] == "未找到。"


def test_history_shows_field_changes_with_their_author(api, pm):
    client = ClientFactory(name_en="Before")
    api.as_user(pm).patch(f"/api/v1/clients/{client.id}/", {"name_en": "After"}, format="json")
    api.post(f"/api/v1/clients/{client.id}/transition/", {"to": "inactive", "reason": "contract ended"}, format="json")
    body = api.get(f"/api/v1/clients/{client.id}/history/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["count"] == 3
    transition, edit, created = body["results"]
    assert created["type"] == "created"
    assert edit["user"]["username"] == pm.username
    assert edit["changes"] == [{"field": "name_en", "label": "name (English)", "old": "Before", "new": "After"}]
    assert transition["changes"] == [{"field": "status", "label": "status", "old": "active", "new": "inactive"}]
    assert transition["reason"] == "status: active → inactive (contract ended)"


def test_device_classifications_are_written_through_the_device(api):
    from tests.factories import StaffUserFactory

    regulatory = StaffUserFactory(roles=["regulatory"])
    device = DeviceFactory()
    api.as_user(regulatory)
    url = f"/api/v1/devices/{device.id}/classifications/"
    created = api.post(url, {"market": "EU", "device_class": "IIa", "code": "Rule 10"}, format="json")
    assert created.status_code == 201, created.json()
    wrong = api.post(url, {"market": "EU", "device_class": "II"}, format="json")
    assert wrong.status_code == 400
    assert "device_class" in wrong.json()
    changed = api.patch(url + "EU/", {"device_class": "IIb"}, format="json", HTTP_IF_MATCH='"1"')
    assert (changed.status_code, changed.json()["device_class"], changed["ETag"]) == (200, "IIb", '"2"')
    assert api.patch(url + "EU/", {"device_class": "III"}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
    assert [c["market"] for c in api.get(url).json()] == ["EU"]
    assert api.get(url + "US/").status_code == 404
    assert api.get(f"/api/v1/devices/{device.id}/").json()["classifications"][0]["device_class"] == "IIb"


def test_device_create_with_classifications(api, pm):
    client = ClientFactory()
    payload = {
        "client": client.id,
        "name_en": "Stent",
        "kind": "non_active",
        "sterile": True,
        "implantable": True,
        "model_numbers": ["S-1", "S-2"],
        "classifications": [{"market": "CN", "device_class": "III"}, {"market": "US", "device_class": "III"}],
    }
    response = api.as_user(pm).post("/api/v1/devices/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert [c["market"] for c in response.json()["classifications"]] == ["CN", "US"]
    dup = api.post("/api/v1/devices/", {**payload, "classifications": [{"market": "CN", "device_class": "III"}] * 2})
    assert dup.status_code == 400


def test_device_cannot_change_client_through_update(api, pm):
    device = DeviceFactory()
    other = ClientFactory()
    response = api.as_user(pm).patch(f"/api/v1/devices/{device.id}/", {"client": other.id}, format="json")
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.client_id != other.id


@pytest.mark.parametrize(
    "query",
    ["status=bogus", "kind=x", "agent=abc", "ordering=nope"],
)
def test_bad_filters_are_400(api, pm, query):
    response = api.as_user(pm).get(f"/api/v1/clients/?{query}")
    assert response.status_code == 400, query


def test_malformed_json_is_400(api, pm):
    response = api.as_user(pm).post("/api/v1/clients/", "{not json", content_type="application/json")
    assert response.status_code == 400
