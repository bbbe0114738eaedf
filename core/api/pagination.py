from django.core.paginator import InvalidPage
from rest_framework import pagination
from rest_framework.exceptions import NotFound

from core.numbers import MAX_PAGE, parse_int


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 200); answers ``count``, ``next``, ``previous``, ``results``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def page_bounds(self, queryset, request, view=None) -> tuple[int, int] | None:
        """Validate the requested page against ``queryset``'s count (one query) and answer the page's slice,
        without reading its rows: the lean read path reads them itself (``core.api.rows``). Same 404 for a page
        out of range as DRF's ``paginate_queryset``; afterwards ``get_paginated_response`` works as usual."""
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(self.invalid_page_message.format(page_number=page_number, message=str(exc))) from exc
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        self.request = request
        bottom = (self.page.number - 1) * page_size
        return bottom, bottom + page_size

    def requested_page(self, request) -> tuple[int, int] | None:
        """``(page number, page size)`` when the request names a plain page (absent or a positive integer), so
        the rows and the count can be read together and the page checked afterwards (``settle_page``); None
        for anything else ("last", nonsense), which ``page_bounds`` answers as DRF does."""
        page_size = self.get_page_size(request)
        number = parse_int(request.query_params.get(self.page_query_param, "1"), low=1, high=MAX_PAGE)
        if not page_size or number is None:
            return None
        return number, page_size

    def get_page_number(self, request, paginator):
        """``?page=`` read by ``core.numbers`` ("last" too, as DRF reads it); anything else is DRF's 404."""
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            return paginator.num_pages
        number = parse_int(raw, low=1, high=MAX_PAGE)
        if number is None:
            raise NotFound(self.invalid_page_message)
        return number

    def get_page_size(self, request):
        """``?page_size=`` read by ``core.numbers``, at most ``max_page_size``; the default when absent or not a
        number."""
        size = parse_int(request.query_params.get(self.page_size_query_param), low=1)
        return min(size, self.max_page_size) if size else self.page_size

    def settle_page(self, queryset, request, number: int, page_size: int, total: int | None) -> bool:
        """Set the page from a count read beside its rows; False when the page lies past the last one."""
        paginator = self.django_paginator_class(queryset, page_size)
        paginator.count = total or 0  # the count was read with the rows: no query of its own
        if number > paginator.num_pages:
            return False
        self.page = paginator.page(number)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        self.request = request
        return True
