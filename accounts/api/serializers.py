from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.choices import Language
from accounts.models import User
from accounts.roles import user_roles


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=_("Send as `Authorization: Token <token>`. Shown once; only a hash is kept.")
    )


class UserSummarySerializer(serializers.ModelSerializer):
    """How a user appears inside other resources (owner, account manager, author)."""

    display_name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name"]

    def get_display_name(self, user) -> str:
        return str(user)


class MeOutputSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "display_name", "first_name", "last_name", "language", "roles"]

    def get_roles(self, user) -> list[str]:
        return sorted(user_roles(user))


class MeInputSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
