from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from accounts.choices import Role
from accounts.selectors import user_by_calendar_token
from accounts.services import user_ical_token_rotate
from core.numbers import parse_page, posted_ids
from notifications.calendar_feed import calendar_feed
from notifications.choices import EmailDelivery
from notifications.reminders import kind_choices
from notifications.selectors import notification_list
from notifications.services import notification_preferences_update, notifications_mark_read, preferences_of

from .base import StaffRequiredMixin

EVERY_ROLE = frozenset(Role)  # one's own notifications and settings: any staff member


NOTIFICATION_KINDS = {
    "reminders": (gettext_lazy("Reminders"), ("reminder.",)),
    "conversations": (gettext_lazy("Comments and files"), ("comment.", "attachment.")),
    "milestones": (gettext_lazy("Milestones and requests"), ("milestone.",)),
    "clocks": (gettext_lazy("Review clocks"), ("review_clock.",)),
    "lab": (gettext_lazy("Lab"), ("test_order.", "test_report.", "test_item.")),
}


class NotificationListView(StaffRequiredMixin, TemplateView):
    """Your notifications, newest first, grouped by day and filtered by kind (client users read theirs in the
    portal)."""

    template_name = "web/notifications.html"

    def get_context_data(self, **kwargs):
        from functools import reduce
        from operator import or_

        from django.db.models import Q
        from django.utils.timezone import localtime

        context = super().get_context_data(**kwargs)
        rows = notification_list(user=self.request.user)
        kind = self.request.GET.get("kind", "")
        if kind in NOTIFICATION_KINDS:
            prefixes = NOTIFICATION_KINDS[kind][1]
            rows = rows.filter(reduce(or_, (Q(event__startswith=prefix) for prefix in prefixes)))
        page = Paginator(rows, 50).get_page(parse_page(self.request.GET.get("page")))
        for note in page.object_list:
            note.day = localtime(note.created_at).date()
        context.update(
            page=page, rows=page.object_list, query=f"kind={kind}" if kind in NOTIFICATION_KINDS else "", kind=kind,
            kinds=[(code, label) for code, (label, _prefixes) in NOTIFICATION_KINDS.items()],
        )  # fmt: skip
        return context


class NotificationsReadView(StaffRequiredMixin, View):
    write_roles = EVERY_ROLE

    def post(self, request):
        ids = posted_ids(request)
        count = notifications_mark_read(user=request.user, ids=ids)
        messages.success(request, _("%(count)d notification(s) marked read.") % {"count": count})
        return redirect("web:notifications")


class CalendarFeedView(View):
    """``/calendar/<token>.ics``: no log-in (calendar apps cannot log in); the secret token is the key, and a
    revoked or unknown token is 404."""

    def get(self, request, token: str):
        user = user_by_calendar_token(token)
        if user is None:
            raise Http404
        response = HttpResponse(calendar_feed(user=user), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="cdmo-deadlines.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response


class NotificationSettingsForm(forms.Form):
    muted_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Mute these reminders"), choices=kind_choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Escalations of overdue items still reach you."),
    )  # fmt: skip
    email = forms.ChoiceField(
        label=gettext_lazy("Reminder e-mails"), choices=EmailDelivery.choices, widget=forms.RadioSelect
    )


class NotificationSettingsView(StaffRequiredMixin, FormView):
    """Reminder settings (mute kinds, immediate or daily digest) and the calendar feed URL."""

    write_roles = EVERY_ROLE

    template_name = "web/notification_settings.html"
    form_class = NotificationSettingsForm

    def get_initial(self):
        muted, email = preferences_of(self.request.user.notification_preferences)
        return {"muted_kinds": sorted(muted), "email": email}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        path = reverse("web:calendar-feed", kwargs={"token": self.request.user.ical_token})
        context["feed_url"] = self.request.build_absolute_uri(path)
        return context

    def form_valid(self, form):
        notification_preferences_update(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Your notification settings were saved."))
        return redirect("web:notification-settings")


class CalendarFeedRotateView(StaffRequiredMixin, View):
    write_roles = EVERY_ROLE

    def post(self, request):
        user_ical_token_rotate(user=request.user)
        messages.success(request, _("Your calendar feed has a new address; the old one no longer works."))
        return redirect("web:notification-settings")
