"""Comments and files on a record's staff page: the thread with an internal / visible-to-client switch and the
file list with upload. The same views serve the panel of a milestone or a submission (an htmx fragment) and a
page of its own (without JavaScript). Writes go through ``conversations.services``, like the API's."""

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from accounts.choices import Role
from clients.access import access_for
from conversations import selectors, services
from conversations.owners import DISCUSSABLE, OWNER_KINDS, owner_get
from core.forms import add_service_error
from core.throttles import COMMENTS, UPLOADS, rate_limited

from ..forms import CommentEditForm, CommentForm, UploadForm
from .base import StaffRequiredMixin, WriteFormMixin

WRITERS = frozenset(Role) - {Role.VIEWER}


def conversation_context(request, kind_code: str, owner, *, form=None, upload_form=None) -> dict:
    """What ``web/conversations/_thread.html`` draws for ``owner``: a fixed number of queries, whatever the size."""
    user = request.user
    comments, files = selectors.thread_of(user=user, owner=owner)
    kind = OWNER_KINDS[kind_code]
    return {
        "kind": kind_code,
        "kind_label": kind.label,
        "owner": owner,
        "comments": comments,
        "files": files,
        "can_write": bool(access_for(user).roles & WRITERS),
        "form": form or CommentForm(),
        "upload_form": upload_form or UploadForm(),
        "url": reverse("web:conversation", args=[kind_code, owner.pk]),
        "back": kind.staff_url(owner),
        "max_bytes": settings.ATTACHMENT_MAX_BYTES,
        "max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "edit_minutes": settings.COMMENT_EDIT_MINUTES,
    }


def with_comment_counts(user, queryset) -> list:
    """The rows of ``queryset`` as a list, each with ``comment_count`` (the comments ``user`` can read on it)."""
    rows = list(queryset)
    if rows:
        owner_type = ContentType.objects.get_for_model(rows[0])
        counts = selectors.comment_counts(user=user, owner_type_id=owner_type.pk, owner_ids=[r.pk for r in rows])
        for row in rows:
            row.comment_count = counts.get(row.pk, 0)
    return rows


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


class _OnRecord(StaffRequiredMixin):
    write_roles = WRITERS

    def owner(self):
        kind = self.kwargs["kind"]
        if kind not in DISCUSSABLE:
            raise Http404
        return owner_get(user=self.request.user, kind=kind, pk=self.kwargs["pk"])

    def render_thread(self, owner, *, status=200, **forms):
        template = "web/conversations/_thread.html" if self.request.headers.get("HX-Request") else (
            "web/conversations/page.html")  # fmt: skip
        context = self.get_context_data(**conversation_context(self.request, self.kwargs["kind"], owner, **forms))
        return self.response_class(request=self.request, template=[template], context=context, status=status)

    def done(self, owner, message: str):
        if self.request.headers.get("HX-Request"):
            return self.render_thread(owner)
        messages.success(self.request, message)
        return redirect(_back(self.request, reverse("web:conversation", args=[self.kwargs["kind"], owner.pk])))


class ConversationView(_OnRecord, TemplateView):
    """GET: the thread (a page, or the panel's fragment under htmx). POST: a new comment, with files."""

    def get(self, request, *args, **kwargs):
        return self.render_thread(self.owner())

    @rate_limited(COMMENTS)
    def post(self, request, *args, **kwargs):
        owner = self.owner()
        form = CommentForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                parent = None
                if data.get("parent"):
                    parent = get_object_or_404(selectors.comment_list(user=request.user), pk=data["parent"])
                services.comment_create(actor=request.user, owner=owner, body=data["body"], parent=parent,
                                        client_visible=data["client_visible"], uploads=data["files"])  # fmt: skip
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return self.done(owner, _("Comment posted."))
        return self.render_thread(owner, form=form, status=400)


class UploadView(_OnRecord, TemplateView):
    """A file on the record outside any comment (the no-JavaScript path; the drop zone posts to the API)."""

    def get(self, request, *args, **kwargs):
        return redirect("web:conversation", kind=self.kwargs["kind"], pk=self.kwargs["pk"])

    @rate_limited(UPLOADS)
    def post(self, request, *args, **kwargs):
        owner = self.owner()
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attachment_upload(actor=request.user, owner=owner, upload=form.cleaned_data["file"],
                                           client_visible=form.cleaned_data["client_visible"])  # fmt: skip
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return self.done(owner, _("File uploaded."))
        return self.render_thread(owner, upload_form=form, status=400)


class CommentEditView(WriteFormMixin, TemplateView):
    """The author's correction within the window; after it, 403 with the reason."""

    template_name = "web/conversations/edit.html"
    write_roles = WRITERS

    def comment(self):
        comment = get_object_or_404(
            selectors.comment_list(user=self.request.user).filter(deleted_at__isnull=True), pk=self.kwargs["pk"]
        )
        services.check_may_change(actor=self.request.user, author_id=comment.author_id,
                                  created_at=comment.created_at, what=_("comment"))  # fmt: skip
        return comment

    def get(self, request, *args, **kwargs):
        comment = self.comment()
        form = CommentEditForm(initial={"body": comment.body})
        context = self.get_context_data(comment=comment, form=form, back=_owner_url(comment),
                                        edit_minutes=settings.COMMENT_EDIT_MINUTES)  # fmt: skip
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        comment = self.comment()
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                services.comment_update(comment=comment, actor=request.user, body=form.cleaned_data["body"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Comment changed."))
                return redirect(_owner_url(comment))
        context = self.get_context_data(comment=comment, form=form, back=_owner_url(comment),
                                        edit_minutes=settings.COMMENT_EDIT_MINUTES)  # fmt: skip
        return self.render_to_response(context, status=400)


class CommentDeleteView(StaffRequiredMixin, View):
    write_roles = WRITERS

    def post(self, request, *args, **kwargs):
        comment = get_object_or_404(selectors.comment_list(user=request.user), pk=kwargs["pk"])
        services.comment_delete(comment=comment, actor=request.user)
        messages.success(request, _("Comment deleted."))
        return redirect(_back(request, _owner_url(comment)))


class AttachmentDeleteView(StaffRequiredMixin, View):
    write_roles = WRITERS

    def post(self, request, *args, **kwargs):
        attachment = get_object_or_404(selectors.attachment_list(user=request.user), pk=kwargs["pk"])
        services.attachment_delete(attachment=attachment, actor=request.user)
        messages.success(request, _("File deleted."))
        return redirect(_back(request, reverse("web:home")))


def _owner_url(comment) -> str:
    from conversations.owners import kind_code_by_content_type

    kind = kind_code_by_content_type().get(comment.owner_type_id)
    owner = OWNER_KINDS[kind].model.objects.filter(pk=comment.owner_id).first() if kind else None
    return OWNER_KINDS[kind].staff_url(owner) if owner is not None else reverse("web:home")
