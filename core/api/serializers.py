"""Serializers shared by every app's API: history entries, transitions and the documented error shapes."""

from django.db.models import DateField
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .fields import BusinessDateField


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
    """``{"to": "<status>", "reason": "…"}``. Use ``transition_serializer_for(machine)``, which sets the choices."""

    to = serializers.ChoiceField(choices=[], label=_("target status"))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


_transition_serializers: dict[str, type[TransitionInputSerializer]] = {}


def transition_serializer_for(machine, name: str) -> type[TransitionInputSerializer]:
    """A transition input serializer whose ``to`` offers exactly the machine's states (one class per resource, so
    the OpenAPI schema documents the states as an enum)."""
    if name not in _transition_serializers:
        to = serializers.ChoiceField(choices=sorted(machine.states), label=_("target status"))
        _transition_serializers[name] = type(name, (TransitionInputSerializer,), {"to": to})
    return _transition_serializers[name]


# --- Error shapes (documented in the OpenAPI schema) ------------------------------------------------------------
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class TransitionErrorSerializer(ErrorSerializer):
    """409 from an action: ``code`` is ``illegal_transition`` — with ``current``, ``requested`` and ``allowed`` — or
    ``conflict``, when the action does not fit the state of other records (a result entered while the order is
    not in testing)."""

    current = serializers.CharField(required=False)
    requested = serializers.CharField(required=False)
    allowed = serializers.ListField(child=serializers.CharField(), required=False)


class StaleVersionErrorSerializer(ErrorSerializer):
    current_version = serializers.IntegerField()


class ValidationErrorSerializer(serializers.Serializer):
    """Field name → list of messages; ``non_field_errors`` for errors about the whole object."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class InputModelSerializer(serializers.ModelSerializer):
    """The base of every model-backed input serializer: its date fields are business dates, bounded to
    2000-01-01 … 2100-12-31 (``core.dates``), like every date a user sends."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, DateField: BusinessDateField}
