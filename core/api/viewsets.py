"""Base viewsets: thin views that read through a selector and write through a service.

A concrete viewset declares what it is made of and nothing more::

    class ClientViewSet(ListMixin, RetrieveMixin, CreateMixin, UpdateMixin, TransitionMixin, HistoryMixin,
                        ScopedViewSet):
        selector = staticmethod(client_list)
        filterset_class = ClientFilterSet
        output_serializer_class = ClientOutputSerializer
        input_serializer_class = ClientInputSerializer
        create_service = staticmethod(client_create)
        ...

Writes go input serializer → service → output serializer. Detail responses carry ``ETag: "<version>"``; a write
may send ``If-Match`` and is refused with 412 when it is stale (the check happens inside the service, under a row
lock). Illegal transitions are 409, bad input 400 — all through ``core.api.exceptions``.
"""

from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core.history import history_entries
from core.numbers import parse_version

from .serializers import HistoryEntrySerializer, transition_serializer_for


def parse_if_match(header: str | None) -> int | None:
    """``If-Match: "3"`` (or ``W/"3"``) → 3; absent or ``*`` → None. Anything else can never match: -1."""
    if not header or header.strip() == "*":
        return None
    value = header.split(",")[0].strip()
    if value.startswith("W/"):
        value = value[2:]
    return parse_version(value.strip('"') or "-")


