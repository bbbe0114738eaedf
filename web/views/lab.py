"""Lab pages: the board (orders as cards in status columns; advance by button or drag), the order page, the
engineer's own items, the intake form (receipt and samples in one step, then a printable intake receipt), and the
queue export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from accounts.choices import Role
from accounts.selectors import lab_staff_list
from clients.access import access_for
from core import clock
from core.exceptions import ApplicationError
from core.history import history_entries
from labtests import selectors
from labtests import services as lab
from labtests.choices import ItemStatus, OrderStatus, Verdict
from labtests.filters import TestOrderFilterSet

from ..forms import IntakeForm, SampleRows
from .actions import pop_action_errors, posted_version
from .base import StaffRequiredMixin, WriteFormMixin
from .conversations import conversation_context
from .lists import ExportView

O = OrderStatus  # noqa: E741
BOARD_COLUMNS = [O.SUBMITTED, O.ACCEPTED, O.SAMPLES_RECEIVED, O.IN_TESTING, O.TO_BE_VERIFIED, O.VERIFIED,
                 O.REPORT_ISSUED, O.ON_HOLD, O.CLOSED]  # fmt: skip
CARDS_PER_COLUMN = 50
ADMIN, PM, LAB, LAB_MANAGER = Role.ADMIN, Role.PROJECT_MANAGER, Role.LAB, Role.LAB_MANAGER
BENCH = frozenset({ADMIN, LAB, LAB_MANAGER})
MANAGERS = frozenset({ADMIN, LAB_MANAGER})

# target column → (service, roles that may move a card there, the columns it comes from). Receipt opens the
# intake form; results, verification and reports are made on the order page.
BOARD_MOVES = {
    O.ACCEPTED: (lab.test_order_accept, MANAGERS, {O.SUBMITTED}),
    O.SAMPLES_RECEIVED: (None, BENCH, {O.ACCEPTED}),
    O.IN_TESTING: (lab.test_order_start, BENCH, {O.SAMPLES_RECEIVED}),
    O.ON_HOLD: (lab.test_order_hold, BENCH, {O.ACCEPTED, O.SAMPLES_RECEIVED, O.IN_TESTING}),
    O.CLOSED: (lab.test_order_close, MANAGERS, {O.REPORT_ISSUED}),
}


def board_targets(order, roles) -> list[str]:
    """The columns ``order``'s card may be dropped on by someone with ``roles`` (a held order goes back to the
    column it was held in)."""
    if order.status == O.ON_HOLD:
        return [order.held_from] if roles & BENCH and order.held_from else []
    return [
        to for to, (_s, move_roles, sources) in BOARD_MOVES.items() if order.status in sources and roles & move_roles
    ]


class LabBoardView(StaffRequiredMixin, TemplateView):
    """Every column of the lab's queue with its count (filters: lab section, engineer, overdue); the closed
    column shows the latest. Cards carry the columns they may be dropped on, so a refused drop says why."""

    template_name = "web/lab/board.html"
    write_roles = BENCH

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        roles = access_for(user).roles
        base = selectors.test_order_list(user=user).filter(status__in=BOARD_COLUMNS)
        filterset = TestOrderFilterSet(self.request.GET or None, queryset=base, request=self.request)
        orders = filterset.qs if filterset.is_bound and filterset.is_valid() else base
        counts = dict(orders.order_by().values_list("status").annotate(n=Count("id", distinct=True)))
        cards = {status: [] for status in BOARD_COLUMNS}
        for order in orders.exclude(status=O.CLOSED).order_by("due_date", "id"):
            if len(cards[order.status]) < CARDS_PER_COLUMN:
                cards[order.status].append(order)
        cards[O.CLOSED] = list(orders.filter(status=O.CLOSED).order_by("-updated_at", "-id")[:CARDS_PER_COLUMN])
        for column in cards.values():
            for order in column:
                order.board_targets = " ".join(board_targets(order, roles))
        labels = {s: str(O(s).label) for s in BOARD_COLUMNS}
        context.update(
            columns=[(s, labels[s], counts.get(s, 0), cards[s]) for s in BOARD_COLUMNS],
            filter=filterset if filterset.is_bound else TestOrderFilterSet(queryset=base, request=self.request),
            filtered=filterset.is_bound,
            today=clock.today(),
            can_manage=bool(roles & MANAGERS),
            holdable=sorted(BOARD_MOVES[O.ON_HOLD][2]),
        )
        return context


class LabOrderMoveView(StaffRequiredMixin, View):
    """Move a card to another column (button or drag); only the moves one click can make. A hold takes its
    reason (the board asks for it in a dialog)."""

    write_roles = BENCH

    def post(self, request, pk):
        order = get_object_or_404(selectors.test_order_list(user=request.user), pk=pk)
        target = request.POST.get("to", "")
        expected = posted_version(request)
        if target == O.SAMPLES_RECEIVED and order.status == O.ACCEPTED:
            return redirect("web:lab-intake", pk=order.pk)
        roles = access_for(request.user).roles
        if order.status == O.ON_HOLD and target == order.held_from and roles & BENCH:
            service = lab.test_order_resume
        elif target in BOARD_MOVES and BOARD_MOVES[target][0] is not None and order.status in BOARD_MOVES[target][2]:
            service, move_roles, _sources = BOARD_MOVES[target]
            if not roles & move_roles:
                raise PermissionDenied
        else:
            messages.error(request, _("This move is made on the order page."))
            return redirect("web:lab-order", pk=order.pk)
        extra = {}
        if target == O.ON_HOLD and order.status != O.ON_HOLD:  # a hold says why, as on the order page
            extra["reason"] = request.POST.get("reason", "").strip()[:2000]
            if not extra["reason"]:
                messages.error(request, _("Give the reason for the hold."))
                return redirect("web:lab-board")
        try:
            service(order=order, actor=request.user, expected_version=expected, **extra)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(number)s moved to “%(status)s”.") % {"number": order.number,
                                                                              "status": O(target).label})  # fmt: skip
        back = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/")
        return redirect(back if safe else "web:lab-board")


class LabOrderDetailView(StaffRequiredMixin, TemplateView):
    """The order and the whole bench's work on it: order moves, items, reports and their signatures, samples."""

    template_name = "web/lab/order.html"
    write_roles = BENCH

    def get_context_data(self, **kwargs):
        from labtests.services import DISPOSABLE_AFTER, SIGNATURE_MEANING

        from .lab_work import item_actions, report_rows

        context = super().get_context_data(**kwargs)
        user = self.request.user
        roles = access_for(user).roles
        order = get_object_or_404(selectors.test_order_list(user=user), pk=self.kwargs["pk"])
        items = list(selectors.test_item_list(user=user).filter(order=order))
        reports = list(selectors.test_report_list(user=user).filter(order=order).order_by("-version"))
        files = selectors.item_raw_data(user=user, items=items)
        context.update(
            order=order,
            samples=selectors.sample_list(user=user).filter(order=order),
            items=[(item, item_actions(item, order, user, roles), files[item.pk]) for item in items],
            siblings=[item for item in items if item.status not in ("retracted", "cancelled")],
            engineers=list(lab_staff_list()) if roles & MANAGERS else [],
            reports=report_rows(reports, user, roles, order),
            has_draft=any(r.status == "draft" for r in reports),
            can_prepare=bool(roles & BENCH)
            and order.status in (O.VERIFIED, O.REPORT_ISSUED, O.IN_TESTING, O.TO_BE_VERIFIED),
            can_dispose=bool(roles & BENCH) and order.status in DISPOSABLE_AFTER,
            signature_meaning=SIGNATURE_MEANING,
            my_scopes=list(selectors.signatory_scope_list(user=user, on=clock.today())),
            unaccredited=[item for item in items if not item.service.accredited],
            verdicts=Verdict.choices,
            history=history_entries(order)[:50],
            conversation=conversation_context(self.request, "test_order", order),
            actions=order_actions(order, roles),
            action_errors=pop_action_errors(self.request),
        )
        return context


