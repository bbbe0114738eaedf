"""Thin viewsets: comments and files on any record a user may see (staff other than viewers post,
viewers read, client users read and post the client-visible kind on their own client's records)."""

from django.conf import settings
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.choices import Role
from clients.api.viewsets import ScopedViewSet
from clients.permissions import ALL_STAFF, STAFF_AND_CLIENT
from core.api.parsers import MULTIPART
from core.api.viewsets import HistoryMixin, ListMixin, RetrieveMixin
from core.throttles import COMMENTS, UPLOADS
from core.uploads import name_for
from milestones.api.serializers import MilestoneOutputSerializer, MilestonePublicSerializer
from milestones.api.views import ENGINE_WRITERS
from milestones.selectors import milestone_list

from .. import selectors, services
from ..filters import AttachmentFilterSet, CommentFilterSet
from ..owners import owner_get
from .serializers import (
    AnswerInputSerializer,
    AttachmentInputSerializer,
    AttachmentSerializer,
    ClientAttachmentSerializer,
    ClientCommentSerializer,
    CommentEditSerializer,
    CommentInputSerializer,
    CommentSerializer,
    SendBackInputSerializer,
)

WRITERS = (ALL_STAFF - {Role.VIEWER}) | {"client"}


class CommentViewSet(ListMixin, RetrieveMixin, HistoryMixin, ScopedViewSet):
    """``?owner_type=milestone&owner_id=12`` lists one record's thread (oldest first); a comment is changed or
    deleted by its author within ``COMMENT_EDIT_MINUTES`` (403 after)."""

    selector = staticmethod(selectors.comment_list)
    filterset_class = CommentFilterSet
    output_serializer_class = CommentSerializer
    client_output_serializer_class = ClientCommentSerializer
    input_serializer_class = CommentInputSerializer
    update_serializer_class = CommentEditSerializer
    parser_classes = MULTIPART
    throttle_scopes = {"create": COMMENTS}
    permission_map = {
        "list": STAFF_AND_CLIENT,
        "retrieve": STAFF_AND_CLIENT,
        "history": ALL_STAFF,
        "create": WRITERS,
        "partial_update": WRITERS,
        "update": WRITERS,
        "destroy": WRITERS,
    }

    @extend_schema(request=CommentInputSerializer, responses={201: CommentSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        owner = owner_get(user=request.user, kind=data["owner_type"], pk=data["owner_id"])
        parent = None
        if data.get("parent"):
            parent = get_object_or_404(self.get_queryset(), pk=data["parent"])
        comment = services.comment_create(
            actor=request.user, owner=owner, body=data["body"], parent=parent,
            client_visible=data["client_visible"], uploads=data.get("files", []),
        )  # fmt: skip
        return self.output(self.get_queryset().get(pk=comment.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(request=CommentEditSerializer, responses={200: CommentSerializer})
    def update(self, request, *args, **kwargs):
        comment = self.get_object()
        data = self.validated_input()
        services.comment_update(comment=comment, actor=request.user, body=data["body"])
        return self.output(self.get_queryset().get(pk=comment.pk))

    @extend_schema(request=CommentEditSerializer, responses={200: CommentSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.comment_delete(comment=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentViewSet(ListMixin, RetrieveMixin, ScopedViewSet):
    """Files on any record: uploaded by multipart naming the record, downloaded only through ``download``,
    which applies the scoping rule (there is no public media URL)."""

    selector = staticmethod(selectors.attachment_list)
    filterset_class = AttachmentFilterSet
    output_serializer_class = AttachmentSerializer
    client_output_serializer_class = ClientAttachmentSerializer
    input_serializer_class = AttachmentInputSerializer
    parser_classes = MULTIPART
    throttle_scopes = {"create": UPLOADS}
    permission_map = {
        "list": STAFF_AND_CLIENT,
        "retrieve": STAFF_AND_CLIENT,
        "download": STAFF_AND_CLIENT,
        "create": WRITERS,
        "destroy": WRITERS,
    }

    @extend_schema(request=AttachmentInputSerializer, responses={201: AttachmentSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        owner = owner_get(user=request.user, kind=data["owner_type"], pk=data["owner_id"])
        attachment = services.attachment_upload(actor=request.user, owner=owner, upload=data["file"],
                                                client_visible=data["client_visible"])  # fmt: skip
        return self.output(self.get_queryset().get(pk=attachment.pk), status_code=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.attachment_delete(attachment=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in settings.ATTACHMENT_CONTENT_TYPES}
    )
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        attachment = self.get_object()
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=name_for(attachment.original_name, attachment.content_type),
            content_type=attachment.content_type,
        )


class RequestViewSet(ScopedViewSet):
    """A client's requests (milestones addressed to them): ``POST /milestones/{id}/answer/`` (the client: a note and
    files, which go on its thread) and ``POST /milestones/{id}/send-back/`` (the PM, with the reason the client
    reads). ``accept`` is the milestones app's own action."""

    selector = staticmethod(milestone_list)
    output_serializer_class = MilestoneOutputSerializer
    client_output_serializer_class = MilestonePublicSerializer
    parser_classes = MULTIPART
    permission_map = {"answer": frozenset({"client"}), "send_back": ENGINE_WRITERS}
    throttle_scopes = {"answer": COMMENTS}

    def get_input_serializer_class(self):
        return AnswerInputSerializer if self.action == "answer" else SendBackInputSerializer

    def output(self, instance, **kwargs):
        return super().output(self.get_queryset().get(pk=instance.pk), **kwargs)

    @extend_schema(request=AnswerInputSerializer, responses={200: MilestonePublicSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, *args, **kwargs):
        milestone = self.get_object()  # another client's request is 404 before anything is read of the input
        data = self.validated_input()
        services.request_answer(actor=request.user, milestone=milestone, note=data["note"],
                                uploads=data.get("files", []))  # fmt: skip
        return self.output(milestone)

    @extend_schema(request=SendBackInputSerializer, responses={200: MilestoneOutputSerializer})
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, *args, **kwargs):
        milestone = self.get_object()
        data = self.validated_input()
        services.request_send_back(actor=request.user, milestone=milestone, reason=data["reason"])
        return self.output(milestone)
