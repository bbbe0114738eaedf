"""Staff pages of projects and the regulatory engine: list (filters, sorting, paging, export), "new project
from pathway" in one form, the project page (timeline, clocks, submissions, milestones, history) and the
milestone reschedule with a preview of what shifts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from accounts.choices import Role
from accounts.selectors import staff_user_list
from clients.access import access_for
from conversations.services import request_send_back
from core.api.rows import Page, total_of
from core.calendars import CalendarBook
from core.clock import today as local_today
from core.exceptions import ApplicationError, StaleVersion
from core.history import history_entries
from core.numbers import parse_id, parse_int
from labtests.selectors import test_order_list
from milestones import selectors as engine
from milestones.choices import ClockAction, SubmissionStatus
from milestones.clocks import allowed_actions, read_clock
from milestones.services import (
    SUBMISSION_STATUS,
    dependency_add,
    dependency_remove,
    milestone_accept,
    milestone_moves,
    milestone_reschedule,
    milestone_transition,
    pathway_apply,
    review_clock_act,
    submission_transition,
    submission_update,
)
from projects import selectors
from projects.choices import Health, MemberRole, ProjectStatus, ServiceType
from projects.filters import ProjectFilterSet
from projects.services import PROJECT_STATUS, project_create, project_transition, project_update

from ..forms import ActionForm, ProjectEditForm, ProjectFromPathwayForm, ProjectTestOrderForm, RescheduleForm
from .actions import STALE_MESSAGE, check_confirmed, pop_action_errors, posted_version, run_action
from .base import StaffRequiredMixin, WriteFormMixin
from .conversations import conversation_context, with_comment_counts
from .lists import ExportView, FilteredListView, url_maker

PROJECT_WRITERS = frozenset({Role.ADMIN, Role.PROJECT_MANAGER})
ENGINE_WRITERS = PROJECT_WRITERS | {Role.REGULATORY}
STALE_PREVIEW_MESSAGE = gettext_lazy(
    "Someone else changed this milestone meanwhile. Nothing was saved: check the preview again."
)


# One row of the projects page. Written here, escaped by ``format_html``, because a template row cost a hundred
# microseconds in tags and filters — as much as the rest of the page for fifty rows.
PROJECT_ROW = (
    '<tr><td><a href="{url}">{code}</a></td><td>{title}</td><td>{client}</td>'
    '<td><span class="badge {status}">{status_label}</span></td>'
    '<td><span class="badge health-{health}">{health_label}</span>{overdue}</td>'
    '<td><progress value="{progress}" max="100" aria-label="{progress_label}">{progress}%</progress> {progress}%</td>'
    "<td>{next_due}</td></tr>"
)


def project_page_rows(ids, queryset) -> Page:
    """The list page's rows as HTML, and the count of ``queryset``: its columns only, read as values (no devices,
    no instances) in one query."""
    statuses, healths = dict(ProjectStatus.choices), dict(Health.choices)
    link = url_maker("web:project-detail")
    overdue = format_html(' <span class="badge authority-overdue">{}</span>', _("Authority overdue"))
    progress_label = _("Progress")
    values = selectors.project_page_values(ids=ids, queryset=queryset)
    html = [
        format_html(
            PROJECT_ROW,
            url=link(row["id"]),
            code=row["code"],
            title=row["title"],
            client=row["client__code"],
            status=row["status"],
            status_label=statuses[row["status"]],
            health=row["health"],
            health_label=healths[row["health"]],
            overdue=overdue if row["authority_overdue"] else "",
            progress=row["progress"],
            progress_label=progress_label,
            next_due=row["next_due_date"].isoformat() if row["next_due_date"] else "—",
        )
        for row in values
    ]
    return Page(html, total_of(values))


class ProjectListView(FilteredListView):
    template_name = "web/projects/list.html"
    results_template_name = "web/projects/_results.html"
    filterset_class = ProjectFilterSet
    filter_bar = ("client", "project_manager", "pathway", "due_within", "mine")
    selector = staticmethod(selectors.project_list)
    page_rows = staticmethod(project_page_rows)
    write_roles = PROJECT_WRITERS

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statuses=ProjectStatus.choices, service_types=ServiceType.choices, healths=Health.choices, **kwargs
        )


class ProjectExportView(ExportView):
    filterset_class = ProjectFilterSet
    selector = staticmethod(selectors.project_list)
    filename = "projects"
    sheet_title = gettext_lazy("Projects")

    def header(self):
        return [
            _("Code"), _("Title"), _("Client"), _("Service type"), _("Status"), _("Health"), _("Progress (%)"),
            _("Next due date"), _("Start date"), _("Target date"), _("Project manager"),
        ]  # fmt: skip

    def row(self, p):
        return [
            p.code, p.title, p.client.code, p.get_service_type_display(), p.get_status_display(),
            p.get_health_display(), p.progress, p.next_due_date, p.start_date, p.target_date,
            str(p.project_manager) if p.project_manager else "",
        ]  # fmt: skip


class ProjectCreateView(WriteFormMixin, TemplateView):
    template_name = "web/projects/form.html"
    write_roles = PROJECT_WRITERS

    def get(self, request, *args, **kwargs):
        form = ProjectFromPathwayForm(initial={"project_manager": request.user.pk, "activate": True})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = ProjectFromPathwayForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    project = self.create(form)
            except ValidationError as error:
                for field, errors in getattr(error, "message_dict", {"__all__": error.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            except ApplicationError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Project %(code)s created.") % {"code": project.code})
                return redirect("web:project-detail", pk=project.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def create(self, form):
        actor = self.request.user
        project = project_create(actor=actor, **form.service_data())
        for code in form.cleaned_data["pathways"]:
            pathway_apply(
                project=project, actor=actor, pathway=code, start_date=project.start_date, options=form.options_of(code)
            )
        if form.cleaned_data["activate"]:
            project = project_transition(project=project, actor=actor, to=ProjectStatus.ACTIVE)
        return project


class ProjectDetailView(StaffRequiredMixin, TemplateView):
    template_name = "web/projects/detail.html"
    write_roles = PROJECT_WRITERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        project = get_object_or_404(selectors.project_list(user=user), pk=self.kwargs["pk"])
        book, today = CalendarBook(), local_today()
        clocks = list(engine.review_clock_list(user=user).filter(submission__project=project))
        readings = [(clock, read_clock(clock, today, book[clock.unit])) for clock in clocks]
        for clock in clocks:
            clock.corrections = [(action, ClockAction(action).label) for action in allowed_actions(clock.state)]
        submissions = with_comment_counts(user, engine.submission_list(user=user).filter(project=project))
        for submission in submissions:
            submission.moves = [
                (state, SubmissionStatus(state).label) for state in SUBMISSION_STATUS.allowed(submission.status)
            ]
        milestones = engine.milestone_list(user=user).filter(project=project).order_by("due_date", "order")
        links = engine.dependency_links(user=user, project_id=project.pk)
        context.update(
            timeline={
                "groups": [
                    {"id": s.pk, "label": f"{s.pathway_code} · {s.get_authority_display()}"} for s in submissions
                ],
                "links": [[pred, succ] for pred, succ, _lag in links],
            },
            project=project,
            submissions=submissions,
            clocks=readings,
            milestones=_with_links(user, _with_moves(with_comment_counts(user, milestones))),
            conversation=conversation_context(self.request, "project", project),
            action_errors=pop_action_errors(self.request),
            orders=test_order_list(user=user).filter(project=project).order_by("-id"),
            members=selectors.project_member_list(user=user, project=project).order_by("user__username"),
            member_roles=MemberRole.choices,
            staff=staff_user_list() if access_for(user).roles & PROJECT_WRITERS else [],
            can_order=bool(access_for(user).roles & {Role.ADMIN, Role.PROJECT_MANAGER, Role.LAB_MANAGER}),
            project_moves=[(state, ProjectStatus(state).label) for state in PROJECT_STATUS.allowed(project.status)],
            can_edit_project=bool(access_for(user).roles & PROJECT_WRITERS),
            today=today,
            history=history_entries(project)[:50],
            can_plan=bool(access_for(user).roles & ENGINE_WRITERS),
            gantt_language="scn" if translation.get_language().startswith("zh") else "en",  # scn: Simplified
        )
        return context


def _with_links(user, milestones: list) -> list:
    """Each milestone with ``predecessors``: the milestones it waits for (one query for the whole project)."""
    by_id = {m.pk: m for m in milestones}
    for milestone in milestones:
        milestone.predecessors = []
    if milestones:
        links = engine.dependency_links(user=user, project_id=milestones[0].project_id)
        for predecessor_id, successor_id, lag in links:
            if successor_id in by_id and predecessor_id in by_id:
                by_id[successor_id].predecessors.append((by_id[predecessor_id], lag))
    return milestones


def _with_moves(milestones: list) -> list:
    for milestone in milestones:
        milestone.moves = milestone_moves(milestone)
    return milestones


class MilestoneRescheduleView(WriteFormMixin, TemplateView):
    """Pick a new due date, see every milestone that would move (a dry run), then apply exactly that."""

    template_name = "web/projects/reschedule.html"
    write_roles = ENGINE_WRITERS

    def milestone(self):
        return get_object_or_404(engine.milestone_list(user=self.request.user), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        milestone = self.milestone()
        form = RescheduleForm(initial={"due_date": milestone.due_date, "version": milestone.version,
                                       "shift_successors": True})  # fmt: skip
        return self.render_to_response(self.get_context_data(milestone=milestone, form=form))

    def post(self, request, *args, **kwargs):
        milestone = self.milestone()
        form = RescheduleForm(request.POST)
        shifts, applying = None, request.POST.get("apply") == "1"
        if form.is_valid():
            try:
                shifts = milestone_reschedule(
                    milestone=milestone,
                    actor=request.user,
                    due_date=form.cleaned_data["due_date"],
                    shift_successors=form.cleaned_data["shift_successors"],
                    dry_run=not applying,
                    expected_version=form.expected_version(),
                )
            except StaleVersion:
                form.add_error(None, STALE_PREVIEW_MESSAGE)
            except ValidationError as error:
                form.add_service_error(error)
            except ApplicationError as error:
                form.add_error(None, str(error.message))
            else:
                if applying:
                    messages.success(request, _("%(count)d milestone(s) moved.") % {"count": len(shifts)})
                    return redirect(reverse("web:project-detail", args=[milestone.project_id]) + "#timeline")
        status = 200 if form.is_valid() and not form.errors else 400
        context = self.get_context_data(milestone=milestone, form=form, shifts=shifts)
        return self.render_to_response(context, status=status)


class _AnsweredRequest(StaffRequiredMixin, View):
    """Accept or send back a client's answer to a request, from the project page."""

    write_roles = ENGINE_WRITERS

    def milestone(self):
        return get_object_or_404(engine.milestone_list(user=self.request.user), pk=self.kwargs["pk"])

    def back(self, milestone):
        return redirect(reverse("web:project-detail", args=[milestone.project_id]) + f"#row-milestone-{milestone.pk}")


