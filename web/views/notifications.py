from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from notifications.selectors import notification_list
from notifications.services import notifications_mark_read


class NotificationListView(LoginRequiredMixin, TemplateView):
    """Your notifications (staff and client users alike: each sees only their own)."""

    template_name = "web/notifications.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(notification_list(user=self.request.user), 50).get_page(self.request.GET.get("page"))
        context.update(page=page, rows=page.object_list, query="")
        return context


class NotificationsReadView(LoginRequiredMixin, View):
    def post(self, request):
        ids = [int(pk) for pk in request.POST.getlist("id") if pk.isdigit()] or None
        count = notifications_mark_read(user=request.user, ids=ids)
        messages.success(request, _("%(count)d notification(s) marked read.") % {"count": count})
        return redirect("web:notifications")
