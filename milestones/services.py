"""Every write of the regulatory engine: applying a pathway, milestones (complete, reschedule, transitions),
dependencies, submissions and the review clocks they drive, the expiry sweep and the project health refresh."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, F, IntegerField, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import User
from clients.choices import ClientKind, DeviceKind
from core.calendars import CalendarBook, published_horizon
from core.choices import CalendarKind
from core.clock import today as local_today
from core.dates import check_happened
from core.events import emit
from core.exceptions import ConflictError, TransitionNotAllowed
from core.services import lock_for_write, record_transition, record_update, save_audited
from core.state_machine import StateMachine
from projects.choices import OPEN_PROJECT_STATUSES, Health
from projects.models import Project

from .choices import (
    AUTHORITY_CLOCK_KINDS,
    OPEN_MILESTONE_STATUSES,
    Authority,
    ClockAction,
    ClockKind,
    ClockState,
    DeficiencyRule,
    MilestoneCondition,
    MilestoneStatus,
    Responsible,
    SubmissionFlag,
    SubmissionStatus,
)
from .clocks import CLOCK_ACTIONS, allowed_actions, apply_event
from .models import ClockEvent, Milestone, MilestoneDependency, PathwayTemplate, ReviewClock, Submission
from .scheduling import CycleError, descendants, nodes_from, plan

DUE_SOON_DAYS = 7
CLOCK_EVENT_NAMES = {
    ClockAction.START: "review_clock.started",
    ClockAction.PAUSE: "review_clock.paused",
    ClockAction.RESUME: "review_clock.resumed",
    ClockAction.RESTART: "review_clock.restarted",
    ClockAction.STOP: "review_clock.stopped",
}

M = MilestoneStatus
MILESTONE_STATUS = StateMachine(
    {
        M.NOT_STARTED: {M.IN_PROGRESS, M.DONE, M.BLOCKED, M.SKIPPED, M.AWAITING_ACCEPTANCE},
        M.IN_PROGRESS: {M.DONE, M.BLOCKED, M.NOT_STARTED, M.AWAITING_ACCEPTANCE},
        M.BLOCKED: {M.IN_PROGRESS, M.NOT_STARTED, M.DONE},
        M.DONE: {M.IN_PROGRESS},
        M.SKIPPED: {M.NOT_STARTED},
        M.AWAITING_ACCEPTANCE: {M.DONE, M.IN_PROGRESS},  # the PM accepts the client's answer, or sends it back
    }
)

S = SubmissionStatus
SUBMISSION_STATUS = StateMachine(
    {
        S.PLANNED: {S.PREPARING, S.WITHDRAWN},
        S.PREPARING: {S.SUBMITTED, S.WITHDRAWN},
        S.SUBMITTED: {S.ACCEPTED, S.REFUSED, S.WITHDRAWN},
        S.REFUSED: {S.PREPARING, S.WITHDRAWN},
        S.ACCEPTED: {S.UNDER_REVIEW, S.WITHDRAWN},
        S.UNDER_REVIEW: {S.DEFICIENCY, S.DECISION_PENDING, S.WITHDRAWN},
        S.DEFICIENCY: {S.UNDER_REVIEW, S.REVIEW_TERMINATED, S.WITHDRAWN},
        # Set by the expiry sweep; left only by a response recorded late but dated inside the window.
        # and by the refusal decision (不予注册) that follows it.
        S.REVIEW_TERMINATED: {S.UNDER_REVIEW, S.REJECTED},
        S.DECISION_PENDING: {S.APPROVED, S.REJECTED, S.WITHDRAWN},
        S.APPROVED: set(),
        S.REJECTED: set(),
        S.WITHDRAWN: set(),
    }
)
FINAL_SUBMISSION_STATUSES = {S.APPROVED, S.REJECTED, S.WITHDRAWN}


def _actor_id(actor) -> int | None:
    return getattr(actor, "pk", None)


# --- Applying a pathway -----------------------------------------------------------------------------------------
def pathway_effective(*, code: str, on: date) -> PathwayTemplate:
    """The version of pathway ``code`` in force on ``on``: the newest ``effective_from`` that has come, and of
    versions in force from the same day the highest (a correction restates the rules from their start)."""
    in_force = PathwayTemplate.objects.filter(code=code, effective_from__lte=on)
    pathway = in_force.order_by("-effective_from", "-version").first()
    if pathway is None:
        raise ValidationError({"pathway": [_("No version of pathway %(code)s is in force on %(date)s.") % {
            "code": code, "date": on.isoformat()}]})  # fmt: skip
    return pathway


@dataclass(frozen=True)
class _Plan:
    """What applying a template with the chosen options means for this project."""

    templates: list  # the milestone templates included
    durations: dict[str, int]  # milestone code → duration (option overrides applied)
    budgets: dict[str, int]  # clock kind → budget
    conditions: set[str]  # the conditions the project meets (a template with another is left out)


def _plan_of(template: PathwayTemplate, project: Project, options: list[str]) -> _Plan:
    unknown = sorted(set(options) - set(template.options))
    if unknown:
        raise ValidationError({"options": [_("Pathway %(code)s has no option %(options)s; it offers: %(offered)s.") % {
            "code": template.code, "options": ", ".join(unknown),
            "offered": ", ".join(sorted(template.options)) or "—"}]})  # fmt: skip
    _check_device_classes(template, project)
    conditions = _conditions_met(template, project)
    for option in options:
        conditions.discard(template.options[option].get("waives", ""))
    durations, budgets = {}, {}
    for option in options:
        for code, change in template.options[option].get("milestones", {}).items():
            durations[code] = change["duration"]
        for kind, change in template.options[option].get("clocks", {}).items():
            budgets[kind] = change["budget"]
    ordered = template.milestone_templates.order_by("order")
    templates = [t for t in ordered if not t.condition or t.condition in conditions]
    return _Plan(templates, durations, budgets, conditions)


def _check_device_classes(template: PathwayTemplate, project: Project) -> None:
    """Every device of the project must be classified in the pathway's market, in a class the pathway is for."""
    classes = {
        device: {c.market: c.device_class for c in device.classifications.all()}
        for device in project.devices.prefetch_related("classifications")
    }
    for device, by_market in classes.items():
        found = by_market.get(template.market)
        if found is None:
            raise ValidationError({"pathway": [_(
                "Device %(device)s has no classification in market %(market)s: classify it before applying "
                "%(code)s.") % {"device": device.name, "market": template.market, "code": template.code}]})  # fmt: skip
        if template.device_classes and found not in template.device_classes:
            message = _("Device %(device)s is class %(class)s in market %(market)s; pathway %(code)s is for class "
                        "%(classes)s.")  # fmt: skip
            raise ValidationError({"pathway": [message % {
                "device": device.name, "class": found, "market": template.market, "code": template.code,
                "classes": " / ".join(template.device_classes)}]})  # fmt: skip


