import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from clients.models import DeviceClassification
from tests.factories import ClientFactory, DeviceClassificationFactory, DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("market", "device_class", "ok"),
    [
        ("CN", "III", True),
        ("CN", "IIa", False),
        ("US", "II", True),
        ("US", "Is", False),
        ("EU", "IIb", True),
        ("EU", "Ir", True),
        ("EU", "II", False),
    ],
)
def test_class_is_validated_per_market(market, device_class, ok):
    classification = DeviceClassification(device=DeviceFactory(), market=market, device_class=device_class)
    if ok:
        classification.full_clean()
    else:
        with pytest.raises(ValidationError) as caught:
            classification.full_clean()
        assert "device_class" in caught.value.message_dict


def test_one_classification_per_device_and_market():
    existing = DeviceClassificationFactory(market="CN")
    with pytest.raises(IntegrityError):
        DeviceClassification.objects.create(device=existing.device, market="CN", device_class="III")


def test_domestic_client_needs_uscc_overseas_does_not():
    domestic = ClientFactory.build(code="DOM", kind="domestic", uscc="")
    with pytest.raises(ValidationError) as caught:
        domestic.full_clean()
    assert "uscc" in caught.value.message_dict
    ClientFactory.build(code="FOREIGN", kind="overseas", uscc="", country="DE").full_clean()


def test_agent_rules():
    agent = ClientFactory(kind="importer")
    overseas = ClientFactory.build(code="OVS", kind="overseas", uscc="", country="DE", agent=agent)
    overseas.full_clean()
    domestic_with_agent = ClientFactory.build(code="DOM2", kind="domestic", agent=agent)
    with pytest.raises(ValidationError) as caught:
        domestic_with_agent.full_clean()
    assert "agent" in caught.value.message_dict
    foreign_agent = ClientFactory(code="FAG", kind="overseas", uscc="", country="US")
    with pytest.raises(ValidationError):
        ClientFactory.build(code="OVS2", kind="overseas", uscc="", country="DE", agent=foreign_agent).full_clean()


def test_name_in_active_language_with_fallback():
    from django.utils import translation

    client = ClientFactory.build(name_zh="康诺", name_en="Kangnuo")
    with translation.override("zh-hans"):
        assert client.name == "康诺"
    with translation.override("en"):
        assert client.name == "Kangnuo"
    client.name_en = ""
    with translation.override("en"):
        assert client.name == "康诺"
