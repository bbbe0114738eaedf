"""Building blocks for the FilterSets (one per model, shared by the API and the HTML list pages)."""

from functools import lru_cache, reduce
from operator import or_

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .dates import BusinessDateFormField
from .numbers import IntegerField


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


class IdFilter(django_filters.NumberFilter):
    """``?project=12``: a row's id, read by ``core.numbers`` (no other script's digits, no 5,000-digit numbers)."""

    field_class = IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class DueWithinFilter(django_filters.NumberFilter):
    """``?due_within=14``: due from today (``core.clock``) up to that many days ahead (0–366)."""

    field_class = IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Due within (days)"))
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 366)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        from datetime import timedelta

        from .clock import today

        start = today()
        return qs.filter(**{f"{self.field_name}__range": (start, start + timedelta(days=value))})


class MineFilter(django_filters.BooleanFilter):
    """``?mine=true``: the rows that are the requesting user's (``paths``: the user fields that make a row theirs,
    any of them)."""

    def __init__(self, *args, paths: tuple[str, ...], **kwargs):
        self.paths = paths
        kwargs.setdefault("label", _("Mine"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        user = getattr(getattr(self.parent, "request", None), "user", None)
        if not value or user is None or not user.is_authenticated:
            return qs
        return qs.filter(reduce(or_, (Q(**{path: user}) for path in self.paths)))


@lru_cache(maxsize=512)
def narrowed(filterset_class, names: frozenset):
    """``filterset_class`` with only the filters in ``names`` (those a request uses, and those its page's filter bar
    shows): a request builds, copies and validates those instead of all twenty. Filters are static
    declarations, so the narrowed classes are cached; querysets that depend on the request are still resolved per
    request."""
    narrow = type(filterset_class.__name__, (filterset_class,), {"__module__": filterset_class.__module__})
    narrow.base_filters = {name: f for name, f in filterset_class.base_filters.items() if name in names}
    return narrow