class MyTestItemsView(StaffRequiredMixin, TemplateView):
    """The engineer's working list: their open items by due date, each with start / enter the result in place;
    their results awaiting verification below."""

    template_name = "web/lab/my_items.html"
    write_roles = BENCH

    def get_context_data(self, **kwargs):
        from .lab_work import item_actions

        context = super().get_context_data(**kwargs)
        user = self.request.user
        roles = access_for(user).roles
        mine = selectors.test_item_list(user=user).filter(engineer=user)
        open_items = list(
            mine.filter(status__in=(ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS)).order_by("order__due_date", "id")
        )
        context.update(
            items=[(item, item_actions(item, item.order, user, roles)) for item in open_items],
            waiting=mine.filter(status=ItemStatus.SUBMITTED).order_by("order__due_date", "id")[:50],
            verdicts=Verdict.choices,
            today=clock.today(),
            action_errors=pop_action_errors(self.request),
        )
        return context


class LabIntakeView(WriteFormMixin, TemplateView):
    """Receipt and samples in one step (which tests each sample serves, how long they are kept); then the
    printable intake receipt."""

    template_name = "web/lab/intake.html"
    write_roles = BENCH

    def order(self):
        return get_object_or_404(selectors.test_order_list(user=self.request.user), pk=self.kwargs["pk"])

    def rows(self, order, data=None):
        items = selectors.test_item_list(user=self.request.user).filter(order=order)
        items = [item for item in items if item.status not in (ItemStatus.RETRACTED, ItemStatus.CANCELLED)]
        return SampleRows(data, form_kwargs={"items": items})

    def get(self, request, *args, **kwargs):
        order = self.order()
        form = IntakeForm(initial={"received_on": clock.today()})
        return self.render_to_response(self.get_context_data(order=order, form=form, rows=self.rows(order)))

    def post(self, request, *args, **kwargs):
        order = self.order()
        form, rows = IntakeForm(request.POST), self.rows(order, request.POST)
        if form.is_valid() and rows.is_valid():
            samples = [
                {**row.cleaned_data, "quantity": row.cleaned_data.get("quantity") or 1}
                for row in rows
                if row.cleaned_data and row.cleaned_data.get("identifier")
            ]
            try:
                lab.test_order_receive(
                    order=order, actor=request.user, samples=samples, received_on=form.cleaned_data["received_on"],
                    retention_days=form.cleaned_data.get("retention_days"),
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error.messages)
            except ApplicationError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("%(count)d sample(s) received.") % {"count": len(samples)})
                return redirect("web:lab-receipt", pk=order.pk)
        context = self.get_context_data(order=order, form=form, rows=rows)
        return self.render_to_response(context, status=400)


