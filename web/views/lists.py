"""The list-page machinery every staff list shares: the domain app's FilterSet (the same one the API uses),
sorting, paging with a page-size choice, htmx partial updates, and CSV / XLSX export of the filtered rows."""

from django.core.paginator import Paginator
from django.http import Http404
from django.views.generic import TemplateView, View

from core.api.rows import page_ids
from core.exports import csv_response, xlsx_response

from .base import StaffRequiredMixin

PAGE_SIZES = (25, 50, 100)


def page_size_from(request) -> int:
    try:
        size = int(request.GET.get("page_size", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


class FilteredMixin:
    filterset_class = None
    selector = None  # callable(*, user) -> QuerySet, scoped to the user

    def get_filterset(self):
        queryset = type(self).selector(user=self.request.user)
        return self.filterset_class(self.request.GET, queryset=queryset, request=self.request)


class FilteredListView(FilteredMixin, StaffRequiredMixin, TemplateView):
    results_template_name = None
    # The lean read path (issue 19): ``callable(ids, queryset) -> list[dict]`` reads the page's rows as values from a
    # page-ids subquery (``core.api.rows``); None: model instances.
    page_rows = None

    def get_template_names(self):
        if self.request.headers.get("HX-Request") and not self.request.headers.get("HX-Boosted"):
            return [self.results_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        size = page_size_from(self.request)
        page = Paginator(queryset, size).get_page(self.request.GET.get("page"))
        rows = page.object_list
        if self.page_rows is not None:
            bottom = (page.number - 1) * size
            rows = type(self).page_rows(page_ids(queryset, bottom, bottom + size), queryset)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filterset=filterset,
            page=page,
            rows=rows,
            query=query.urlencode(),
            ordering=self.request.GET.get("ordering", ""),
            page_sizes=PAGE_SIZES,
            page_size=page_size_from(self.request),
        )
        return context


class ExportView(FilteredMixin, StaffRequiredMixin, View):
    """Every filtered row (all pages) as ``.csv`` or ``.xlsx``; formula-looking cells are neutralised."""

    filename = "export"
    sheet_title = "Export"

    def header(self) -> list[str]:
        raise NotImplementedError

    def row(self, obj) -> list:
        raise NotImplementedError

    def get(self, request, fmt: str):
        filterset = self.get_filterset()
        if not filterset.is_valid():
            raise Http404
        rows = (self.row(obj) for obj in filterset.qs.iterator(chunk_size=500))
        if fmt == "csv":
            return csv_response(filename=self.filename, header=self.header(), rows=rows)
        return xlsx_response(filename=self.filename, sheet=str(self.sheet_title), header=self.header(), rows=rows)
