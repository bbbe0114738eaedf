"""One way for every action button of the staff pages to call its service: the row's version goes along (the page
equivalent of ``If-Match``), and whatever the service refuses comes back **in place** — beside the control that
was used — in the words the API uses: field errors (400), the moves the state machine allows (409), "changed by
someone else — reload" (412)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ApplicationError, StaleVersion, TransitionNotAllowed
from core.numbers import parse_version

SESSION_KEY = "web_action_errors"
STALE_MESSAGE = gettext_lazy("Changed by someone else since you opened the page — reload it and try again.")


def posted_version(request) -> int | None:
    return parse_version(request.POST.get("version"))


def refusal_text(error: Exception) -> str:
    if isinstance(error, StaleVersion):
        return str(STALE_MESSAGE)
    if isinstance(error, TransitionNotAllowed):
        allowed = ", ".join(error.allowed) or _("none")
        return _("Not possible from “%(current)s”. Allowed: %(allowed)s.") % {"current": error.current,
                                                                              "allowed": allowed}  # fmt: skip
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return " ".join(f"{message}" for messages_ in error.message_dict.values() for message in messages_)
        return " ".join(error.messages)
    return str(getattr(error, "message", error))


def run_action(request, *, anchor: str, back: str, call: Callable[[], object], done: str):
    """Run ``call`` (a service call); on success say ``done``, on refusal keep the reason for the row ``anchor``
    (shown there by the page, once). Always back to the page at that row."""
    try:
        call()
    except PermissionDenied as error:
        if not str(error):  # a bare 403 (a role the page does not serve) stays a 403
            raise
        _keep_refusal(request, anchor, str(error))
    except (ValidationError, ApplicationError) as error:
        _keep_refusal(request, anchor, refusal_text(error))
    else:
        messages.success(request, done)
    return redirect(f"{back}#row-{anchor}")


def _keep_refusal(request, anchor: str, text: str) -> None:
    errors = request.session.get(SESSION_KEY, {})
    errors[anchor] = text
    request.session[SESSION_KEY] = errors


def pop_action_errors(request) -> dict[str, str]:
    return request.session.pop(SESSION_KEY, {}) if hasattr(request, "session") else {}


def check_confirmed(request, machine, to: str) -> None:
    """A move into a final state (nothing leads out of it) cannot be undone: the form must carry the tick that
    says so (``confirm``), or it is refused in place and nothing changes."""
    if to in machine.states and not machine.allowed(to) and request.POST.get("confirm") != "yes":
        raise ValidationError({"confirm": [_("This cannot be undone: tick the confirmation to go ahead.")]})
