"""The reminder e-mail: one per recipient and batch, in the recipient's language, every item linked."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from core import clock

from .messages import due_phrase, kind_label, localised
from .reminders import CLIENT_LINK


def _lines(reminders) -> list[dict]:
    today = clock.today()
    return [
        {
            "kind": kind_label(r.kind),
            "item": localised(r.params.get("item", "")),
            "project": r.params.get("project", ""),
            "due": r.due_date,
            "when": due_phrase((r.due_date - today).days, chase=bool(r.params.get("chase"))),
            "escalated": r.escalated,
            "link": settings.SITE_URL.rstrip("/") + (r.url or CLIENT_LINK),
        }
        for r in reminders
    ]


def reminder_email(recipient, reminders, message_id: str) -> EmailMultiAlternatives:
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = {
            "recipient": recipient,
            "lines": _lines(reminders),
            "site_url": settings.SITE_URL,
            "escalated": any(r.escalated for r in reminders),
        }
        subject = render_to_string("notifications/email/reminders_subject.txt", context).strip()
        body = render_to_string("notifications/email/reminders.txt", context)
        html = render_to_string("notifications/email/reminders.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        to=[recipient.email],
        headers={"Message-ID": message_id, "X-CDMO-Reminders": ",".join(str(r.pk) for r in reminders)},
    )
    message.attach_alternative(html, "text/html")
    return message


def notifications_email(recipient, notifications) -> EmailMultiAlternatives:
    """Comments, files and mentions for one recipient, in their language, each linked to where it happened."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        lines = [
            {"text": n.text, "link": settings.SITE_URL.rstrip("/") + (n.url or CLIENT_LINK)} for n in notifications
        ]
        context = {"recipient": recipient, "lines": lines, "site_url": settings.SITE_URL}
        subject = render_to_string("notifications/email/notifications_subject.txt", context).strip()
        body = render_to_string("notifications/email/notifications.txt", context)
        html = render_to_string("notifications/email/notifications.html", context)
    ids = ",".join(str(n.pk) for n in notifications)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        to=[recipient.email],
        headers={"Message-ID": f"<notifications-{ids.replace(',', '-')}@cdmo-portal>", "X-CDMO-Notifications": ids},
    )
    message.attach_alternative(html, "text/html")
    return message
