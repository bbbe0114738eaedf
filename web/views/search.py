"""The header's global search: a page of hits grouped by kind (usable without JavaScript); under htmx the same
hits as the drop-down under the search box, walked with the arrow keys (static/js/search.js)."""

from django.views.generic import TemplateView

from search.selectors import global_search, kind_labels

from .base import StaffRequiredMixin


class SearchView(StaffRequiredMixin, TemplateView):
    def get_template_names(self):
        return ["web/search/_hits.html"] if self.request.headers.get("HX-Request") else ["web/search/page.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = self.request.GET.get("q", "")[:100]
        labels = kind_labels()
        results = global_search(user=self.request.user, q=q)
        context.update(q=q, groups=[(kind, labels[kind], hits) for kind, hits in results.items()])
        return context
