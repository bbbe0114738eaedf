"""Lab serializers. Client users get the ``*Public`` allowlists: no prices, no internal notes, no engineers,
no storage locations, and an item's verdict and result only once it is verified."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from clients.api.serializers import ClientSummarySerializer
from core.api.fields import BusinessDateField
from core.api.serializers import InputModelSerializer
from core.models import Attachment
from labtests.choices import ItemStatus, OrderStatus, Verdict
from labtests.models import Sample, Standard, TestItem, TestOrder, TestReport, TestService
from labtests.services import ITEM_STATUS, ORDER_STATUS
from milestones.models import Milestone
from projects.api.serializers import ProjectSummarySerializer


class ReportFileSerializer(serializers.ModelSerializer):
    """A report's file (the conversations app serves the attachments resource itself)."""

    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "client_visible", "created_at", "download"]

    def get_download(self, attachment) -> str:
        return reverse("api-v1:attachment-download", args=[attachment.pk])


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    owner_type = serializers.ChoiceField(choices=["test_order", "sample", "test_item", "project"])
    owner_id = serializers.IntegerField(min_value=1)
    client_visible = serializers.BooleanField(default=False)


# --- Catalogue --------------------------------------------------------------------------------------------------
class StandardSerializer(InputModelSerializer):
    class Meta:
        model = Standard
        fields = ["id", "code", "title_zh", "title_en", "equivalent", "status", "effective_date", "version"]
        read_only_fields = ["id", "version"]


class TestServicePublicSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    standards = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = TestService
        fields = [
            "id", "code", "name", "name_zh", "name_en", "lab_section", "standards", "turnaround_days",
            "turnaround_calendar", "cma", "cnas", "active", "version",
        ]  # fmt: skip
        read_only_fields = fields


class TestServiceOutputSerializer(TestServicePublicSerializer):
    class Meta(TestServicePublicSerializer.Meta):
        fields = [*TestServicePublicSerializer.Meta.fields, "price"]
        read_only_fields = fields


class TestServiceUpdateSerializer(InputModelSerializer):
    class Meta:
        model = TestService
        fields = ["name_zh", "name_en", "turnaround_days", "turnaround_calendar", "cma", "cnas", "price", "active"]


class ServiceSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = TestService
        fields = ["id", "code", "name", "lab_section"]


# --- Orders -----------------------------------------------------------------------------------------------------
class TestOrderPublicSerializer(serializers.ModelSerializer):
    client = ClientSummarySerializer(read_only=True)
    project = ProjectSummarySerializer(read_only=True)

    class Meta:
        model = TestOrder
        fields = [
            "id", "number", "client", "project", "purpose", "priority", "status", "received_on", "due_date",
            "due_provisional", "created_at", "updated_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class TestOrderOutputSerializer(TestOrderPublicSerializer):
    requested_by = UserSummarySerializer(read_only=True, allow_null=True)
    held_from = serializers.ChoiceField(
        choices=OrderStatus.choices, allow_blank=True, read_only=True, help_text=_("Empty unless the order is on hold.")
    )
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(TestOrderPublicSerializer.Meta):
        fields = [
            *TestOrderPublicSerializer.Meta.fields, "milestone", "requested_by", "held_from", "held_on", "hold_days",
            "due_date_manual", "retention_days", "disposition_due", "rejection_reason", "internal_notes",
            "allowed_transitions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_allowed_transitions(self, order) -> list[str]:
        return ORDER_STATUS.allowed(order.status)


class TestOrderInputSerializer(InputModelSerializer):
    services = serializers.PrimaryKeyRelatedField(queryset=TestService.objects.filter(active=True), many=True)
    milestone = serializers.PrimaryKeyRelatedField(queryset=Milestone.objects.all(), allow_null=True, required=False)

    class Meta:
        model = TestOrder
        fields = ["client", "project", "milestone", "services", "purpose", "priority", "internal_notes"]


class TestOrderUpdateSerializer(InputModelSerializer):
    class Meta:
        model = TestOrder
        fields = ["purpose", "priority", "internal_notes"]


class SampleInputSerializer(InputModelSerializer):
    class Meta:
        model = Sample
        fields = [
            "identifier",
            "model",
            "serial",
            "quantity",
            "condition_on_receipt",
            "storage_location",
            "items",
        ]

    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100,
        help_text=_("Ids of the order's test items this sample serves (default: every non-destructive item)."),
    )  # fmt: skip


class ReceiveInputSerializer(serializers.Serializer):
    received_on = BusinessDateField(required=False, allow_null=True, default=None)
    retention_days = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                              max_value=3650)  # fmt: skip
    samples = SampleInputSerializer(many=True, allow_empty=False, max_length=200)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class PasswordInputSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=200, trim_whitespace=False, help_text=_("The approver's password, entered again to sign.")
    )


