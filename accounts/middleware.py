from django.utils import translation


class UserLanguageMiddleware:
    """Pages speak the language stored on the signed-in user (set by the language switch).

    Runs after ``LocaleMiddleware`` and ``AuthenticationMiddleware``. The API is left to ``Accept-Language``,
    with the user's language only as its fallback (``core.api.viewsets.ServiceViewSet``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "language", "")
            and not request.path.startswith("/api/")
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