def _conditions_met(template: PathwayTemplate, project: Project) -> set[str]:
    """EU MDR Art. 54(1): the clinical evaluation consultation is for class III implantable devices and class IIb
    active devices intended to administer and/or remove a medicinal product. NMPA Order 47 Art. 93: the province's
    QMS inspection is for a domestic manufacturer's device."""
    eu = Q(classifications__market=template.market)
    needs_cecp = project.devices.filter(
        eu & Q(classifications__device_class="III", implantable=True)
        | eu & Q(classifications__device_class="IIb", kind=DeviceKind.ACTIVE, administers_medicinal_product=True)
    ).exists()
    conditions = {MilestoneCondition.CECP} if needs_cecp else set()
    if project.client.kind == ClientKind.DOMESTIC:
        conditions.add(MilestoneCondition.DOMESTIC)
    return conditions


@transaction.atomic
def pathway_apply(
    *,
    project: Project,
    actor: User | None,
    pathway: str,
    start_date: date,
    authority: str = "",
    options: Iterable[str] = (),
    expected_version: int | None = None,
) -> Submission:
    """Plan ``project`` along ``pathway`` from ``start_date``: a submission, its milestones (dates computed
    forward through the dependency graph, each in its own calendar; baseline = first plan), their
    dependencies, and the pathway's review clocks (not started). ``options`` are the template's choices (a PMA
    with an advisory panel, an Art. 54(2) exemption); the project's devices must be classified for the pathway."""
    project = lock_for_write(project, expected_version=expected_version)
    template = pathway_effective(code=pathway, on=start_date)
    options = sorted(set(options))
    if Submission.objects.filter(project=project, pathway_code=template.code).exists():
        raise ConflictError(
            _("This project already follows pathway %(code)s; a pathway can be applied once.") % {"code": template.code}
        )
    chosen = _plan_of(template, project, options)
    submission = Submission(
        project=project,
        pathway=template,
        pathway_code=template.code,
        authority=authority or _reviewing_authority(template, project),
        options=options,
    )
    save_audited(submission, actor=actor, reason=f"pathway {template.code} v{template.version} applied")

    milestone_templates = chosen.templates
    included = {t.code for t in milestone_templates}
    duration = {t.code: chosen.durations.get(t.code, t.duration) for t in milestone_templates}
    links = [(p["code"], t.code, p.get("lag", 0)) for t in milestone_templates for p in t.predecessors
             if p["code"] in included]  # fmt: skip
    nodes = nodes_from(((t.code, duration[t.code], t.calendar) for t in milestone_templates), links)
    try:
        schedule = plan(nodes, start_date, CalendarBook())
    except CycleError as exc:
        raise ValidationError({"pathway": [_("The pathway template has a dependency cycle: %s") % exc]}) from exc

    milestones = Milestone.objects.bulk_create(
        [
            Milestone(
                project=project,
                submission=submission,
                template=t,
                code=t.code,
                name_zh=t.name_zh,
                name_en=t.name_en,
                kind=t.kind,
                order=t.order,
                calendar=t.calendar,
                duration=duration[t.code],
                planned_start=schedule[t.code].planned_start,
                baseline_start=schedule[t.code].planned_start,
                due_date=schedule[t.code].due_date,
                due_provisional=schedule[t.code].provisional,
                baseline_due_date=schedule[t.code].due_date,
                responsible=t.responsible,
                client_visible=t.client_visible,
                follows_clock=t.follows_clock,
            )
            for t in milestone_templates
        ]
    )
    by_code = {m.code: m for m in milestones}
    MilestoneDependency.objects.bulk_create(
        [MilestoneDependency(predecessor=by_code[p], successor=by_code[s], lag_days=lag) for p, s, lag in links]
    )
    ReviewClock.objects.bulk_create(
        [
            ReviewClock(
                submission=submission,
                kind=c.kind,
                budget=chosen.budgets.get(c.kind, c.budget),
                unit=c.unit,
                restart_budget=c.restart_budget,
                on_deficiency=c.on_deficiency,
                starts_on_status=c.starts_on_status,
                start_lag=c.start_lag,
                period=c.period,
                rest_days=c.rest_days,
                round_budget=chosen.budgets.get(c.kind, c.budget),
            )
            for c in template.clock_templates.all()
            if not c.condition or c.condition in chosen.conditions
        ]
    )
    project_health_refresh(project_ids=[project.pk])
    emit(
        "pathway.applied",
        project_id=project.pk,
        client_id=project.client_id,
        submission_id=submission.pk,
        pathway=template.code,
        actor_id=_actor_id(actor),
    )
    return submission


def _reviewing_authority(template: PathwayTemplate, project: Project) -> str:
    """Domestic Class II devices are registered by the provincial MPA; imported ones (an overseas manufacturer, or
    an importer) by NMPA whatever their class (医疗器械注册与备案管理办法, 2021)."""
    imported = project.client.kind in (ClientKind.OVERSEAS, ClientKind.IMPORTER)
    if template.authority == Authority.PROVINCIAL_MPA and imported:
        return Authority.NMPA
    return template.authority


