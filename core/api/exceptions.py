"""One exception handler, one error shape for the whole API.

- 400: DRF's ``{"field": ["message", …]}`` (``non_field_errors`` for the whole object), also for Django
  ``ValidationError`` raised by ``full_clean()`` inside services;
- 404 / 401 / 403: ``{"detail", "code"}``;
- 409: an illegal transition, ``{"detail", "code": "illegal_transition", "current", "requested", "allowed"}``,
  or a conflict such as deleting a referenced row;
- 412: a stale ``If-Match``, ``{"detail", "code": "stale_version", "current_version"}``;
- 413: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, ``{"detail", "code": "request_too_large"}``, or an upload
  past the client's storage quota, ``{"detail", "code": "quota_exceeded", "limit"}`` (bytes);
- 429: past a rate (``core.throttles``), ``{"detail", "code": "throttled"}`` with ``Retry-After``.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import (
    ApplicationError,
    ConflictError,
    DateOutOfRange,
    QuotaExceeded,
    StaleVersion,
    TransitionNotAllowed,
)
from core.middleware import request_too_large


def _detail(exc: ApplicationError, code: str, **extra) -> dict:
    return {"detail": str(exc.message), "code": code, **exc.extra, **extra}


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return request_too_large()
    if isinstance(exc, OverflowError):  # date arithmetic outside what Python represents: the input's fault
        exc = DateOutOfRange()
    if isinstance(exc, TransitionNotAllowed):
        data = _detail(exc, "illegal_transition", current=exc.current, requested=exc.requested, allowed=exc.allowed)
        return Response(data, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, StaleVersion):
        data = _detail(exc, "stale_version", current_version=exc.current_version)
        response = Response(data, status=status.HTTP_412_PRECONDITION_FAILED)
        response["ETag"] = f'"{exc.current_version}"'
        return response
    if isinstance(exc, ConflictError):
        return Response(_detail(exc, "conflict"), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ApplicationError):
        return Response(_detail(exc, "invalid"), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        data = {
            "detail": _("This record is still referenced by other records and cannot be deleted."),
            "code": "conflict",
        }
        return Response(data, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, QuotaExceeded):
        data = {"detail": exc.message_dict["file"][0], "code": "quota_exceeded", "limit": exc.limit}
        return Response(data, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()  # one message whatever was looked up: it names no model and no query
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)  # a service's refusal, with its reason (and the usual code)

    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.APIException)
        and not isinstance(exc, exceptions.ValidationError)
    ):
        codes = exc.get_codes()
        if isinstance(response.data, dict) and isinstance(codes, str):
            response.data.setdefault("code", codes)
    return response
