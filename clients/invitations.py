"""Portal invitations: a one-time, expiring link to set a password (Django's signed reset tokens, with a salt
and a lifetime of their own: ``PORTAL_INVITATION_DAYS``). Setting the password changes the user's password hash,
which is part of the signed value, so a used link never works again."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokens(PasswordResetTokenGenerator):
    key_salt = "cdmo.portal.invitation"

    def check_token(self, user, token) -> bool:
        if not (user and token) or token.count("-") != 1:
            return False
        timestamp_b36, _hash = token.split("-")
        try:
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return (self._num_seconds(self._now()) - timestamp) <= settings.PORTAL_INVITATION_DAYS * 24 * 3600


invitation_tokens = InvitationTokens()