class MilestoneAcceptView(_AnsweredRequest):
    def post(self, request, *args, **kwargs):
        milestone = self.milestone()
        try:
            milestone_accept(milestone=milestone, actor=request.user, expected_version=posted_version(request))
        except (ApplicationError, StaleVersion) as error:
            messages.error(request, str(getattr(error, "message", error)))
        else:
            messages.success(request, _("“%(name)s” accepted: done.") % {"name": milestone.name})
        return self.back(milestone)


class MilestoneSendBackView(_AnsweredRequest):
    def post(self, request, *args, **kwargs):
        milestone = self.milestone()
        try:
            request_send_back(milestone=milestone, actor=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("“%(name)s” sent back to the client.") % {"name": milestone.name})
        return self.back(milestone)


# --- Actions on the project page: each through the same service as the API, each with its version ---------------
def _action_form(request) -> ActionForm:
    form = ActionForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data().get("on", [ValidationError(_("Invalid input."))])[0])
    return form


class _ProjectPageAction(StaffRequiredMixin, View):
    write_roles = ENGINE_WRITERS

    def project_url(self, project_id) -> str:
        return reverse("web:project-detail", args=[project_id])


class ProjectTransitionView(_ProjectPageAction):
    """The project's status (active, on hold …), through ``project_transition``."""

    write_roles = PROJECT_WRITERS

    def post(self, request, pk):
        project = get_object_or_404(selectors.project_list(user=request.user), pk=pk)

        def call():
            data = _action_form(request).cleaned_data
            check_confirmed(request, PROJECT_STATUS, data["to"])
            project_transition(project=project, actor=request.user, to=data["to"], reason=data["reason"],
                               expected_version=posted_version(request))  # fmt: skip

        return run_action(request, anchor="status", back=self.project_url(project.pk), call=call,
                          done=_("Project status changed."))  # fmt: skip


