"""The API's token authentication, reading who the token's user is — staff roles and client membership — in the
token's own query (issue 19: identity costs no query of its own on an API request)."""

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import CharField, IntegerField
from django.db.models.expressions import RawSQL
from knox.models import get_token_model

from accounts.auth import TokenAuthentication as AccountsTokenAuthentication

from .access import remember_access
from .models import ClientMembership


def _identity_sql():
    """The user's group names and client, as two scalar subqueries on the token's row (written once: built as
    ORM subqueries they cost more to compose than to run)."""
    from django.contrib.auth.models import Group

    from accounts.models import User

    token = get_token_model()._meta.db_table
    groups = RawSQL(
        f"ARRAY(SELECT g.name FROM {Group._meta.db_table} g JOIN {User.groups.through._meta.db_table} ug "
        f"ON ug.group_id = g.id WHERE ug.user_id = {token}.user_id)", (), output_field=ArrayField(CharField()),
    )  # fmt: skip
    client = RawSQL(
        f"(SELECT m.client_id FROM {ClientMembership._meta.db_table} m WHERE m.user_id = {token}.user_id LIMIT 1)",
        (), output_field=IntegerField(),
    )  # fmt: skip
    return groups, client


class TokenAuthentication(AccountsTokenAuthentication):
    def tokens_with_key(self, key: str):
        tokens = super().tokens_with_key(key)
        if connection.vendor != "postgresql":
            return tokens  # ``access_for`` asks on its own (one query)
        groups, client = _identity_sql()
        return tokens.annotate(identity_groups=groups, identity_client=client)

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if hasattr(auth_token, "identity_groups"):
            remember_access(user, auth_token.identity_groups, auth_token.identity_client)
        return user, token