# --- Milestones -------------------------------------------------------------------------------------------------
@transaction.atomic
def milestone_create(
    *,
    actor: User | None,
    project: Project,
    name_en: str = "",
    name_zh: str = "",
    due_date: date | None = None,
    planned_start: date | None = None,
    submission: Submission | None = None,
    kind: str = "task",
    calendar: str = "cn_workdays",
    owner: User | None = None,
    responsible: str = "cro",
    client_visible: bool = True,
) -> Milestone:
    """An ad-hoc milestone outside any template; its baseline is its first due date."""
    milestone = Milestone(
        project=project,
        submission=submission,
        name_en=name_en,
        name_zh=name_zh,
        kind=kind,
        calendar=calendar,
        planned_start=planned_start,
        due_date=due_date,
        baseline_start=planned_start,
        baseline_due_date=due_date,
        due_date_set_by_hand=due_date is not None,
        owner=owner,
        responsible=responsible,
        client_visible=client_visible,
        order=(project.milestones.count() + 1) * 10,
    )
    if planned_start and due_date:
        milestone.duration = max(CalendarBook()[calendar].between(planned_start, due_date).days, 0)
    save_audited(milestone, actor=actor)
    project_health_refresh(project_ids=[project.pk])
    return milestone


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, actor: User | None, data: dict[str, Any], expected_version: int | None = None
) -> Milestone:
    """Descriptive fields only; dates move through ``milestone_reschedule`` and status through transitions."""
    data = {k: v for k, v in data.items() if k not in {"due_date", "planned_start", "status", "completed_on"}}
    if milestone.baseline_due_date is None and milestone.due_date:
        data["baseline_due_date"] = milestone.due_date
    return record_update(instance=milestone, actor=actor, data=data, expected_version=expected_version)


def milestone_moves(milestone: Milestone) -> list[str]:
    """The statuses ``milestone`` may move to: its machine's, without "awaiting acceptance" unless it is a request
    addressed to the client (only those are answered)."""
    return milestone_moves_for(milestone.status, milestone.responsible)


def milestone_moves_for(status: str, responsible: str) -> list[str]:
    allowed = MILESTONE_STATUS.allowed(status)
    if responsible != Responsible.CLIENT:
        allowed = [state for state in allowed if state != M.AWAITING_ACCEPTANCE]
    return allowed


