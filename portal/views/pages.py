"""The client's pages: home, a project, requests, test orders, notifications. Reads go through the domain
selectors (scoped to the user's client); writes through the same services as the API."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from conversations import selectors as talk
from conversations import services as conversation
from conversations.owners import OWNER_KINDS, owner_get
from core.exceptions import ApplicationError
from core.numbers import parse_page, posted_ids
from core.throttles import COMMENTS, UPLOADS, rate_limited
from labtests import selectors as lab
from labtests.choices import ItemStatus, OrderStatus
from milestones import selectors as engine
from milestones.choices import OPEN_MILESTONE_STATUSES
from milestones.models import Milestone
from notifications.selectors import notification_list
from notifications.services import notifications_mark_read
from projects.selectors import project_list

from ..forms import AnswerForm, PortalCommentForm, PortalUploadForm
from .base import ClientRequiredMixin, open_requests


def _next_milestones(user, project_ids) -> dict[int, dict]:
    """project id → its next open, client-visible milestone (one query for all the projects on the page)."""
    rows = (
        engine.milestone_list(user=user)
        .filter(project_id__in=list(project_ids), status__in=OPEN_MILESTONE_STATUSES, due_date__isnull=False)
        .order_by("project_id", "due_date", "id")
        .values("project_id", "name_zh", "name_en", "due_date")
    )
    first: dict[int, dict] = {}
    for row in rows:
        if row["project_id"] not in first:
            first[row["project_id"]] = {**row, "name": Milestone.name_in_language(row["name_zh"], row["name_en"])}
    return first


# The portal's lists read their rows as values, shaped as the templates read them.
PROJECT_CARD_COLUMNS = ("pk", "code", "title", "progress", "health", "authority_overdue")


class HomeView(ClientRequiredMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        projects = list(project_list(user=user).order_by("-start_date", "-id").values(*PROJECT_CARD_COLUMNS)[:100])
        upcoming = _next_milestones(user, [p["pk"] for p in projects])
        for project in projects:
            project["next_milestone"] = upcoming.get(project["pk"])
        context.update(
            projects=projects,
            requests=engine.milestone_summary_rows(open_requests(user).order_by("due_date", "id"), 10),
            notifications=list(notification_list(user=user)[:5]),
        )
        return context


class ProjectView(ClientRequiredMixin, TemplateView):
    template_name = "portal/project.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        project = get_object_or_404(project_list(user=user), pk=self.kwargs["pk"])
        milestones = list(engine.milestone_list(user=user).filter(project=project).order_by("due_date", "order"))
        context.update(
            project=project,
            timeline=timeline_rows(milestones),
            submissions=engine.submission_list(user=user).filter(project=project),
            orders=lab.test_order_list(user=user).filter(project=project).order_by("-id"),
            reports=lab.test_report_list(user=user).filter(order__project=project).order_by("-issued_on", "-id"),
            **thread_context(user, "project", project),
        )
        return context


def timeline_rows(milestones) -> dict:
    """Each milestone with its current and baseline bars as percentages of the span they cover together."""
    dates = [d for m in milestones for d in (m.planned_start, m.due_date, m.baseline_start, m.baseline_due_date) if d]
    if not dates:
        return {"rows": milestones, "start": None, "end": None}
    start, end = min(dates), max(dates)
    span = max((end - start).days, 1)

    def bar(first: date | None, last: date | None):
        if last is None:
            return None
        first = first or last
        return {"left": round(100 * (first - start).days / span, 2),
                "width": max(round(100 * (last - first).days / span, 2), 0.8)}  # fmt: skip

    for milestone in milestones:
        milestone.bar = bar(milestone.planned_start, milestone.due_date)
        milestone.baseline_bar = bar(milestone.baseline_start, milestone.baseline_due_date)
        milestone.moved = bool(milestone.baseline_due_date and milestone.baseline_due_date != milestone.due_date)
    return {"rows": milestones, "start": start, "end": end}


def thread_context(user, kind: str, owner, *, form=None, upload_form=None) -> dict:
    comments, files = talk.thread_of(user=user, owner=owner)
    return {
        "thread": {"kind": kind, "owner": owner, "comments": comments, "files": files,
                   "form": form or PortalCommentForm(), "upload_form": upload_form or PortalUploadForm(),
                   "url": reverse("portal:comment", args=[kind, owner.pk]),
                   "upload_url": reverse("portal:upload", args=[kind, owner.pk])},
    }  # fmt: skip


def _back_to(kind: str, owner) -> str:
    return OWNER_KINDS[kind].client_url(owner)


class CommentView(ClientRequiredMixin, View):
    """A comment (with files) from the client: always visible to both sides."""

    @rate_limited(COMMENTS)
    def post(self, request, kind: str, pk: int):
        owner = owner_get(user=request.user, kind=kind, pk=pk)
        form = PortalCommentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                conversation.comment_create(actor=request.user, owner=owner, body=form.cleaned_data["body"],
                                            uploads=form.cleaned_data["files"])  # fmt: skip
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Comment posted."))
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_back_to(kind, owner))


class UploadView(ClientRequiredMixin, View):
    @rate_limited(UPLOADS)
    def post(self, request, kind: str, pk: int):
        owner = owner_get(user=request.user, kind=kind, pk=pk)
        form = PortalUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                conversation.attachment_upload(actor=request.user, owner=owner, upload=form.cleaned_data["file"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("File uploaded."))
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_back_to(kind, owner))


class RequestListView(ClientRequiredMixin, TemplateView):
    """What the CRO is waiting for: open requests to answer, and answers waiting for the CRO's acceptance."""

    template_name = "portal/requests.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        requests = list(open_requests(user).order_by("due_date", "id"))
        talk.attach_messages(user=user, owners=requests)
        context.update(
            requests=requests,
            answered=list(
                engine.milestone_list(user=user)
                .filter(responsible="client", status="awaiting_acceptance")
                .order_by("due_date", "id")
            ),
            form=kwargs.get("form") or AnswerForm(),
            failed=kwargs.get("failed"),
        )
        return context


