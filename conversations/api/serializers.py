"""Comments and files. The client output is an explicit allowlist, like every client-facing serializer."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Attachment, Comment

from ..owners import DISCUSSABLE, OWNER_KINDS, kind_code_by_content_type
from ..services import editable_until


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return str(user)


class AttachmentSerializer(serializers.ModelSerializer):
    owner_type = serializers.SerializerMethodField()
    uploaded_by = AuthorSerializer(read_only=True, allow_null=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "client_visible", "owner_type",
                  "owner_id", "comment", "uploaded_by", "created_at", "download"]  # fmt: skip

    def get_owner_type(self, attachment) -> str:
        return kind_code_by_content_type().get(attachment.owner_type_id, "")

    def get_download(self, attachment) -> str:
        return reverse("api-v1:attachment-download", args=[attachment.pk])


class ClientAttachmentSerializer(AttachmentSerializer):
    class Meta(AttachmentSerializer.Meta):
        fields = ["id", "original_name", "content_type", "size", "sha256", "owner_type", "owner_id", "comment",
                  "uploaded_by", "created_at", "download"]  # fmt: skip


class CommentSerializer(serializers.ModelSerializer):
    owner_type = serializers.SerializerMethodField()
    author = AuthorSerializer(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    editable_until = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "owner_type", "owner_id", "project_id", "parent", "author", "by_client", "body",
                  "client_visible", "created_at", "edited_at", "deleted_at", "editable_until",
                  "attachments"]  # fmt: skip

    def get_owner_type(self, comment) -> str:
        return kind_code_by_content_type().get(comment.owner_type_id, "")

    @extend_schema_field(serializers.DateTimeField())
    def get_editable_until(self, comment):
        return serializers.DateTimeField().to_representation(editable_until(comment.created_at))


class ClientCommentSerializer(CommentSerializer):
    """What a client user receives: no visibility flag (they only ever see visible ones)."""

    attachments = ClientAttachmentSerializer(many=True, read_only=True)

    class Meta(CommentSerializer.Meta):
        fields = ["id", "owner_type", "owner_id", "project_id", "parent", "author", "by_client", "body",
                  "created_at", "edited_at", "deleted_at", "editable_until", "attachments"]  # fmt: skip


class CommentInputSerializer(serializers.Serializer):
    owner_type = serializers.ChoiceField(choices=DISCUSSABLE)
    owner_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    body = serializers.CharField(max_length=10000, trim_whitespace=True)
    client_visible = serializers.BooleanField(default=False)
    parent = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True)
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=10)


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000, trim_whitespace=True)


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    owner_type = serializers.ChoiceField(choices=list(OWNER_KINDS))
    owner_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    client_visible = serializers.BooleanField(default=False)


class AnswerInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=10)


class SendBackInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
