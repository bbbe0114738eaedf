"""What a locked-out log-in gets back (django-axes ``AXES_LOCKOUT_CALLABLE``): 429, JSON for the API."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
    message = _("Too many failed log-in attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
