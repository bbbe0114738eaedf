import pytest
from django.core.exceptions import ValidationError

from clients.services import CLIENT_STATUS
from core.exceptions import StaleVersion, TransitionNotAllowed
from core.services import record_transition, record_update
from tests.factories import ClientFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def test_update_bumps_version_and_records_author():
    client = ClientFactory(name_en="Old name")
    pm = StaffUserFactory(roles=["project_manager"])
    updated = record_update(instance=client, actor=pm, data={"name_en": "New name"}, expected_version=1)
    assert updated.version == 2
    latest = updated.history.first()
    assert latest.history_user == pm
    assert latest.name_en == "New name"


def test_update_with_stale_version_changes_nothing():
    client = ClientFactory(name_en="Old name")
    record_update(instance=client, actor=None, data={"name_en": "Second"})
    with pytest.raises(StaleVersion) as caught:
        record_update(instance=client, actor=None, data={"name_en": "Third"}, expected_version=1)
    assert caught.value.current_version == 2
    client.refresh_from_db()
    assert client.name_en == "Second"


def test_update_that_changes_nothing_keeps_the_version():
    client = ClientFactory(name_en="Same")
    updated = record_update(instance=client, actor=None, data={"name_en": "Same"})
    assert updated.version == 1
    assert updated.history.count() == 1


def test_update_is_validated():
    client = ClientFactory()
    with pytest.raises(ValidationError) as caught:
        record_update(instance=client, actor=None, data={"uscc": "91330106MA2H7K3N8A"})
    assert "uscc" in caught.value.message_dict


def test_transition_is_audited_with_its_reason():
    client = ClientFactory(status="active")
    client, previous = record_transition(
        instance=client, machine=CLIENT_STATUS, to="inactive", actor=None, reason="left"
    )
    assert previous == "active"
    assert client.history.first().history_change_reason == "status: active → inactive (left)"


def test_illegal_transition_changes_nothing():
    client = ClientFactory(status="inactive")
    with pytest.raises(TransitionNotAllowed):
        record_transition(instance=client, machine=CLIENT_STATUS, to="prospect", actor=None)
    client.refresh_from_db()
    assert (client.status, client.version) == ("inactive", 1)
