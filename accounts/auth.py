"""API token authentication (django-rest-knox) without its per-request sweep of the user's other tokens.

Knox deletes a user's *other* expired tokens on every authenticated request — one more query per API call.
Integration tokens here never expire (``REST_KNOX["TOKEN_TTL"] = None``) and are revoked explicitly, so only the
presented token's own expiry is checked (should a TTL ever be set, that token is still refused and deleted)."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired

from core import clock


class TokenAuthentication(KnoxTokenAuthentication):
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