class RequestAnswerView(RequestListView):
    def get(self, request, pk: int):
        milestone = get_object_or_404(open_requests(request.user), pk=pk)
        return redirect(reverse("portal:requests") + f"#request-{milestone.pk}")

    @rate_limited(COMMENTS)
    def post(self, request, pk: int):
        milestone = get_object_or_404(open_requests(request.user), pk=pk)
        form = AnswerForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                conversation.request_answer(actor=request.user, milestone=milestone, note=form.cleaned_data["note"],
                                            uploads=form.cleaned_data["files"])  # fmt: skip
            except ValidationError as error:
                form.add_error("files" if "file" in getattr(error, "message_dict", {}) else None, error.messages)
            except ApplicationError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Thank you: your answer was sent. The project manager will confirm it."))
                return redirect("portal:requests")
        return self.render_to_response(self.get_context_data(form=form, failed=milestone.pk), status=400)


class OrderListView(ClientRequiredMixin, TemplateView):
    template_name = "portal/orders.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = lab.test_order_list(user=self.request.user).order_by("-id")
        columns = ("pk", "number", "project__code", "status", "received_on", "due_date", "due_provisional")
        page = Paginator(rows.values(*columns), 50)
        page = page.get_page(parse_page(self.request.GET.get("page")))
        statuses = dict(OrderStatus.choices)
        orders = [{**row, "project": {"code": row["project__code"]}, "get_status_display": statuses[row["status"]]}
                  for row in page.object_list]  # fmt: skip
        context.update(page=page, orders=orders)
        return context


class OrderView(ClientRequiredMixin, TemplateView):
    template_name = "portal/order.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        order = get_object_or_404(lab.test_order_list(user=user), pk=self.kwargs["pk"])
        items = list(lab.test_item_list(user=user).filter(order=order).order_by("id"))
        for item in items:
            item.shown_verdict = item.get_verdict_display() if item.status == ItemStatus.VERIFIED else ""
        context.update(
            order=order,
            samples=lab.sample_list(user=user).filter(order=order).order_by("id"),
            items=items,
            reports=lab.test_report_versions(user=user).filter(order=order).order_by("-version"),
            **thread_context(user, "test_order", order),
        )
        return context


class NotificationListView(ClientRequiredMixin, TemplateView):
    template_name = "portal/notifications.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = notification_list(user=self.request.user)
        page = Paginator(rows, 50).get_page(parse_page(self.request.GET.get("page")))
        context.update(page=page, rows=page.object_list)
        return context


class NotificationsReadView(ClientRequiredMixin, View):
    def post(self, request):
        ids = posted_ids(request)
        count = notifications_mark_read(user=request.user, ids=ids)
        messages.success(request, _("%(count)d notification(s) marked read.") % {"count": count})
        return redirect("portal:notifications")
