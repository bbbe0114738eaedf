"""The sentence of each notification event, translated when rendered (the reader's language, not the writer's)."""

from django.utils.translation import gettext as _


def _localised(value):
    """Bilingual values are stored as ``{"zh": …, "en": …}``; show the reader's one (falling back)."""
    if isinstance(value, dict) and {"zh", "en"} & set(value):
        from django.utils.translation import get_language

        first, second = ("zh", "en") if (get_language() or "").startswith("zh") else ("en", "zh")
        return value.get(first) or value.get(second) or ""
    return value


def render_message(event: str, params: dict) -> str:
    templates = {
        "milestone.completed": _("Milestone “%(milestone)s” of %(project)s is done."),
        "milestone.rescheduled": _("Milestone “%(milestone)s” of %(project)s moved to %(due)s."),
        "milestone.blocked": _("Milestone “%(milestone)s” of %(project)s is blocked: %(reason)s"),
        "review_clock.paused": _("The %(clock)s clock of %(project)s was paused on %(on)s."),
        "review_clock.restarted": _("The %(clock)s clock of %(project)s restarted on %(on)s."),
        "review_clock.expired": _("The %(clock)s clock of %(project)s has run out."),
        "test_order.status_changed": _("Test order %(order)s is now “%(status)s”."),
        "test_report.issued": _("Report v%(version)s of test order %(order)s was issued."),
    }
    template = templates.get(event)
    if template is None:
        return event
    try:
        return template % {key: _localised(value) for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return event