class MilestoneActView(_ProjectPageAction):
    """Start, complete (on a date), block (with a reason), skip or reopen a milestone."""

    def post(self, request, pk):
        milestone = get_object_or_404(engine.milestone_list(user=request.user), pk=pk)

        def call():
            form = _action_form(request)
            to, on, reason = form.cleaned_data["to"], form.cleaned_data["on"], form.cleaned_data["reason"]
            if to == "blocked" and not reason.strip():
                raise ValidationError({"reason": [_("Say why it is blocked.")]})
            milestone_transition(milestone=milestone, actor=request.user, to=to, on=on, reason=reason,
                                 expected_version=posted_version(request))  # fmt: skip

        return run_action(request, anchor=f"milestone-{milestone.pk}", back=self.project_url(milestone.project_id),
                          call=call, done=_("Milestone “%(name)s” updated.") % {"name": milestone.name})  # fmt: skip


class SubmissionActView(_ProjectPageAction):
    """A submission's next step on its date (the clocks follow), or its reference number (受理号, K-number)."""

    def post(self, request, pk):
        submission = get_object_or_404(engine.submission_list(user=request.user), pk=pk)

        def call():
            form = _action_form(request)
            data = form.cleaned_data
            if "reference_number" in request.POST:
                submission_update(submission=submission, actor=request.user,
                                  data={"reference_number": data["reference_number"].strip()},
                                  expected_version=posted_version(request))  # fmt: skip
                return
            check_confirmed(request, SUBMISSION_STATUS, data["to"])
            submission_transition(submission=submission, actor=request.user, to=data["to"], on=data["on"],
                                  reason=data["reason"], expected_version=posted_version(request))  # fmt: skip

        done = _("Submission %(code)s updated.") % {"code": submission.pathway_code}
        return run_action(request, anchor=f"submission-{submission.pk}", back=self.project_url(submission.project_id),
                          call=call, done=done)  # fmt: skip


