"""Building blocks for the FilterSets (one per model, shared by the API and the HTML list pages)."""

from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .dates import BusinessDateFormField


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """``?status=active,on_hold``: any of several choices, each validated (an unknown one is 400)."""


class SearchFilter(django_filters.CharFilter):
    """``?q=``: case-insensitive containment over the given fields, every word must match somewhere."""

    def __init__(self, *args, search_fields: tuple[str, ...], **kwargs):
        self.search_fields = search_fields
        kwargs.setdefault("label", _("Search"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        words = (value or "").split()
        for word in words[:8]:
            qs = qs.filter(reduce(or_, (Q(**{f"{field}__icontains": word}) for field in self.search_fields)))
        return qs


def scoped_queryset(selector):
    """A callable queryset for a foreign-key filter: the rows the requesting user may see (see django-filter's
    callable ``queryset``). Without a request (e.g. schema generation) it offers none."""

    def queryset(request):
        user = getattr(request, "user", None)
        return selector(user=user)

    return queryset


class BusinessDateFilter(django_filters.DateFilter):
    """``?due_after=2027-01-01``: a date filter bounded like every date a user sends (``core.dates``)."""

    field_class = BusinessDateFormField