class ReturnInputSerializer(serializers.Serializer):
    courier_reference = serializers.CharField(max_length=100)
    on = BusinessDateField(required=False, allow_null=True, default=None)


class DisposeInputSerializer(serializers.Serializer):
    on = BusinessDateField(required=False, allow_null=True, default=None)


class DependenciesInputSerializer(serializers.Serializer):
    depends_on = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=50)


# --- Samples ----------------------------------------------------------------------------------------------------
class SamplePublicSerializer(serializers.ModelSerializer):
    order = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Sample
        fields = [
            "id", "order", "identifier", "model", "serial", "quantity", "condition_on_receipt", "received_on",
            "disposition", "retention_until", "disposed_on", "courier_reference", "version",
        ]  # fmt: skip
        read_only_fields = fields


class SampleOutputSerializer(SamplePublicSerializer):
    class Meta(SamplePublicSerializer.Meta):
        fields = [*SamplePublicSerializer.Meta.fields, "storage_location", "disposed_by"]
        read_only_fields = fields


class SampleUpdateSerializer(InputModelSerializer):
    class Meta:
        model = Sample
        fields = ["model", "serial", "quantity", "condition_on_receipt", "storage_location"]


# --- Items ------------------------------------------------------------------------------------------------------
class TestItemPublicSerializer(serializers.ModelSerializer):
    order = serializers.SlugRelatedField(slug_field="number", read_only=True)
    service = ServiceSummarySerializer(read_only=True)
    verdict = serializers.SerializerMethodField()
    result_summary = serializers.SerializerMethodField()

    class Meta:
        model = TestItem
        fields = ["id", "order", "service", "status", "verdict", "result_summary", "retest_of", "version"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Verdict.choices, allow_null=True))
    def get_verdict(self, item):
        return item.verdict if item.status == ItemStatus.VERIFIED else None

    def get_result_summary(self, item) -> str:
        return item.result_summary if item.status == ItemStatus.VERIFIED else ""


class TestItemOutputSerializer(TestItemPublicSerializer):
    engineer = UserSummarySerializer(read_only=True, allow_null=True)
    samples = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    depends_on = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(TestItemPublicSerializer.Meta):
        fields = [
            *TestItemPublicSerializer.Meta.fields, "engineer", "samples", "depends_on", "result_by", "verified_by",
            "internal_notes", "allowed_transitions",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Verdict.choices, allow_null=True))
    def get_verdict(self, item):
        return item.verdict or None

    def get_result_summary(self, item) -> str:
        return item.result_summary

    def get_allowed_transitions(self, item) -> list[str]:
        return ITEM_STATUS.allowed(item.status)


class AssignInputSerializer(serializers.Serializer):
    engineer = serializers.IntegerField(min_value=1)


class ResultInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    result_summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20,
        help_text=_("Raw data (multipart): PDF, images, Office files, CSV or plain text."),
    )  # fmt: skip


# --- Reports ----------------------------------------------------------------------------------------------------
class TestReportPublicSerializer(serializers.ModelSerializer):
    order = serializers.SlugRelatedField(slug_field="number", read_only=True)
    file = ReportFileSerializer(source="attachment", read_only=True)

    class Meta:
        model = TestReport
        fields = ["id", "order", "number", "version", "status", "issued_on", "file"]
        read_only_fields = fields


class TestReportOutputSerializer(TestReportPublicSerializer):
    prepared_by = UserSummarySerializer(read_only=True, allow_null=True)
    reviewed_by = UserSummarySerializer(read_only=True, allow_null=True)
    approved_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta(TestReportPublicSerializer.Meta):
        fields = [*TestReportPublicSerializer.Meta.fields, "prepared_by", "prepared_at", "reviewed_by", "reviewed_at",
                  "approved_by", "approved_at", "supersedes", "amendment_reason", "created_at"]  # fmt: skip
        read_only_fields = fields


class TestReportInputSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1)
    file = serializers.FileField()
    number = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")


class AmendInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    reason = serializers.CharField(max_length=500)