class ReviewClockActView(_ProjectPageAction):
    """A correction of a review clock (pause, resume, restart, stop, start) with its date and a reason — the normal
    way a clock moves is a recorded submission step; this is for putting a record right."""

    def post(self, request, pk):
        clock = get_object_or_404(engine.review_clock_list(user=request.user), pk=pk)

        def call():
            data = _action_form(request).cleaned_data
            if not data["reason"].strip():
                raise ValidationError({"reason": [_("Say why the clock is corrected.")]})
            review_clock_act(clock=clock, action=data["to"], actor=request.user, on=data["on"], reason=data["reason"],
                             expected_version=posted_version(request))  # fmt: skip

        return run_action(request, anchor=f"clock-{clock.pk}", back=self.project_url(clock.submission.project_id),
                          call=call, done=_("Review clock corrected."))  # fmt: skip


class ProjectEditView(WriteFormMixin, TemplateView):
    template_name = "web/projects/edit.html"
    write_roles = PROJECT_WRITERS

    def project(self):
        return get_object_or_404(selectors.project_list(user=self.request.user), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        project = self.project()
        form = ProjectEditForm(instance=project, initial={"version": project.version})
        return self.render_to_response(self.get_context_data(project=project, form=form))

    def post(self, request, *args, **kwargs):
        project = self.project()
        form = ProjectEditForm(request.POST, instance=project)
        if form.is_valid():
            try:
                project_update(project=project, actor=request.user, data=form.service_data(),
                               expected_version=form.expected_version())  # fmt: skip
            except StaleVersion:
                form.add_error(None, STALE_MESSAGE)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Project saved."))
                return redirect("web:project-detail", pk=project.pk)
        return self.render_to_response(self.get_context_data(project=project, form=form), status=400)


class ProjectTestOrderCreateView(WriteFormMixin, TemplateView):
    template_name = "web/projects/order_form.html"
    write_roles = frozenset({Role.ADMIN, Role.PROJECT_MANAGER, Role.LAB_MANAGER})

    def project(self):
        return get_object_or_404(selectors.project_list(user=self.request.user), pk=self.kwargs["pk"])

    def form(self, project, data=None):
        from labtests.selectors import test_service_list

        services = test_service_list(user=self.request.user).filter(active=True).order_by("code")
        milestones = engine.milestone_list(user=self.request.user).filter(project=project).order_by("due_date")
        return ProjectTestOrderForm(data, services=services, milestones=milestones)

    def get(self, request, *args, **kwargs):
        project = self.project()
        return self.render_to_response(self.get_context_data(project=project, form=self.form(project)))

    def post(self, request, *args, **kwargs):
        from labtests import services as lab

        project = self.project()
        form = self.form(project, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    order = lab.test_order_create(
                        actor=request.user, client=project.client, project=project, services=data["services"],
                        milestone=data["milestone"], purpose=data["purpose"], internal_notes=data["internal_notes"],
                    )  # fmt: skip
                    if data["submit_now"]:
                        order = lab.test_order_submit(order=order, actor=request.user)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Test order %(number)s created.") % {"number": order.number})
                return redirect(reverse("web:project-detail", args=[project.pk]) + "#orders-heading")
        return self.render_to_response(self.get_context_data(project=project, form=form), status=400)


class ProjectMemberView(_ProjectPageAction):
    """Add a staff member to the project's team with a role, or take one off (``remove`` names the user)."""

    write_roles = PROJECT_WRITERS

    def post(self, request, pk):
        from accounts.selectors import staff_user_list
        from projects.services import project_member_remove, project_member_set

        project = get_object_or_404(selectors.project_list(user=request.user), pk=pk)

        def call():
            user_id = request.POST.get("remove") or request.POST.get("user", "")
            user = staff_user_list().filter(pk=parse_id(user_id) or 0).first()
            if user is None:
                raise ValidationError({"user": [_("Choose a staff member.")]})
            if request.POST.get("remove"):
                project_member_remove(project=project, user=user)
            else:
                role = request.POST.get("role", "")
                if role not in MemberRole.values:
                    raise ValidationError({"role": [_("Choose a role.")]})
                project_member_set(project=project, user=user, role=role)

        return run_action(request, anchor="team", back=self.project_url(project.pk), call=call,
                          done=_("Team updated."))  # fmt: skip


class MilestoneDependencyView(_ProjectPageAction):
    """Make a milestone wait for another of the same project (with a lag), or drop that link."""

    def post(self, request, pk):
        successor = get_object_or_404(engine.milestone_list(user=request.user), pk=pk)

        def call():
            value = request.POST.get("remove") or request.POST.get("predecessor", "")
            predecessor = engine.milestone_list(user=request.user).filter(
                pk=parse_id(value) or 0, project_id=successor.project_id
            ).first()  # fmt: skip
            if predecessor is None:
                raise ValidationError({"predecessor": [_("Choose a milestone of this project.")]})
            if request.POST.get("remove"):
                dependency_remove(predecessor=predecessor, successor=successor)
                return
            lag = request.POST.get("lag_days", "0").strip() or "0"
            lag_days = parse_int(lag, low=-365, high=365)
            if lag_days is None:
                raise ValidationError({"lag_days": [_("The lag is a number of days between -365 and 365.")]})
            dependency_add(predecessor=predecessor, successor=successor, lag_days=lag_days)

        done = _("Dependencies of “%(name)s” updated.") % {"name": successor.name}
        return run_action(request, anchor=f"milestone-{successor.pk}", back=self.project_url(successor.project_id),
                          call=call, done=done)  # fmt: skip
