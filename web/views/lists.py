"""The list-page machinery every staff list shares: the domain app's FilterSet (the same one the API uses),
sorting, paging with a page-size choice, htmx partial updates, and CSV / XLSX export of the filtered rows."""

from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView, View

from core.api.rows import page_ids
from core.exports import csv_response, xlsx_response
from core.filters import narrowed
from core.numbers import parse_int, parse_page

from .base import StaffRequiredMixin

PAGE_SIZES = (25, 50, 100)


def page_size_from(request) -> int:
    size = parse_int(request.GET.get("page_size"))
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def url_maker(viewname: str):
    """``pk → reverse(viewname, args=[pk])`` with one ``reverse`` per page instead of one per row."""
    sentinel = "2147483647"
    pattern = reverse(viewname, args=[sentinel])
    head, tail = pattern.split(sentinel)
    return lambda pk: f"{head}{pk}{tail}"


class FilteredMixin:
    filterset_class = None
    selector = None  # callable(*, user) -> QuerySet, scoped to the user
    # The filters the page's filter bar renders from the FilterSet's form (``web/includes/list_filters.html``);
    # with it set, the FilterSet is narrowed to those and the ones the query uses (the whole form was
    # built, copied and validated on every page). None: the whole FilterSet.
    filter_bar: tuple[str, ...] | None = None

    def get_filterset(self):
        queryset = type(self).selector(user=self.request.user)
        filterset_class = self.filterset_class
        if self.filter_bar is not None:
            names = frozenset(self.filter_bar) | (frozenset(self.request.GET) & frozenset(filterset_class.base_filters))
            filterset_class = narrowed(filterset_class, names)
        return filterset_class(self.request.GET, queryset=queryset, request=self.request)


class FilteredListView(FilteredMixin, StaffRequiredMixin, TemplateView):
    results_template_name = None
    # The lean read path: ``callable(ids, queryset) -> list[dict]`` reads the page's rows as values from a
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
        page, rows = self.page_and_rows(queryset, size)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_bar=self.filter_bar,
            filterset=filterset,
            page=page,
            rows=rows,
            query=query.urlencode(),
            ordering=self.request.GET.get("ordering", ""),
            page_sizes=PAGE_SIZES,
            page_size=page_size_from(self.request),
        )
        return context

    def page_and_rows(self, queryset, size: int):
        """The requested page and its rows. On the lean path (``page_rows``) the count comes with the rows, so a
        page that exists costs one query; a page past the last one (or nonsense) is answered as ``Paginator``
        does — the last page, or the first — with a count of its own."""
        number = parse_page(self.request.GET.get("page"))
        if self.page_rows is not None:
            rows = type(self).page_rows(page_ids(queryset, (number - 1) * size, number * size), queryset)
            if rows or number == 1:
                paginator = Paginator(queryset, size)
                paginator.count = rows.total if rows else 0  # read with the rows: no query of its own
                return paginator.page(number), rows
        page = Paginator(queryset, size).get_page(number)
        if self.page_rows is None:
            return page, page.object_list
        bottom = (page.number - 1) * size
        return page, type(self).page_rows(page_ids(queryset, bottom, bottom + size), queryset)


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
