"""The API's token authentication, reading who the token's user is — staff roles and client membership — in the
token's own query (identity costs no query of its own on an API request)."""

from django.db import connection
from knox.models import get_token_model

from accounts.auth import TokenAuthentication as AccountsTokenAuthentication

from .access import identity_columns, remember_access


class TokenAuthentication(AccountsTokenAuthentication):
    def tokens_with_key(self, key: str):
        tokens = super().tokens_with_key(key)
        if connection.vendor != "postgresql":
            return tokens  # ``access_for`` asks on its own (one query)
        return tokens.annotate(**identity_columns(f"{get_token_model()._meta.db_table}.user_id"))

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if hasattr(auth_token, "identity_groups"):
            remember_access(user, auth_token.identity_groups, auth_token.identity_client)
        return user, token
