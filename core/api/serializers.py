"""Serializers shared by every app's API: history entries, transitions and the documented error shapes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ActorSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        return getattr(user, "display_name", "") or user.get_full_name() or user.get_username()


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = ActorSummarySerializer(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    changes = FieldChangeSerializer(many=True)


class TransitionInputSerializer(serializers.Serializer):
    """``{"to": "<status>", "reason": "…"}``; the target's choices come from the record's state machine."""

    to = serializers.ChoiceField(choices=[], label=_("target status"))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = sorted(states)


# --- Error shapes (documented in the OpenAPI schema) ------------------------------------------------------------
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class TransitionErrorSerializer(ErrorSerializer):
    current = serializers.CharField()
    requested = serializers.CharField()
    allowed = serializers.ListField(child=serializers.CharField())


class StaleVersionErrorSerializer(ErrorSerializer):
    current_version = serializers.IntegerField()


class ValidationErrorSerializer(serializers.Serializer):
    """Field name → list of messages; ``non_field_errors`` for errors about the whole object."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
