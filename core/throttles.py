"""Per-user rates on the writes that cost storage or outbound requests — uploads, comments, webhook re-sends, API
tokens — the same in the API and on the pages that do the same thing.

Rates are DRF's (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``: ``"30/minute"``, settings ``THROTTLE_*``) and are
counted in Django's default cache, which every process shares (Redis in production, a file cache for ``make
run``): two gunicorn workers count one user's uploads together. Past the rate the answer is 429 with
``Retry-After``: DRF's ``Throttled`` in the API, a page in the user's language (``templates/429.html``) elsewhere.
"""

import math
from functools import wraps

from django.shortcuts import render
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

UPLOADS, COMMENTS, WEBHOOK_RESENDS, TOKENS = "uploads", "comments", "webhook_resends", "tokens"


class ScopeRateThrottle(SimpleRateThrottle):
    """The rate of ``scope`` for one signed-in user, or for ``user`` (a log-in that is making its token); anonymous
    requests are not counted: they write nothing."""

    def __init__(self, scope: str, user=None):
        self.scope = scope
        self.user = user
        super().__init__()

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # read now, so settings can change in tests

    def get_cache_key(self, request, view):
        user = self.user or getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class ActionThrottle(BaseThrottle):
    """The API's throttle: a view names the scope of each of its actions in ``throttle_scopes``
    (``{"create": UPLOADS}``; a plain ``APIView`` uses the key ``None``)."""

    limiter: ScopeRateThrottle | None = None

    def allow_request(self, request, view):
        scope = getattr(view, "throttle_scopes", {}).get(getattr(view, "action", None))
        if scope is None:
            return True
        self.limiter = ScopeRateThrottle(scope)
        return self.limiter.allow_request(request, view)

    def wait(self):
        return self.limiter.wait() if self.limiter else None


def seconds_to_wait(request, scope: str, *, user=None) -> int | None:
    """Count this request against ``scope`` for ``request.user`` (or ``user``); the whole seconds to wait when the
    rate is used up (the request is then not counted), None when it may go on."""
    limiter = ScopeRateThrottle(scope, user)
    if limiter.allow_request(request, None):
        return None
    return max(1, math.ceil(limiter.wait() or 1))


def too_many_page(request, wait: int):
    response = render(request, "429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def rate_limited(scope: str):
    """For a page's ``post``: past ``scope``'s rate, a 429 page with ``Retry-After`` instead of the write."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, request, *args, **kwargs):
            wait = seconds_to_wait(request, scope)
            if wait is not None:
                return too_many_page(request, wait)
            return method(self, request, *args, **kwargs)

        return wrapper

    return decorate
