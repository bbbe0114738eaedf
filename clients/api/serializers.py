"""Input and output serializers of the client registry.

Output comes in two explicit allowlists: the staff view and the client view (``*PublicSerializer``), which
never carries an internal field (``internal_notes``, the account manager, portal log-ins) or history.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import MeOutputSerializer as AccountMeOutputSerializer
from accounts.api.serializers import UserSummarySerializer
from accounts.models import User
from clients.access import access_for
from clients.models import Client, Contact, Device, DeviceClassification
from clients.selectors import client_for_user
from clients.services import CLIENT_STATUS
from core.api.fields import OptionalEmailField
from core.api.serializers import InputModelSerializer


class ClientSummarySerializer(serializers.ModelSerializer):
    """How a client appears inside other resources: ``{"id", "code", "name"}``."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = Client
        fields = ["id", "code", "name"]


# --- Client ---------------------------------------------------------------------------------------------------
class ClientPublicSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    agent = ClientSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Client
        fields = [
            "id", "code", "name", "name_zh", "name_en", "uscc", "country", "kind", "agent", "status",
            "created_at", "updated_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class ClientOutputSerializer(ClientPublicSerializer):
    account_manager = UserSummarySerializer(read_only=True, allow_null=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(ClientPublicSerializer.Meta):
        fields = [*ClientPublicSerializer.Meta.fields, "account_manager", "internal_notes", "allowed_transitions"]
        read_only_fields = fields

    def get_allowed_transitions(self, client) -> list[str]:
        return CLIENT_STATUS.allowed(client.status)


class ClientInputSerializer(InputModelSerializer):
    agent = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all(), allow_null=True, required=False)
    account_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Client
        fields = ["code", "name_zh", "name_en", "uscc", "country", "kind", "agent", "account_manager", "internal_notes"]


# --- Contact --------------------------------------------------------------------------------------------------
class ContactPublicSerializer(serializers.ModelSerializer):
    client = ClientSummarySerializer(read_only=True)
    email = OptionalEmailField(read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "client", "name", "email", "phone", "role", "is_primary", "created_at", "updated_at", "version"]
        read_only_fields = fields


class ContactOutputSerializer(ContactPublicSerializer):
    class Meta(ContactPublicSerializer.Meta):
        fields = [*ContactPublicSerializer.Meta.fields, "user"]
        read_only_fields = fields


class ContactInputSerializer(InputModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Contact
        fields = ["client", "name", "email", "phone", "role", "is_primary", "user"]


class ContactUpdateSerializer(ContactInputSerializer):
    client = None

    class Meta(ContactInputSerializer.Meta):
        fields = ["name", "email", "phone", "role", "is_primary", "user"]


# --- Device ---------------------------------------------------------------------------------------------------
class DeviceClassificationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeviceClassification
        fields = ["id", "market", "device_class", "code", "rationale", "updated_at", "version"]
        read_only_fields = fields


class DeviceClassificationInputSerializer(InputModelSerializer):
    class Meta:
        model = DeviceClassification
        fields = ["market", "device_class", "code", "rationale"]
        validators = []  # (device, market) uniqueness: the service creates or updates per market


class DeviceClassificationUpdateSerializer(InputModelSerializer):
    class Meta:
        model = DeviceClassification
        fields = ["device_class", "code", "rationale"]


class DevicePublicSerializer(serializers.ModelSerializer):
    client = ClientSummarySerializer(read_only=True)
    name = serializers.CharField(read_only=True)
    classifications = DeviceClassificationOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Device
        fields = [
            "id", "client", "name", "name_zh", "name_en", "model_numbers", "kind", "sterile", "implantable",
            "has_software", "administers_medicinal_product", "intended_use", "classifications", "created_at",
            "updated_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class DeviceOutputSerializer(DevicePublicSerializer):
    class Meta(DevicePublicSerializer.Meta):
        pass


class DeviceInputSerializer(InputModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    model_numbers = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=200, default=list
    )
    classifications = DeviceClassificationInputSerializer(many=True, required=False)

    class Meta:
        model = Device
        fields = [
            "client", "name_zh", "name_en", "model_numbers", "kind", "sterile", "implantable", "has_software",
            "administers_medicinal_product", "intended_use", "classifications",
        ]  # fmt: skip

    def validate_classifications(self, value):
        markets = [item["market"] for item in value]
        if len(markets) != len(set(markets)):
            raise serializers.ValidationError(_("One classification per market."))
        return value


class DeviceUpdateSerializer(DeviceInputSerializer):
    client = None
    classifications = None

    class Meta(DeviceInputSerializer.Meta):
        fields = [
            "name_zh", "name_en", "model_numbers", "kind", "sterile", "implantable", "has_software",
            "administers_medicinal_product", "intended_use",
        ]  # fmt: skip


class MeOutputSerializer(AccountMeOutputSerializer):
    """``/me/`` with the client a portal user belongs to (null for staff)."""

    client = serializers.SerializerMethodField()

    class Meta(AccountMeOutputSerializer.Meta):
        fields = [*AccountMeOutputSerializer.Meta.fields, "client"]

    @extend_schema_field(ClientSummarySerializer(allow_null=True))
    def get_client(self, user):
        client = client_for_user(user=user) if access_for(user).is_client_user else None
        return ClientSummarySerializer(client).data if client else None