class ServiceViewSet(GenericViewSet):
    selector = None  # callable(*, user) -> QuerySet, scoped to the acting user
    output_serializer_class = None
    input_serializer_class = None
    update_serializer_class = None  # defaults to input_serializer_class
    service_instance_kwarg = "instance"

    # --- reading -----------------------------------------------------------------------------------------------
    def get_queryset(self):
        return self.selector(user=self.request.user)

    def get_serializer_class(self):
        return self.get_output_serializer_class()

    def public_output(self) -> bool:
        """Does this request get the client-facing allowlist (``ScopedViewSet`` knows)?"""
        return False

    def get_output_serializer_class(self):
        return self.output_serializer_class

    def get_input_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return self.update_serializer_class or self.input_serializer_class
        return self.input_serializer_class

    def output(self, instance, *, status_code=status.HTTP_200_OK, headers=None) -> Response:
        serializer = self.get_output_serializer_class()(instance, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code, headers=headers)

    # --- writing -----------------------------------------------------------------------------------------------
    def validated_input(self, serializer_class=None, *, partial=False, instance=None, **kwargs) -> dict:
        serializer_class = serializer_class or self.get_input_serializer_class()
        serializer = serializer_class(
            instance=instance, data=self.request.data, partial=partial, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def expected_version(self) -> int | None:
        return parse_if_match(self.request.headers.get("If-Match"))

    def service_kwargs(self, instance) -> dict:
        return {self.service_instance_kwarg: instance, "actor": self.request.user}

    # --- cross-cutting -----------------------------------------------------------------------------------------
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The API speaks the caller's Accept-Language; without one, the language stored on the user.
        if "Accept-Language" not in request.headers and getattr(request.user, "language", ""):
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = translation.get_language()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if (
            200 <= response.status_code < 300
            and isinstance(data, dict)
            and "version" in data
            and "id" in data
            and not response.has_header("ETag")
        ):
            response["ETag"] = f'"{data["version"]}"'
        return response


class ListMixin:
    # The lean read path: ``callable(ids, queryset, *, public) -> list[dict]`` answering exactly what the
    # output serializer writes, from a page-ids subquery (``core.api.rows``); None: the serializer path.
    list_rows = None

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if self.list_rows is not None and self.paginator is not None:
            rows = self.lean_page(queryset, request)
            if rows is not None:
                return self.get_paginated_response(rows)
        page = self.paginate_queryset(queryset)
        rows = queryset if page is None else page
        serializer = self.get_output_serializer_class()(rows, many=True, context=self.get_serializer_context())
        return Response(serializer.data) if page is None else self.get_paginated_response(serializer.data)

    def lean_page(self, queryset, request) -> "Page | None":  # noqa: F821 (core.api.rows.Page)
        """The page's rows on the lean path, the count read in the same query (``core.api.rows.counted``) when
        the page is named plainly; None when the request pages without a page size."""
        from .rows import one_locale, page_ids

        def read(bottom: int, top: int):
            with one_locale():
                return type(self).list_rows(page_ids(queryset, bottom, top), queryset, public=self.public_output())

        requested = self.paginator.requested_page(request)
        if requested is not None:
            number, size = requested
            rows = read((number - 1) * size, number * size)
            total = rows.total if rows else 0
            if self.paginator.settle_page(queryset, request, number, size, total):
                return rows
            # past the last page: DRF's answer (its count, its 404) below
        bounds = self.paginator.page_bounds(queryset, request, view=self)
        return None if bounds is None else read(*bounds)


class RetrieveMixin:
    def retrieve(self, request, *args, **kwargs):
        return self.output(self.get_object())


class CreateMixin:
    create_service = None  # callable(*, actor, **validated_data) -> instance

    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        instance = self.create_service(actor=request.user, **data)
        return self.output(instance, status_code=status.HTTP_201_CREATED)


class UpdateMixin:
    update_service = None  # callable(*, <instance kwarg>, actor, data, expected_version) -> instance

    def update(self, request, *args, partial=False, **kwargs):
        instance = self.get_object()
        data = self.validated_input(partial=partial, instance=instance)
        updated = self.update_service(
            **self.service_kwargs(instance), data=data, expected_version=self.expected_version()
        )
        return self.output(updated)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


class DestroyMixin:
    delete_service = None  # callable(*, <instance kwarg>, actor, expected_version) -> None

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.delete_service(**self.service_kwargs(instance), expected_version=self.expected_version())
        return Response(status=status.HTTP_204_NO_CONTENT)


class TransitionMixin:
    """``POST …/{id}/transition/ {"to": …, "reason": …}`` through the record's state machine."""

    state_machine = None
    transition_service = None  # callable(*, <instance kwarg>, actor, to, reason, expected_version) -> instance

    def get_transition_serializer_class(self):
        model = self.output_serializer_class.Meta.model.__name__
        return transition_serializer_for(self.state_machine, f"{model}TransitionInputSerializer")

    def get_input_serializer_class(self):
        if self.action == "transition":
            return self.get_transition_serializer_class()
        return super().get_input_serializer_class()

    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.validated_input(self.get_transition_serializer_class())
        updated = self.transition_service(
            **self.service_kwargs(instance),
            to=data["to"],
            reason=data["reason"],
            expected_version=self.expected_version(),
        )
        return self.output(updated)


class HistoryMixin:
    """``GET …/{id}/history/``: the audit trail, newest first, paged. Staff only (see the permission map)."""

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, *args, **kwargs):
        entries = history_entries(self.get_object())
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)

    def get_output_serializer_class(self):
        if self.action == "history":
            return HistoryEntrySerializer
        return super().get_output_serializer_class()


def service_action(name: str, service, *, instance_kwarg: str, input_serializer=None, output_serializer=None):
    """A detail action ``POST …/{id}/<name>/`` that hands the object, the actor, the ``If-Match`` version and the
    validated input to ``service`` and answers the re-read object (status changes: ``submit``, ``pause`` …)."""

    @extend_schema(request=input_serializer, responses=output_serializer)
    def act(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.validated_input(input_serializer) if input_serializer else {}
        updated = service(
            **{instance_kwarg: instance}, actor=request.user, expected_version=self.expected_version(), **data
        )
        return self.output(self.get_queryset().get(pk=updated.pk))

    act.__name__ = name
    act.__doc__ = getattr(service, "__doc__", None) or f"{name.replace('_', ' ').capitalize()}."
    return action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(act)
