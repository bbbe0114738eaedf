"""Middleware shared by the API and the pages."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

from .numbers import parse_int

API_PREFIX = "/api/"


def request_too_large() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return JsonResponse(
        {
            "detail": _("The request body is larger than %(limit)s bytes.") % {"limit": limit},
            "code": "request_too_large",
        },
        status=413,
    )


class ApiRequestSizeMiddleware:
    """An API request whose body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is answered 413 with the API's JSON
    error shape before anything reads it (Django itself would raise ``RequestDataTooBig`` wherever the body is
    first read and answer with an HTML 400). Multipart uploads are exempt: their files are streamed to disk and
    limited by ``ATTACHMENT_MAX_BYTES``; Django still limits their other fields."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX) and self._too_large(request):
            return request_too_large()
        return self.get_response(request)

    @staticmethod
    def _too_large(request) -> bool:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or request.content_type == "multipart/form-data":
            return False
        length = parse_int(request.META.get("CONTENT_LENGTH") or "0")
        return length is None or length > limit  # a length that is no number is refused too
