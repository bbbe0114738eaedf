"""Who may open the portal: signed-in client users. Staff get 404 (their pages are at ``/``); anonymous visitors
are sent to the log-in page. Every page reads through the domain apps' selectors, scoped to the user's client."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404

from clients.access import access_for
from clients.selectors import client_list
from milestones.choices import ANSWERABLE_STATUSES, Responsible
from milestones.selectors import milestone_list


def open_requests(user):
    """The requests waiting for the client: open, client-visible milestones addressed to them."""
    return milestone_list(user=user).filter(responsible=Responsible.CLIENT, status__in=ANSWERABLE_STATUSES)


class ClientRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not access_for(request.user).is_client_user:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["portal_client"] = client_list(user=user).first()
        context["open_request_count"] = open_requests(user).count()
        return context
