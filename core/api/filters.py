"""The filter backend shared by every list endpoint.

Filters are django-filter FilterSets (one per model, also used by the HTML list pages). A foreign-key filter
naming a row the caller cannot see — another client's, or one that does not exist — answers 404, exactly like
opening that row would, so a filter never reveals that another client's row exists.
"""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions

from core.filters import narrowed
from core.numbers import parse_id

INVALID_CHOICE_CODES = {"invalid_choice", "invalid_pk_value"}


def _refers_to_invisible_row(filterset) -> bool:
    from django_filters.filters import ModelChoiceFilter, ModelMultipleChoiceFilter

    for name, errors in filterset.form.errors.as_data().items():
        flt = filterset.filters.get(name)
        raw = filterset.data.get(name, "")
        looks_like_ids = all(parse_id(part.strip()) for part in str(raw).split(",") if part.strip())
        if (
            isinstance(flt, (ModelChoiceFilter, ModelMultipleChoiceFilter))
            and looks_like_ids
            and any(e.code in INVALID_CHOICE_CODES for e in errors)
        ):
            return True
    return False


NOT_FILTERS = frozenset({"page", "page_size", "format"})


class ScopedFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        names = frozenset(request.query_params) & frozenset(filterset_class.base_filters)
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        return narrowed(filterset_class, names)(**kwargs)

    def filter_queryset(self, request, queryset, view):
        if not set(request.query_params) - NOT_FILTERS:
            return queryset  # no filter given: no FilterSet to build and validate
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            if _refers_to_invisible_row(filterset):
                raise exceptions.NotFound()
            raise exceptions.ValidationError(filterset.errors)
        return filterset.qs