@transaction.atomic
def milestone_transition(
    *,
    milestone: Milestone,
    actor: User | None,
    to: str,
    reason: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> Milestone:
    if to == M.AWAITING_ACCEPTANCE and milestone.responsible != Responsible.CLIENT:
        raise TransitionNotAllowed(current=milestone.status, requested=to, allowed=milestone_moves(milestone))
    check_happened(on)
    extra = {"completed_on": (on or local_today()) if to == M.DONE else None}
    milestone, previous = record_transition(
        instance=milestone,
        machine=MILESTONE_STATUS,
        to=to,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        extra=extra,
    )
    if to == M.DONE:
        _drive_clock_of_milestone(milestone, on=milestone.completed_on, actor=actor)
        _record_the_step_of(milestone, on=milestone.completed_on, actor=actor)
        emit(
            "milestone.completed",
            milestone_id=milestone.pk,
            project_id=milestone.project_id,
            client_id=milestone.project.client_id,
            completed_on=milestone.completed_on.isoformat(),
            actor_id=_actor_id(actor),
        )
    elif to == M.BLOCKED:
        emit("milestone.blocked", milestone_id=milestone.pk, project_id=milestone.project_id, reason=reason)
    elif to == M.IN_PROGRESS and previous == M.NOT_STARTED:
        emit("milestone.started", milestone_id=milestone.pk, project_id=milestone.project_id,
             client_id=milestone.project.client_id, actor_id=_actor_id(actor))  # fmt: skip
    project_health_refresh(project_ids=[milestone.project_id])
    return milestone


@transaction.atomic
def milestone_answer(
    *, milestone: Milestone, actor: User, note: str = "", expected_version: int | None = None
) -> Milestone:
    """A client's answer to a request addressed to them (an open, client-visible milestone with
    ``responsible=client``): it waits for the PM's acceptance. The answer's text and files are a comment on it."""
    if milestone.responsible != Responsible.CLIENT or not milestone.client_visible:
        raise ConflictError(_("Only a request addressed to the client can be answered."))
    answered = milestone_transition(milestone=milestone, actor=actor, to=M.AWAITING_ACCEPTANCE, reason=note[:200],
                                    expected_version=expected_version)  # fmt: skip
    emit("milestone.answered", milestone_id=answered.pk, project_id=answered.project_id,
         client_id=answered.project.client_id, actor_id=_actor_id(actor))  # fmt: skip
    return answered


@transaction.atomic
def milestone_accept(
    *, milestone: Milestone, actor: User, on: date | None = None, expected_version: int | None = None
) -> Milestone:
    """The PM accepts the client's answer: the request is done (on ``on``, today by default)."""
    if milestone.status != M.AWAITING_ACCEPTANCE:
        raise ConflictError(_("Only an answered request can be accepted or sent back."))
    return milestone_transition(milestone=milestone, actor=actor, to=M.DONE, on=on, expected_version=expected_version)


@transaction.atomic
def milestone_send_back(
    *, milestone: Milestone, actor: User, reason: str, expected_version: int | None = None
) -> Milestone:
    """The PM sends the client's answer back with a reason (the client is told): the request is open again."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say what is missing.")]})
    if milestone.status != M.AWAITING_ACCEPTANCE:
        raise ConflictError(_("Only an answered request can be accepted or sent back."))
    sent_back = milestone_transition(milestone=milestone, actor=actor, to=M.IN_PROGRESS, reason=reason,
                                     expected_version=expected_version)  # fmt: skip
    emit("milestone.sent_back", milestone_id=sent_back.pk, project_id=sent_back.project_id,
         client_id=sent_back.project.client_id, reason=reason, actor_id=_actor_id(actor))  # fmt: skip
    return sent_back


def milestone_complete(
    *, milestone: Milestone, actor: User | None, on: date | None = None, expected_version: int | None = None
) -> Milestone:
    return milestone_transition(milestone=milestone, actor=actor, to=M.DONE, on=on, expected_version=expected_version)


def _record_the_step_of(milestone: Milestone, *, on: date, actor) -> None:
    """Completing an authority's milestone records the submission's step it stands for (the milestone "Submission
    to the authority" done on D: the submission is submitted on D), so the milestone and the submission cannot
    disagree — when the milestone names one step and the submission can take it now."""
    template = milestone.template
    if template is None or len(template.completed_by) != 1 or milestone.submission_id is None:
        return
    submission = Submission.objects.get(pk=milestone.submission_id)
    step = template.completed_by[0]
    if step in SUBMISSION_STATUS.allowed(submission.status):
        submission_transition(submission=submission, actor=actor, to=step, on=on,
                              reason=f"{milestone.code} done")  # fmt: skip


def _complete_by_the_record(submission: Submission, *, step: str, on: date, actor) -> None:
    """The authority's milestones that ``step`` of the submission completes, done on the step's date."""
    milestones = Milestone.objects.filter(submission=submission, template__isnull=False).exclude(
        status__in=(M.DONE, M.SKIPPED)
    ).select_related("template", "project")  # fmt: skip
    for milestone in milestones:
        if step in milestone.template.completed_by:
            milestone_transition(milestone=milestone, actor=actor, to=M.DONE, on=on, reason=f"submission {step}")


def _drive_clock_of_milestone(milestone: Milestone, *, on: date, actor) -> None:
    """A template may say that finishing this milestone starts, pauses, resumes, restarts or stops a clock."""
    template = milestone.template
    if template is None or not template.clock_kind or milestone.submission_id is None:
        return
    clock = ReviewClock.objects.filter(submission_id=milestone.submission_id, kind=template.clock_kind).first()
    if clock is not None and clock.state in CLOCK_ACTIONS[template.clock_action][0]:
        _clock_act(clock=clock, action=template.clock_action, on=on, actor=actor, reason=f"{milestone.code} done")


@dataclass(frozen=True)
class Shift:
    milestone: Milestone
    old_due_date: date | None
    new_due_date: date
    old_planned_start: date | None
    new_planned_start: date | None
    provisional: bool = False


def _project_graph(project_id: int):
    milestones = {m.pk: m for m in Milestone.objects.filter(project_id=project_id).select_related("project")}
    links = list(MilestoneDependency.objects.filter(successor__project_id=project_id).values_list(
        "predecessor_id", "successor_id", "lag_days"))  # fmt: skip
    nodes = nodes_from(((pk, m.duration, m.calendar) for pk, m in milestones.items() if m.due_date), links)
    return milestones, nodes


@transaction.atomic
def milestone_reschedule(
    *,
    milestone: Milestone,
    actor: User | None,
    due_date: date,
    shift_successors: bool = True,
    dry_run: bool = False,
    expected_version: int | None = None,
) -> list[Shift]:
    """Move ``milestone`` to ``due_date``; with ``shift_successors`` its successors move with it, each in its own
    calendar (done milestones stay). ``dry_run`` returns every move (old → new) and changes nothing."""
    milestone = lock_for_write(milestone, expected_version=expected_version)
    if milestone.status == M.DONE:
        raise ConflictError(_("A done milestone keeps its dates; reopen it first."))
    if milestone.planned_start and due_date < milestone.planned_start:
        raise ValidationError({"due_date": [_("The due date cannot be before the planned start.")]})
    governed = _clock_dates(milestone.project_id)
    if milestone.pk in governed:
        raise ConflictError(_(
            "“%(name)s” follows its review clock: its due date is the clock's (%(date)s). Record the authority's "
            "step, or correct the clock."
        ) % {"name": milestone.name, "date": governed[milestone.pk].isoformat()})  # fmt: skip
    return _move(milestone, due_date, actor=actor, shift_successors=shift_successors, dry_run=dry_run, by_hand=True,
                 pinned=governed)  # fmt: skip


def _move(
    milestone: Milestone,
    due_date: date,
    *,
    actor: User | None,
    shift_successors: bool = True,
    dry_run: bool = False,
    by_hand: bool,
    planned_start: date | None = None,
    provisional: bool = False,
    pinned: dict[int, date] | None = None,
) -> list[Shift]:
    """Move one milestone and (``shift_successors``) everything downstream of it; ``by_hand`` marks a person's
    date, which re-planning never touches (a clock's follower is moved by the engine, not by hand). ``pinned``
    milestones (a clock gives their date) stay where they are; what follows them moves from there."""
    start_of_moved = planned_start or milestone.planned_start
    milestones, nodes = _project_graph(milestone.project_id)
    moving = descendants(nodes, milestone.pk) if shift_successors and milestone.pk in nodes else set()
    moving -= {pk for pk in moving if milestones[pk].status == M.DONE or pk in (pinned or {})}
    fixed = {pk: m.due_date for pk, m in milestones.items() if pk in nodes and pk not in moving}
    fixed[milestone.pk] = due_date
    start = min((m.planned_start or m.due_date) for m in milestones.values() if m.due_date)
    schedule = plan(nodes, start, CalendarBook(), fixed) if nodes else {}

    shifts = [Shift(milestone, milestone.due_date, due_date, milestone.planned_start, start_of_moved, provisional)]
    for pk in sorted(moving, key=lambda k: (schedule[k].due_date, milestones[k].order)):
        current = milestones[pk]
        if schedule[pk].due_date != current.due_date:
            shifts.append(
                Shift(
                    current,
                    current.due_date,
                    schedule[pk].due_date,
                    current.planned_start,
                    schedule[pk].planned_start,
                    schedule[pk].provisional,
                )
            )
    if dry_run:
        transaction.set_rollback(True)
        return shifts
    for shift in shifts:
        target = shift.milestone
        data = {
            "due_date": shift.new_due_date,
            "planned_start": shift.new_planned_start,
            "due_provisional": shift.provisional,
        }
        if target.baseline_due_date is None:
            data["baseline_due_date"] = shift.old_due_date or shift.new_due_date
        if target.pk == milestone.pk and by_hand:
            data["due_date_set_by_hand"] = True
            if target.planned_start:
                data["duration"] = max(CalendarBook()[target.calendar].between(target.planned_start, due_date).days, 0)
        record_update(instance=target, actor=actor, data=data)
    emit(
        "milestone.rescheduled",
        milestone_id=milestone.pk,
        project_id=milestone.project_id,
        client_id=milestone.project.client_id,
        moves=[
            {"milestone_id": s.milestone.pk, "old": str(s.old_due_date), "new": str(s.new_due_date)} for s in shifts
        ],
        actor_id=_actor_id(actor),
    )
    project_health_refresh(project_ids=[milestone.project_id])
    return shifts


@transaction.atomic
def milestones_replan_provisional(*, project_ids: Iterable[int] | None = None) -> int:
    """Re-plan the due dates the engine computed while their calendar was an estimate — open milestones with a
    provisional due date that no person set — now that a year's schedule is published (or chinesecalendar learnt
    it). Dates set by hand, done milestones and baselines never move; successors follow through the graph.
    Returns how many due dates moved."""
    candidates = Milestone.objects.filter(
        due_provisional=True,
        due_date_set_by_hand=False,
        calendar=CalendarKind.CN_WORKDAYS,
        due_date__year__lte=published_horizon(),  # only where every year up to the date is now published
    ).exclude(status=M.DONE)
    if project_ids is not None:
        candidates = candidates.filter(project_id__in=list(project_ids))
    moved_projects, moved = set(), 0
    book = CalendarBook()
    for project_id in sorted(set(candidates.values_list("project_id", flat=True))):
        milestones, nodes = _project_graph(project_id)
        if not nodes:
            continue
        provisional = {pk for pk, m in milestones.items() if pk in nodes and _replannable(m) and m.due_provisional}
        replanned = set(provisional)
        for pk in provisional:
            replanned |= {key for key in descendants(nodes, pk) if _replannable(milestones[key])}
        fixed = {pk: m.due_date for pk, m in milestones.items() if pk in nodes and pk not in replanned}
        start = min((m.planned_start or m.due_date) for m in milestones.values() if m.due_date)
        schedule = plan(nodes, start, book, fixed)
        for pk in replanned:
            current, new = milestones[pk], schedule[pk]
            if (current.due_date, current.planned_start, current.due_provisional) == (
                new.due_date,
                new.planned_start,
                new.provisional,
            ):
                continue
            moved += current.due_date != new.due_date
            data = {"due_date": new.due_date, "planned_start": new.planned_start, "due_provisional": new.provisional}
            record_update(instance=current, actor=None, data=data)
            moved_projects.add(project_id)
    if moved_projects:
        project_health_refresh(project_ids=moved_projects)
    return moved


def _replannable(milestone: Milestone) -> bool:
    return milestone.status != M.DONE and not milestone.due_date_set_by_hand


def on_calendar_year_published(event: str, *, published_id: int, **payload) -> None:
    """``calendar.year_published`` (core): re-plan at once, in the same transaction, and record the count."""
    from core.models import PublishedCalendarYear

    moved = milestones_replan_provisional()
    PublishedCalendarYear.objects.filter(pk=published_id).update(dates_moved=moved)


@transaction.atomic
def dependency_add(*, predecessor: Milestone, successor: Milestone, lag_days: int = 0) -> MilestoneDependency:
    """Finish-to-start link; one that would close a cycle is refused (400)."""
    if predecessor.project_id != successor.project_id:
        raise ValidationError({"predecessor": [_("Both milestones must belong to the same project.")]})
    if predecessor.pk == successor.pk:
        raise ValidationError({"predecessor": [_("A milestone cannot depend on itself.")]})
    links = MilestoneDependency.objects.filter(successor__project_id=successor.project_id)
    graph = nodes_from(
        ((pk, 0, "calendar_days") for pk in Milestone.objects.filter(project_id=successor.project_id).values_list(
            "pk", flat=True)),
        links.values_list("predecessor_id", "successor_id", "lag_days"),
    )  # fmt: skip
    if predecessor.pk in descendants(graph, successor.pk):
        raise ValidationError({"predecessor": [_("This link would create a dependency cycle.")]})
    link, _created = MilestoneDependency.objects.update_or_create(
        predecessor=predecessor, successor=successor, defaults={"lag_days": lag_days}
    )
    return link


@transaction.atomic
def dependency_remove(*, predecessor: Milestone, successor: Milestone) -> None:
    MilestoneDependency.objects.filter(predecessor=predecessor, successor=successor).delete()


# --- Review clocks ----------------------------------------------------------------------------------------------
@transaction.atomic
def review_clock_act(
    *,
    clock: ReviewClock,
    action: str,
    actor: User | None,
    on: date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> ReviewClock:
    """Record ``action`` on ``on`` (default today, never later) and update what the clock reads. Illegal: 409."""
    check_happened(on)
    return _clock_act(clock=clock, action=action, actor=actor, on=on, reason=reason, expected_version=expected_version)


@transaction.atomic
def _clock_act(
    *,
    clock: ReviewClock,
    action: str,
    actor: User | None,
    on: date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> ReviewClock:
    """``review_clock_act`` for the engine's own moves, which may date a start ahead (the NMPA transfer, 3 working
    days after an acceptance recorded today)."""
    clock = lock_for_write(clock, expected_version=expected_version)
    sources, _target = CLOCK_ACTIONS[action]
    if clock.state not in sources:
        raise TransitionNotAllowed(current=clock.state, requested=action, allowed=allowed_actions(clock.state))
    on = on or local_today()
    last = clock.events.order_by("-on", "-id").first()
    if last is not None and on < last.on:
        raise ValidationError({"on": [_("The clock's last event was on %(date)s; events cannot go back in time.") % {
            "date": last.on.isoformat()}]})  # fmt: skip
    ClockEvent.objects.create(clock=clock, action=action, on=on, reason=reason[:500], actor=actor)
    apply_event(clock, action, on, *_calendars_of(clock))
    clock.version += 1
    save_audited(clock, actor=actor, reason=f"{action} on {on.isoformat()}" + (f" ({reason})" if reason else ""))
    emit(
        CLOCK_EVENT_NAMES[action],
        clock_id=clock.pk,
        submission_id=clock.submission_id,
        kind=clock.kind,
        on=on.isoformat(),
        actor_id=_actor_id(actor),
    )
    clock_followers_move(submission=clock.submission, actor=actor)
    project_health_refresh(project_ids=[clock.submission.project_id])
    return clock


def _calendars_of(clock: ReviewClock, book: CalendarBook | None = None) -> tuple:
    """(the clock's unit's calendar, the calendar its last day moves by or None): what ``apply_event`` counts with."""
    book = book or CalendarBook()
    return book[clock.unit], (book[clock.rest_days] if clock.rest_days else None)


def clock_followers_move(*, submission: Submission, actor: User | None) -> int:
    """Milestones that follow a clock (FDA decision, NMPA technical review, administrative decision, certificate)
    take the clock's dates, and their successors shift with them. A running clock gives its due date; a clock
    waiting on the applicant (paused, or an NMPA round ended by a supplement notice) gives the latest date the
    rules allow: the applicant's window, then what is left of the budget (a fresh one after an NMPA supplement).
    Returns how many followers moved."""
    moved = 0
    for milestone, (start, due, provisional) in _governed_followers(submission):
        start = start or milestone.planned_start
        if start is not None and start > due:
            start = due
        if (start, due, provisional) == (milestone.planned_start, milestone.due_date, milestone.due_provisional):
            continue
        _move(milestone, due, actor=actor, by_hand=False, planned_start=start, provisional=provisional)
        moved += 1
    return moved


def _governed_followers(submission: Submission):
    """(milestone, (planned start, due date, provisional)) for each open follower whose date its clock gives now."""
    clocks = {clock.kind: clock for clock in submission.clocks.all()}
    window = clocks.get(ClockKind.APPLICANT_RESPONSE)
    window_due = window.due_on if window is not None and window.state == ClockState.RUNNING else None
    followers = (
        Milestone.objects.filter(submission=submission, follows_clock__in=list(clocks))
        .exclude(status__in=(M.DONE, M.SKIPPED))
        .order_by("due_date", "order")
    )
    for milestone in followers:
        dates = _dates_of(clocks[milestone.follows_clock], submission, window_due)
        if dates is not None:
            yield milestone, dates


def _clock_dates(project_id: int) -> dict[int, date]:
    """pk → due date of the project's milestones that a clock governs now: their date is the clock's."""
    return {milestone.pk: dates[1] for submission in Submission.objects.filter(project_id=project_id)
            for milestone, dates in _governed_followers(submission)}  # fmt: skip


def _dates_of(clock: ReviewClock, submission: Submission, window_due: date | None) -> tuple | None:
    """(planned start, due date, provisional) a follower of ``clock`` should have; None when the clock says
    nothing (not started, or ended by the decision)."""
    if clock.state == ClockState.RUNNING and clock.due_on is not None:
        fresh = clock.consumed_before == 0  # a start or restart: the bar begins there; a resume keeps its start
        return (clock.running_since if fresh else None), clock.due_on, clock.provisional
    if window_due is None:
        return None
    if clock.state == ClockState.PAUSED:
        left = clock.round_budget - clock.consumed_before
    elif clock.state == ClockState.STOPPED and submission.status == S.DEFICIENCY:
        left = clock.restart_budget or clock.budget
    else:
        return None
    due = CalendarBook()[clock.unit].add(window_due, left)
    return None, due.date, due.provisional


def review_clock_start(**kwargs) -> ReviewClock:
    return review_clock_act(action=ClockAction.START, **kwargs)


def review_clock_pause(**kwargs) -> ReviewClock:
    return review_clock_act(action=ClockAction.PAUSE, **kwargs)


def review_clock_resume(**kwargs) -> ReviewClock:
    return review_clock_act(action=ClockAction.RESUME, **kwargs)


def review_clock_restart(**kwargs) -> ReviewClock:
    return review_clock_act(action=ClockAction.RESTART, **kwargs)


def review_clock_stop(**kwargs) -> ReviewClock:
    return review_clock_act(action=ClockAction.STOP, **kwargs)


# --- Submissions ------------------------------------------------------------------------------------------------
@transaction.atomic
def submission_update(
    *, submission: Submission, actor: User | None, data: dict[str, Any], expected_version: int | None = None
) -> Submission:
    data = {k: v for k, v in data.items() if k in {"reference_number", "authority"}}
    return record_update(instance=submission, actor=actor, data=data, expected_version=expected_version)


DATE_FIELD_OF_STATUS = {S.SUBMITTED: "submitted_on", S.ACCEPTED: "accepted_on", S.APPROVED: "decided_on",
                        S.REJECTED: "decided_on", S.WITHDRAWN: "decided_on"}  # fmt: skip


@transaction.atomic
def submission_transition(
    *,
    submission: Submission,
    actor: User | None,
    to: str,
    on: date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Submission:
    """Move the submission and drive its clocks as its template says: the authority clock starts at its
    ``starts_on_status``; a deficiency pauses it (FDA) or ends the round (NMPA) and starts the applicant's
    response clock; the answer resumes it (FDA) or restarts a fresh budget (NMPA); a refuse-to-accept stops it and
    the resubmission's receipt restarts it with a fresh budget; a decision stops them. NMPA allows one supplement
    notice per review (a second is 409)."""
    check_happened(on)
    on = on or local_today()
    if to == S.DEFICIENCY:
        _refuse_a_second_supplement(submission)
    extra = {DATE_FIELD_OF_STATUS[to]: on} if to in DATE_FIELD_OF_STATUS else {}
    extra.update(_transfer_fields(submission, to, on))
    if submission.status == S.REVIEW_TERMINATED and to == S.UNDER_REVIEW:
        _response_was_in_time(submission, on)
        extra.update(flag=SubmissionFlag.NONE, flagged_on=None)
    submission, previous = record_transition(
        instance=submission,
        machine=SUBMISSION_STATUS,
        to=to,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        extra=extra,
    )
    for clock in submission.clocks.order_by("id"):
        action = _clock_action_for(clock, previous, to)
        if action is not None:
            starts = _start_day(clock, on) if action == ClockAction.START else on
            _clock_act(clock=clock, action=action, on=starts, actor=actor, reason=f"submission {previous} → {to}")
        elif previous == S.ACCEPTED and to == S.UNDER_REVIEW and clock.start_lag:
            _redate_start(clock, on=on, actor=actor)
    _complete_by_the_record(submission, step=to, on=on, actor=actor)
    emit(
        "submission.status_changed",
        submission_id=submission.pk,
        project_id=submission.project_id,
        client_id=submission.project.client_id,
        old=previous,
        new=to,
        actor_id=_actor_id(actor),
    )
    project_health_refresh(project_ids=[submission.project_id])
    return submission


def _start_day(clock: ReviewClock, on: date) -> date:
    """A clock with a ``start_lag`` counts from that many units after the status that starts it (NMPA: the
    technical review from the transfer, 3 working days after acceptance)."""
    return CalendarBook()[clock.unit].add(on, clock.start_lag).date if clock.start_lag else on


def _transfer_fields(submission: Submission, to: str, on: date) -> dict:
    """At acceptance the transfer to technical review is planned (acceptance + the clock's lag); moving the
    submission under review records the real transfer date, which replaces it."""
    lagged = submission.clocks.filter(start_lag__gt=0, starts_on_status=S.ACCEPTED).order_by("id").first()
    if lagged is None:
        return {}
    if to == S.ACCEPTED:
        return {"transferred_on": _start_day(lagged, on), "transfer_recorded": False}
    if to == S.UNDER_REVIEW and submission.status == S.ACCEPTED:
        if submission.accepted_on and on < submission.accepted_on:
            raise ValidationError({"on": [_("The transfer cannot be before the acceptance (%(date)s).") % {
                "date": submission.accepted_on.isoformat()}]})  # fmt: skip
        return {"transferred_on": on, "transfer_recorded": True}
    return {}


def _redate_start(clock: ReviewClock, *, on: date, actor: User | None) -> None:
    """The recorded transfer replaces the planned one: the clock's start moves to it and the clock is counted
    again from there (only while the start is its one event: nothing has happened to the round yet)."""
    clock = lock_for_write(clock)
    events = list(clock.events.all())
    if len(events) != 1 or events[0].action != ClockAction.START or events[0].on == on:
        return
    ClockEvent.objects.filter(pk=events[0].pk).update(on=on, reason=f"transfer recorded on {on.isoformat()}")
    apply_event(clock, ClockAction.START, on, *_calendars_of(clock))
    clock.version += 1
    save_audited(clock, actor=actor, reason=f"transfer recorded on {on.isoformat()}")
    emit(CLOCK_EVENT_NAMES[ClockAction.START], clock_id=clock.pk, submission_id=clock.submission_id,
         kind=clock.kind, on=on.isoformat(), actor_id=_actor_id(actor))  # fmt: skip
    clock_followers_move(submission=clock.submission, actor=actor)


def _response_was_in_time(submission: Submission, on: date) -> None:
    """A terminated review reopens only for a response dated inside the applicant's window (it was recorded
    late); a later one leaves the review terminated."""
    window = submission.clocks.filter(kind=ClockKind.APPLICANT_RESPONSE).values_list("due_on", flat=True).first()
    if window is not None and on > window:
        raise ValidationError({"on": [_("The response window closed on %(date)s; the review stays terminated.") % {
            "date": window.isoformat()}]})  # fmt: skip


def _refuse_a_second_supplement(submission: Submission) -> None:
    """NMPA allows one supplement notice (补正通知) per technical review (医疗器械注册与备案管理办法, 2021): once the
    review has restarted after the supplement, another deficiency cannot be recorded (409)."""
    restarted = submission.clocks.filter(
        kind=ClockKind.AUTHORITY_REVIEW, on_deficiency=DeficiencyRule.STOP_RESTART, round__gte=2
    ).exists()
    if restarted:
        raise ConflictError(
            _(
                "NMPA allows one supplement notice per technical review (Provisions for Medical Device Registration "
                "and Filing, 2021): this review already had its supplement. Record the decision instead."
            )
        )


def _clock_action_for(clock: ReviewClock, previous: str, to: str) -> str | None:
    state = clock.state
    if to == S.REVIEW_TERMINATED:
        return None  # the window's clock has expired; the review's clock stays where the deficiency left it
    if previous == S.REVIEW_TERMINATED:
        previous = S.DEFICIENCY  # a late-recorded response in time: as if it had been recorded then
    if to == clock.starts_on_status and state == ClockState.NOT_STARTED:
        return ClockAction.START  # incl. the decision clock at decision_pending, the certificate's at approval
    if to in FINAL_SUBMISSION_STATUSES or to == S.DECISION_PENDING:
        return ClockAction.STOP if state in (ClockState.RUNNING, ClockState.PAUSED, ClockState.EXPIRED) else None
    if clock.kind == ClockKind.APPLICANT_RESPONSE:
        if to == S.DEFICIENCY:
            return {ClockState.NOT_STARTED: ClockAction.START, ClockState.STOPPED: ClockAction.RESTART}.get(state)
        if previous == S.DEFICIENCY:
            return ClockAction.STOP if state in (ClockState.RUNNING, ClockState.EXPIRED) else None
        return None
    if to == S.REFUSED:  # refuse-to-accept: the review never began; the resubmission's receipt starts it anew
        return ClockAction.STOP if state in (ClockState.RUNNING, ClockState.PAUSED) else None
    if to == clock.starts_on_status and state == ClockState.STOPPED and previous == S.PREPARING:
        return ClockAction.RESTART  # resubmitted after a refuse-to-accept: a fresh budget from the new receipt
    if to == S.DEFICIENCY and state == ClockState.RUNNING:
        return {DeficiencyRule.PAUSE_RESUME: ClockAction.PAUSE, DeficiencyRule.STOP_RESTART: ClockAction.STOP}.get(
            clock.on_deficiency
        )
    if previous == S.DEFICIENCY and to == S.UNDER_REVIEW:
        if clock.on_deficiency == DeficiencyRule.PAUSE_RESUME and state == ClockState.PAUSED:
            return ClockAction.RESUME
        if clock.on_deficiency == DeficiencyRule.STOP_RESTART and state == ClockState.STOPPED:
            return ClockAction.RESTART
    return None


# --- Sweeps -----------------------------------------------------------------------------------------------------
@transaction.atomic
def clocks_expire_due(*, today: date | None = None) -> int:
    """Set-based: every running clock whose budget ran out before ``today`` becomes expired; an expired
    applicant-response clock ends its submission's review as its authority's rules say, dated the day after the
    window's last day — NMPA: review terminated, refusal expected; FDA: considered withdrawn — and tells the PM."""
    today = today or local_today()
    due = ReviewClock.objects.select_for_update().filter(state=ClockState.RUNNING, due_on__lt=today)
    expiring = list(due.values_list("pk", "submission_id", "kind", "submission__project_id"))
    if not expiring:
        return 0
    ReviewClock.objects.filter(pk__in=[row[0] for row in expiring]).update(
        state=ClockState.EXPIRED, expired_on=F("due_on") + timedelta(days=1), version=F("version") + 1
    )
    flags = {}
    windows = ReviewClock.objects.filter(
        pk__in=[row[0] for row in expiring], kind=ClockKind.APPLICANT_RESPONSE
    ).select_related("submission__pathway", "submission__project")
    for window in windows:
        flags[window.submission_id] = _window_lapsed(window.submission, ended_on=window.due_on + timedelta(days=1))
    for clock_id, submission_id, kind, project_id in expiring:
        emit("review_clock.expired", clock_id=clock_id, submission_id=submission_id, kind=kind, project_id=project_id)
        if kind == ClockKind.APPLICANT_RESPONSE and flags.get(submission_id):
            emit("submission.flagged", submission_id=submission_id, project_id=project_id,
                 flag=flags[submission_id])  # fmt: skip
    project_health_refresh(project_ids={row[3] for row in expiring}, today=today)
    return len(expiring)


# What a lapsed window does, by market: (the submission's next status, its flag).
WINDOW_LAPSE = {
    "CN": (S.REVIEW_TERMINATED, SubmissionFlag.REFUSAL_EXPECTED),
    "US": (S.WITHDRAWN, SubmissionFlag.DEEMED_WITHDRAWN),
}


def _window_lapsed(submission: Submission, *, ended_on: date) -> str:
    """End ``submission``'s review for its lapsed applicant window (when it still waits on the applicant); returns
    the flag set, or "" when nothing changed."""
    status, flag = WINDOW_LAPSE.get(submission.pathway.market, WINDOW_LAPSE["US"])
    if submission.status != S.DEFICIENCY or submission.flag:
        return ""
    Submission.objects.filter(pk=submission.pk).update(flag=flag, flagged_on=ended_on, version=F("version") + 1)
    submission.refresh_from_db()
    submission_transition(submission=submission, actor=None, to=status, on=ended_on,
                          reason="the applicant's response window ran out")  # fmt: skip
    return flag


def clock_ran_out(today: date) -> Q:
    """Clocks past their due date: expired by the sweep, or still marked running after their last day (the sweep
    runs once a day). An authority's is "authority overdue"; the applicant's window is expired."""
    return Q(state=ClockState.EXPIRED) | Q(state=ClockState.RUNNING, due_on__lt=today)


def clock_running_out(today: date) -> Q:
    """Running clocks with 20 % or less of their budget left and days still left (one past its date is overdue,
    not running out)."""
    return Q(state=ClockState.RUNNING, warn_on__lte=today, due_on__gte=today)


def project_health_refresh(*, project_ids: Iterable[int] | None = None, today: date | None = None) -> int:
    """Recompute ``health``, ``progress`` and ``next_due_date`` of the given open projects (all open projects
    when None) in one UPDATE: set-based, whatever the number of projects.

    late: an open milestone of ours (not the authority's) is past its due date, or the applicant's window has
    expired (or runs past its end); at_risk: an open milestone not started is due within 7 days, or one has
    slipped past its baseline, or a running clock has 20 % or less of its budget left; otherwise on_track.
    ``authority_overdue``, beside health: an open authority milestone is past its date, or an authority clock has
    run out — to chase, not the CRO's lateness.
    """
    today = today or local_today()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    open_milestones = Milestone.objects.filter(project=OuterRef("pk"), status__in=OPEN_MILESTONE_STATUSES)
    clocks = ReviewClock.objects.filter(submission__project=OuterRef("pk"))
    ran_out = clock_ran_out(today)
    authority = Q(responsible=Responsible.AUTHORITY)
    late = Exists(open_milestones.filter(~authority, due_date__lt=today)) | Exists(
        clocks.filter(ran_out, kind=ClockKind.APPLICANT_RESPONSE)
    )
    authority_overdue = Exists(open_milestones.filter(authority, due_date__lt=today)) | Exists(
        clocks.filter(ran_out, kind__in=AUTHORITY_CLOCK_KINDS)
    )
    at_risk = (
        Exists(open_milestones.filter(status=M.NOT_STARTED, due_date__lte=soon))
        | Exists(open_milestones.filter(due_date__gt=F("baseline_due_date")))
        | Exists(clocks.filter(clock_running_out(today)))
    )
    counted = Milestone.objects.filter(project=OuterRef("pk")).exclude(status=M.SKIPPED).order_by().values("project")
    total = Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField())
    done = Subquery(counted.filter(status=M.DONE).annotate(n=Count("pk")).values("n"), output_field=IntegerField())
    next_due = Subquery(open_milestones.order_by().values("project").annotate(d=Min("due_date")).values("d"))
    projects = Project.objects.filter(status__in=OPEN_PROJECT_STATUSES)
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    return projects.update(
        health=Case(When(late, then=Value(Health.LATE)), When(at_risk, then=Value(Health.AT_RISK)),
                    default=Value(Health.ON_TRACK)),
        authority_overdue=Case(When(authority_overdue, then=Value(True)), default=Value(False)),
        progress=Coalesce(done * 100 / total, Value(0)),
        next_due_date=next_due,
    )  # fmt: skip
