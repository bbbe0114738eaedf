"""API token authentication (django-rest-knox) without its per-request sweep of the user's other tokens.

Knox deletes a user's *other* expired tokens on every authenticated request — one more query per API call.
Integration tokens here never expire (``REST_KNOX["TOKEN_TTL"] = None``) and are revoked explicitly, so only the
presented token's own expiry is checked (should a TTL ever be set, that token is still refused and deleted)."""

import binascii
from hmac import compare_digest

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from core import clock


class TokenAuthentication(KnoxTokenAuthentication):
    def tokens_with_key(self, key: str):
        """The tokens whose key starts the presented token (with their user): what a subclass may read beside."""
        return get_token_model().objects.filter(token_key=key).select_related("user")

    def authenticate_credentials(self, token):
        """Knox's, reading the tokens through ``tokens_with_key``."""
        msg = _("Invalid token.")
        token = token.decode("utf-8")
        for auth_token in self.tokens_with_key(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error) as exc:
                raise exceptions.AuthenticationFailed(msg) from exc
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(msg)

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < clock.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI description of this authentication: knox's ``Token <key>`` header."""

    target_class = "accounts.auth.TokenAuthentication"
    match_subclasses = True  # ``clients.auth.TokenAuthentication`` reads who the user is beside
