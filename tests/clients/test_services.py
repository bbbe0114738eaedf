import pytest
from django.core.exceptions import ValidationError

from clients.models import Contact
from clients.services import (
    client_create,
    client_membership_create,
    client_transition,
    contact_create,
    contact_update,
    device_classification_set,
    device_create,
)
from core.exceptions import TransitionNotAllowed
from tests.factories import ClientFactory, ContactFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_client_create_starts_as_prospect_and_is_audited():
    pm = StaffUserFactory(roles=["project_manager"])
    client = client_create(actor=pm, code="NEWCO", kind="overseas", name_en="NewCo GmbH", country="DE")
    assert client.status == "prospect"
    assert client.history.get().history_user == pm


def test_client_create_refuses_a_non_staff_account_manager():
    with pytest.raises(ValidationError) as caught:
        client_create(
            actor=None, code="NEWCO", kind="overseas", name_en="N", country="DE", account_manager=UserFactory()
        )
    assert "account_manager" in caught.value.message_dict


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        (["active"], True),
        (["active", "inactive", "active"], True),
        (["inactive"], False),
        (["active", "prospect"], False),
    ],
)
def test_client_status_machine(path, ok):
    client = ClientFactory(status="prospect")
    if ok:
        for to in path:
            client = client_transition(client=client, actor=None, to=to)
        assert client.status == path[-1]
    else:
        with pytest.raises(TransitionNotAllowed):
            for to in path:
                client = client_transition(client=client, actor=None, to=to)


def test_naming_a_new_primary_contact_demotes_the_old_one():
    client = ClientFactory()
    first = contact_create(actor=None, client=client, name="First", is_primary=True)
    second = contact_create(actor=None, client=client, name="Second", is_primary=True)
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    contact_update(contact=first, actor=None, data={"is_primary": True})
    assert list(Contact.objects.filter(client=client, is_primary=True).values_list("name", flat=True)) == ["First"]


def test_contact_log_in_must_be_a_user_of_the_same_client():
    contact = ContactFactory()
    stranger = UserFactory()
    client_membership_create(user=stranger, client=ClientFactory())
    with pytest.raises(ValidationError) as caught:
        contact_update(contact=contact, actor=None, data={"user": stranger})
    assert "user" in caught.value.message_dict


def test_staff_cannot_become_client_users():
    with pytest.raises(ValidationError):
        client_membership_create(user=StaffUserFactory(roles=["viewer"]), client=ClientFactory())


def test_a_client_user_belongs_to_one_client_only():
    user = UserFactory()
    client_membership_create(user=user, client=ClientFactory())
    with pytest.raises(ValidationError):
        client_membership_create(user=user, client=ClientFactory())


def test_device_create_with_classifications_and_upsert_per_market():
    device = device_create(
        actor=None,
        client=ClientFactory(),
        kind="active",
        name_en="Thermometer",
        classifications=[{"market": "CN", "device_class": "II"}, {"market": "EU", "device_class": "IIa"}],
    )
    assert sorted(device.classifications.values_list("market", "device_class")) == [("CN", "II"), ("EU", "IIa")]
    changed = device_classification_set(device=device, actor=None, market="CN", device_class="III")
    assert (changed.device_class, changed.version) == ("III", 2)
    assert device.classifications.count() == 2
