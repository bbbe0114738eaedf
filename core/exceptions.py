"""Domain errors raised by services; the API maps each to one HTTP status (``core.api.exceptions``)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A business rule refused the request (HTTP 400)."""

    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, extra: dict | None = None):
        self.message = message or self.default_message
        self.extra = extra or {}
        super().__init__(str(self.message))


class TransitionNotAllowed(ApplicationError):
    """A status change that the record's state machine does not allow from its current state (HTTP 409)."""

    def __init__(self, *, current: str, requested: str, allowed: Iterable[str]):
        self.current = current
        self.requested = requested
        self.allowed = sorted(allowed)
        if self.allowed:
            message = _("Cannot change status from “%(current)s” to “%(requested)s”. Allowed: %(allowed)s.") % {
                "current": current,
                "requested": requested,
                "allowed": ", ".join(self.allowed),
            }
        else:
            message = _("Cannot change status from “%(current)s”: it is final.") % {"current": current}
        super().__init__(message)


class StaleVersion(ApplicationError):
    """The record changed since the caller read it (HTTP 412)."""

    def __init__(self, *, current_version: int, expected_version: int):
        self.current_version = current_version
        self.expected_version = expected_version
        super().__init__(
            _("This record was changed by someone else (now version %(current)s, you sent %(expected)s). Reload it.")
            % {"current": current_version, "expected": expected_version}
        )


class ConflictError(ApplicationError):
    """The request conflicts with the current state of other records, e.g. deleting a referenced row (HTTP 409)."""


class DateOutOfRange(ApplicationError):
    """Date arithmetic left the range of dates the product can represent (HTTP 400): a date far in the future,
    or a duration too long, that reached past year 9999."""

    default_message = _("The date is out of range: it falls after year 9999 or before year 1.")


class QuotaExceeded(ValidationError):
    """An upload that would take a client past its storage quota (HTTP 413 in the API; on the pages, beside the
    file field like any refusal of the file)."""

    def __init__(self, *, limit: int):
        self.limit = limit
        megabytes = limit // (1024 * 1024)
        super().__init__(
            {
                "file": [
                    _(
                        "Your company's storage is full: its limit is %(limit)d MB. Remove files you "
                        "no longer need, or ask your project manager."
                    )
                    % {"limit": megabytes}
                ]
            }
        )
