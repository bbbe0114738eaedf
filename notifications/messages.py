"""The sentence of each notification event, translated when rendered (the reader's language, not the writer's)."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def bilingual(label) -> dict:
    """A translatable label in both languages, stored so it can be rendered later in the reader's."""
    with translation.override("en"):
        english = str(label)
    with translation.override("zh-hans"):
        chinese = str(label)
    return {"en": english, "zh": chinese}


def localised(value):
    """Bilingual values are stored as ``{"zh": …, "en": …}``; show the reader's one (falling back)."""
    if isinstance(value, dict) and {"zh", "en"} & set(value):
        from django.utils.translation import get_language

        first, second = ("zh", "en") if (get_language() or "").startswith("zh") else ("en", "zh")
        return value.get(first) or value.get(second) or ""
    return value


def due_phrase(offset: int, *, chase: bool = False) -> str:
    """“due in 3 days” / “due today” / “overdue by 2 days” for a reminder's offset; for the authority's own step
    (``chase``) past its date, “authority overdue by 2 days: chase” — it is not the CRO's lateness."""
    if offset > 0:
        return ngettext("due in %(days)d day", "due in %(days)d days", offset) % {"days": offset}
    if offset == 0:
        return _("due today")
    if chase:
        return ngettext(
            "authority overdue by %(days)d day: chase the authority",
            "authority overdue by %(days)d days: chase the authority",
            -offset,
        ) % {"days": -offset}
    return ngettext("overdue by %(days)d day", "overdue by %(days)d days", -offset) % {"days": -offset}


def kind_label(code: str) -> str:
    from .reminders import REMINDER_KINDS

    kind = REMINDER_KINDS.get(code)
    return str(kind.label) if kind else code


def _reminder_params(params: dict) -> dict:
    when = due_phrase(int(params.get("offset", 0)), chase=bool(params.get("chase")))
    return {**params, "kind": kind_label(params.get("kind", "")), "when": when}


def render_message(event: str, params: dict) -> str:
    if event.startswith("reminder."):
        params = _reminder_params(params)
    templates = {
        "reminder.due": _("%(kind)s — %(project)s %(item)s: %(when)s (%(due)s)."),
        "reminder.escalated": _("Escalation — %(kind)s — %(project)s %(item)s: %(when)s (%(due)s)."),
        "milestone.completed": _("Milestone “%(milestone)s” of %(project)s is done."),
        "milestone.rescheduled": _("Milestone “%(milestone)s” of %(project)s moved to %(due)s."),
        "milestone.blocked": _("Milestone “%(milestone)s” of %(project)s is blocked: %(reason)s"),
        "review_clock.paused": _("The %(clock)s clock of %(project)s was paused on %(on)s."),
        "review_clock.restarted": _("The %(clock)s clock of %(project)s restarted on %(on)s."),
        "review_clock.expired": _("The %(clock)s clock of %(project)s has run out."),
        "test_order.status_changed": _("Test order %(order)s is now “%(status)s”."),
        "test_report.issued": _("Report v%(version)s of test order %(order)s was issued."),
        "test_report.prepared": _("Report v%(version)s of test order %(order)s is prepared: review it."),
        "test_report.reviewed": _(
            "Report v%(version)s of test order %(order)s is reviewed: it waits for an authorised signatory's approval."
        ),
        "test_item.assigned": _("You were assigned “%(test)s” of test order %(order)s."),
        "milestone.started": _("Request for you on %(project)s: “%(milestone)s”, by %(due)s."),
        "milestone.answered": _("The client answered “%(milestone)s” of %(project)s: accept it or send it back."),
        "milestone.sent_back": _("“%(milestone)s” of %(project)s needs more from you: %(reason)s"),
        "comment.created": _("%(author)s commented on %(record)s (%(project)s): “%(excerpt)s”"),
        "comment.mentioned": _("%(author)s mentioned you on %(record)s (%(project)s): “%(excerpt)s”"),
        "attachment.created": _("%(author)s added the file %(file)s to %(record)s (%(project)s)."),
    }
    template = templates.get(event)
    if template is None:
        return event
    try:
        return template % {key: localised(value) for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return event
