"""drf-spectacular schema class: request and response serializers come from the viewset's input/output
serializer hooks, and every operation documents the error responses it can give."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

from core.throttles import COMMENTS, UPLOADS

from .serializers import (
    ErrorSerializer,
    StaleVersionErrorSerializer,
    TransitionErrorSerializer,
    ValidationErrorSerializer,
)

WRITE_METHODS = {"POST", "PUT", "PATCH"}

# Response component → the fields a client user's response leaves out (their allowlist serializer has fewer).
STAFF_ONLY_FIELDS: dict[str, set[str]] = {}
STAFF_ONLY_NOTE = "Staff only: absent from a client user's response."


class AutoSchema(openapi.AutoSchema):
    def get_request_serializer(self):
        getter = getattr(self.view, "get_input_serializer_class", None)
        if getter is not None and self.method in WRITE_METHODS:
            serializer = getter()
            if serializer is not None:
                return serializer
        return super().get_request_serializer()

    def get_response_serializers(self):
        getter = getattr(self.view, "get_output_serializer_class", None)
        if getter is not None:
            serializer = getter()
            if serializer is not None:
                self._note_staff_only_fields(serializer)
                return serializer
        return super().get_response_serializers()

    def _note_staff_only_fields(self, serializer) -> None:
        """A resource with a client allowlist answers client users with fewer fields than the staff output the
        schema documents: those fields are marked optional (``mark_staff_only_fields``)."""
        public = getattr(self.view, "client_output_serializer_class", None)
        if public is None or serializer is not getattr(self.view, "output_serializer_class", None):
            return
        staff_only = set(serializer().fields) - set(public().fields)
        if staff_only:
            STAFF_ONLY_FIELDS[self._get_serializer_name(serializer(), "response")] = staff_only

    def _is_detail(self) -> bool:
        return "{" in self.path

    def _is_custom_action(self) -> bool:
        """An ``@action`` (transition, complete, reschedule, amend …): it may find the record in a state that does
        not allow it (409)."""
        action = getattr(self.view, "action", None)
        return action not in (None, "list", "create", "retrieve", "update", "partial_update", "destroy")

    def _error_responses(self) -> dict:
        errors = {
            "401": OpenApiResponse(ErrorSerializer, description="Not authenticated."),
            "403": OpenApiResponse(ErrorSerializer, description="Your role does not allow this."),
        }
        if self.method in WRITE_METHODS or self._is_list_view():
            errors["400"] = OpenApiResponse(ValidationErrorSerializer, description="Invalid input: field → messages.")
        errors["404"] = OpenApiResponse(
            ErrorSerializer,
            description="Not found, or not visible to you (another client's data); also a filter or a field naming "
            "a row you cannot see.",
        )
        if self._is_detail() and self.method in WRITE_METHODS | {"DELETE"}:
            errors["412"] = OpenApiResponse(
                StaleVersionErrorSerializer, description="`If-Match` names a version that is no longer current."
            )
        if self._is_custom_action() and self.method == "POST":
            errors["409"] = OpenApiResponse(
                TransitionErrorSerializer, description="Illegal transition, or a conflict with other records' state."
            )
        elif self.method == "DELETE":
            errors["409"] = OpenApiResponse(ErrorSerializer, description="Still referenced by other records.")
        scope = getattr(self.view, "throttle_scopes", {}).get(getattr(self.view, "action", None))
        if scope is not None:
            errors["429"] = OpenApiResponse(
                ErrorSerializer, description=f"Past your rate of {scope.replace('_', ' ')}; `Retry-After` says when."
            )
        if scope in (UPLOADS, COMMENTS):
            errors["413"] = OpenApiResponse(
                ErrorSerializer, description="The upload would take your company past its storage quota."
            )
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses


def mark_staff_only_fields(result, generator, request, public):
    """drf-spectacular post-processing hook: the fields of ``STAFF_ONLY_FIELDS`` are not required (a client user's
    response leaves them out) and say so."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, fields in STAFF_ONLY_FIELDS.items():
        component = schemas.get(name)
        if component is None:
            continue
        required = [field for field in component.get("required", []) if field not in fields]
        if required:
            component["required"] = required
        else:
            component.pop("required", None)
        for field in fields:
            prop = component.get("properties", {}).get(field)
            if prop is not None and "$ref" not in prop:
                existing = prop.get("description", "")
                prop["description"] = f"{existing}\n\n{STAFF_ONLY_NOTE}" if existing else STAFF_ONLY_NOTE
    return result
