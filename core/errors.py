"""Error views: the API answers every error in its JSON shape (``{"detail", "code"}``), even for a URL no route
matches (``/api/v1/clients/0.5/``) or a request Django refuses before any view runs; pages keep the friendly,
translated HTML error pages."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt

from .middleware import API_PREFIX


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request."), "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        detail = _("You do not have permission to perform this action.")
        return JsonResponse({"detail": detail, "code": "permission_denied"}, status=403)
    return defaults.permission_denied(request, exception)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """The last route under ``/api/v1/``: a path no endpoint matches is a JSON 404, in DEBUG too."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)


def page_not_found(request, exception):
    if _is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": _("A server error occurred."), "code": "error"}, status=500)
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    if _is_api(request):
        detail = _("CSRF verification failed: send the X-CSRFToken header with a session, or use a token.")
        return JsonResponse({"detail": detail, "code": "csrf_failed"}, status=403)
    return csrf.csrf_failure(request, reason)
