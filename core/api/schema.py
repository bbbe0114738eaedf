"""drf-spectacular schema class: request and response serializers come from the viewset's input/output
serializer hooks, and every operation documents the error responses it can give."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

from .serializers import (
    ErrorSerializer,
    StaleVersionErrorSerializer,
    TransitionErrorSerializer,
    ValidationErrorSerializer,
)

WRITE_METHODS = {"POST", "PUT", "PATCH"}


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
                return serializer
        return super().get_response_serializers()

    def _is_detail(self) -> bool:
        return "{" in self.path

    def _error_responses(self) -> dict:
        action = getattr(self.view, "action", None)
        errors = {
            "401": OpenApiResponse(ErrorSerializer, description="Not authenticated."),
            "403": OpenApiResponse(ErrorSerializer, description="Your role does not allow this."),
        }
        if self.method in WRITE_METHODS or self._is_list_view():
            errors["400"] = OpenApiResponse(ValidationErrorSerializer, description="Invalid input: field → messages.")
        if self._is_detail() or self._is_list_view():
            errors["404"] = OpenApiResponse(
                ErrorSerializer, description="Not found, or not visible to you (another client's data)."
            )
        if self._is_detail() and self.method in WRITE_METHODS | {"DELETE"}:
            errors["412"] = OpenApiResponse(
                StaleVersionErrorSerializer, description="`If-Match` names a version that is no longer current."
            )
        if action == "transition" or (
            getattr(self.view, "transition_actions", None) and action in self.view.transition_actions
        ):
            errors["409"] = OpenApiResponse(TransitionErrorSerializer, description="Illegal transition.")
        elif self.method == "DELETE":
            errors["409"] = OpenApiResponse(ErrorSerializer, description="Still referenced by other records.")
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
