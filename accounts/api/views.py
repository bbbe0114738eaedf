from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.services import api_token_create, api_token_revoke, user_update_profile
from core.api.serializers import ErrorSerializer, ValidationErrorSerializer
from core.throttles import TOKENS, seconds_to_wait

from .serializers import MeInputSerializer, MeOutputSerializer, TokenInputSerializer, TokenOutputSerializer


class TokenCreateApi(APIView):
    """Exchange a username and password for an API token. Failed attempts count towards the log-in lockout."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenInputSerializer,
        responses={
            200: TokenOutputSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer, description="Missing fields, or a wrong username or password."
            ),
            429: OpenApiResponse(
                ErrorSerializer, description="Locked out after repeated failures, or past your rate of new tokens."
            ),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, **serializer.validated_data)
        if user is None or not user.is_active:
            raise ValidationError({"non_field_errors": [_("Unable to log in with the given username and password.")]})
        wait = seconds_to_wait(request, TOKENS, user=user)
        if wait is not None:
            raise Throttled(wait)
        return Response({"token": api_token_create(user=user)})


class TokenRevokeApi(APIView):
    """Revoke the token this request is authenticated with."""

    # only the API's token authentication (the configured one: it also reads who the user is), never a session
    authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES[:1]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: ErrorSerializer})
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """The signed-in user: profile and roles. ``PATCH`` changes the display name and language."""

    permission_classes = [IsAuthenticated]
    output_serializer_class = MeOutputSerializer

    def get_output_data(self, user) -> dict:
        return self.output_serializer_class(user, context={"request": self.request}).data

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        return Response(self.get_output_data(request.user))

    @extend_schema(request=MeInputSerializer, responses=MeOutputSerializer)
    def patch(self, request):
        serializer = MeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, data=serializer.validated_data)
        return Response(self.get_output_data(user))
