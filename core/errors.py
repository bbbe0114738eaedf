"""Error views: the API answers every error in its JSON shape (``{"detail", "code"}``), even for a URL no route
matches (``/api/v1/clients/0.5/``) or a request Django refuses before any view runs; pages keep the friendly,
translated HTML error pages."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

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


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": _("A server error occurred."), "code": "error"}, status=500)
    return defaults.server_error(request)