class LabReceiptView(StaffRequiredMixin, TemplateView):
    """The intake receipt for the client: samples, their condition and where they are stored (print it)."""

    template_name = "web/lab/receipt.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = get_object_or_404(selectors.test_order_list(user=self.request.user), pk=self.kwargs["pk"])
        context.update(order=order, samples=selectors.sample_list(user=self.request.user).filter(order=order))
        return context


class LabQueueExportView(ExportView):
    filterset_class = TestOrderFilterSet
    selector = staticmethod(selectors.test_order_list)
    filename = "lab-queue"
    sheet_title = gettext_lazy("Lab queue")

    def header(self):
        return [_("Number"), _("Client"), _("Project"), _("Status"), _("Priority"), _("Received on"), _("Due date")]

    def row(self, o):
        return [o.number, o.client.code, o.project.code, o.get_status_display(), o.get_priority_display(),
                o.received_on, o.due_date]  # fmt: skip


# --- The order page's actions: each through the lab's service with the order's version -----------------
CREATORS = frozenset({ADMIN, PM, LAB_MANAGER})
ORDER_ACTIONS = {
    # action: (roles, service, needs a reason)
    "submit": (CREATORS, lab.test_order_submit, False),
    "accept": (MANAGERS, lab.test_order_accept, False),
    "reject": (MANAGERS, lab.test_order_reject, True),
    "start": (BENCH, lab.test_order_start, False),
    "hold": (BENCH, lab.test_order_hold, True),
    "resume": (BENCH, lab.test_order_resume, False),
    "cancel": (CREATORS, lab.test_order_cancel, True),
    "close": (MANAGERS, lab.test_order_close, False),
}
ORDER_STATUS_OF_ACTION = {
    "submit": O.SUBMITTED, "accept": O.ACCEPTED, "reject": O.REJECTED, "start": O.IN_TESTING, "hold": O.ON_HOLD,
    "cancel": O.CANCELLED, "close": O.CLOSED,
}  # fmt: skip


def order_actions(order, roles) -> list[tuple[str, str, bool]]:
    """(action, label, needs a reason) the user's roles may take on ``order`` now (resume: back from hold)."""
    from labtests.services import ORDER_STATUS

    labels = {
        "submit": _("Submit to the lab"), "accept": _("Accept"), "reject": _("Reject"), "start": _("Start testing"),
        "hold": _("Put on hold"), "resume": _("Resume"), "cancel": _("Cancel"), "close": _("Close"),
    }  # fmt: skip
    allowed = set(ORDER_STATUS.allowed(order.status))
    result = []
    for action, (action_roles, _service, reason) in ORDER_ACTIONS.items():
        if not roles & action_roles:
            continue
        possible = order.status == O.ON_HOLD if action == "resume" else ORDER_STATUS_OF_ACTION[action] in allowed
        if possible:
            result.append((action, labels[action], reason))
    return result


class LabOrderActView(StaffRequiredMixin, View):
    """``POST action=accept|reject|start|hold|resume|cancel|close|submit`` with the order's version (and a reason
    where one is needed); refused in place like every page action (``web.views.actions``)."""

    write_roles = CREATORS | BENCH

    def post(self, request, pk):
        from .actions import posted_version, run_action

        order = get_object_or_404(selectors.test_order_list(user=request.user), pk=pk)
        action = request.POST.get("action", "")
        if action not in ORDER_ACTIONS or not access_for(request.user).roles & ORDER_ACTIONS[action][0]:
            raise PermissionDenied
        _roles, service, needs_reason = ORDER_ACTIONS[action]

        def call():
            reason = request.POST.get("reason", "").strip()[:2000]
            if needs_reason and not reason:
                raise ValidationError({"reason": [_("Give the reason.")]})
            extra = {"reason": reason} if needs_reason else {}
            service(order=order, actor=request.user, expected_version=posted_version(request), **extra)

        return run_action(request, anchor="order", back=reverse("web:lab-order", args=[order.pk]), call=call,
                          done=_("%(number)s updated.") % {"number": order.number})  # fmt: skip
