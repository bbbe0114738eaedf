"""Django's model backend, reading a signed-in user together with who they are (roles, client): a page's request
asks no identity query of its own."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from .access import identity_columns, remember_access


class IdentityModelBackend(ModelBackend):
    def get_user(self, user_id):
        if connection.vendor != "postgresql":
            return super().get_user(user_id)  # ``access_for`` asks on its own (one query)
        model = get_user_model()
        try:
            user = model._default_manager.annotate(**identity_columns(f"{model._meta.db_table}.id")).get(pk=user_id)
        except model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        remember_access(user, user.identity_groups, user.identity_client)
        return user
