from django.shortcuts import redirect
from django.views.generic import TemplateView

from clients.access import access_for
from clients.selectors import client_list

from .base import StaffRequiredMixin


class HomeView(StaffRequiredMixin, TemplateView):
    """The staff start page. The project dashboard (health, deadlines, clocks) arrives with projects."""

    template_name = "web/home.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and access_for(request.user).is_client_user:
            return redirect("portal:home")  # the start page of a client user is their portal
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from django.db.models import Count

        context = super().get_context_data(**kwargs)
        counts = dict(client_list(user=self.request.user).order_by().values_list("status").annotate(n=Count("id")))
        context["client_counts"] = counts
        return context
