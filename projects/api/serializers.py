"""Project serializers. ``ProjectPublicSerializer`` is the client users' allowlist: no contract value or
currency, no internal notes, no description, no members, no history."""

from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from accounts.models import User
from clients.api.serializers import ClientSummarySerializer
from clients.models import Client, Device
from core.api.serializers import InputModelSerializer
from projects.models import Project, ProjectMembership
from projects.services import PROJECT_STATUS


class DeviceSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Device
        fields = ["id", "name"]


class ProjectSummarySerializer(serializers.ModelSerializer):
    """How a project appears inside other resources."""

    class Meta:
        model = Project
        fields = ["id", "code", "title"]


class ProjectPublicSerializer(serializers.ModelSerializer):
    client = ClientSummarySerializer(read_only=True)
    devices = DeviceSummarySerializer(many=True, read_only=True)
    project_manager = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id", "code", "title", "client", "devices", "service_type", "status", "project_manager", "start_date",
            "target_date", "priority", "client_summary", "health", "authority_overdue", "progress", "next_due_date",
            "created_at", "updated_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class ProjectOutputSerializer(ProjectPublicSerializer):
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(ProjectPublicSerializer.Meta):
        fields = [
            *ProjectPublicSerializer.Meta.fields,
            "contract_number", "contract_value", "contract_currency", "description", "internal_notes",
            "allowed_transitions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_allowed_transitions(self, project) -> list[str]:
        return PROJECT_STATUS.allowed(project.status)


class ProjectInputSerializer(InputModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    devices = serializers.PrimaryKeyRelatedField(queryset=Device.objects.all(), many=True, required=False)
    project_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Project
        fields = [
            "title", "client", "devices", "service_type", "project_manager", "start_date", "target_date",
            "contract_number", "contract_value", "contract_currency", "priority", "description", "client_summary",
            "internal_notes",
        ]  # fmt: skip


class ProjectUpdateSerializer(ProjectInputSerializer):
    client = None

    class Meta(ProjectInputSerializer.Meta):
        fields = [f for f in ProjectInputSerializer.Meta.fields if f != "client"]


class ProjectMemberSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = ProjectMembership
        fields = ["user", "role"]
