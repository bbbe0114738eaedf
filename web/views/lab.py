"""Lab pages: the board (orders as cards in status columns; advance by button or drag), the order page, the
engineer's own items, the intake form (receipt and samples in one step, then a printable intake receipt), and the
queue export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from accounts.choices import Role
from clients.access import access_for
from core import clock
from core.exceptions import ApplicationError
from core.history import history_entries
from labtests import selectors
from labtests import services as lab
from labtests.choices import ItemStatus, OrderStatus
from labtests.filters import TestOrderFilterSet

from ..forms import IntakeForm, SampleRows
from .actions import pop_action_errors
from .base import StaffRequiredMixin, WriteFormMixin
from .conversations import conversation_context
from .lists import ExportView

O = OrderStatus  # noqa: E741
BOARD_COLUMNS = [O.SUBMITTED, O.ACCEPTED, O.SAMPLES_RECEIVED, O.IN_TESTING, O.TO_BE_VERIFIED, O.VERIFIED,
                 O.REPORT_ISSUED, O.ON_HOLD]  # fmt: skip
CARDS_PER_COLUMN = 50
ADMIN, PM, LAB, LAB_MANAGER = Role.ADMIN, Role.PROJECT_MANAGER, Role.LAB, Role.LAB_MANAGER
BENCH = frozenset({ADMIN, LAB, LAB_MANAGER})
MANAGERS = frozenset({ADMIN, LAB_MANAGER})

# target column → (service, roles that may move a card there); receipt needs the intake form, reports a file.
BOARD_MOVES = {
    O.ACCEPTED: (lab.test_order_accept, MANAGERS),
    O.IN_TESTING: (None, BENCH),  # start, or resume when on hold
    O.ON_HOLD: (lab.test_order_hold, BENCH),
    O.CLOSED: (lab.test_order_close, MANAGERS),
}


class LabBoardView(StaffRequiredMixin, TemplateView):
    template_name = "web/lab/board.html"
    write_roles = BENCH

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        orders = selectors.test_order_list(user=self.request.user).filter(status__in=BOARD_COLUMNS)
        counts = dict(orders.order_by().values_list("status").annotate(n=Count("id")))
        cards = {status: [] for status in BOARD_COLUMNS}
        for order in orders.order_by("due_date", "id"):
            if len(cards[order.status]) < CARDS_PER_COLUMN:
                cards[order.status].append(order)
        context.update(
            columns=[(s, O(s).label, counts.get(s, 0), cards[s]) for s in BOARD_COLUMNS],
            today=clock.today(),
            can_manage=bool(access_for(self.request.user).roles & MANAGERS),
        )
        return context


class LabOrderMoveView(StaffRequiredMixin, View):
    """Move a card to another column (button or drag); only the moves one click can make."""

    write_roles = BENCH

    def post(self, request, pk):
        order = get_object_or_404(selectors.test_order_list(user=request.user), pk=pk)
        target = request.POST.get("to", "")
        version = request.POST.get("version", "")
        expected = int(version) if version.isdigit() else None
        if target == O.SAMPLES_RECEIVED:
            return redirect("web:lab-intake", pk=order.pk)
        if target not in BOARD_MOVES:
            messages.error(request, _("This move is made on the order page."))
            return redirect("web:lab-order", pk=order.pk)
        service, roles = BOARD_MOVES[target]
        if not access_for(request.user).roles & roles:
            raise PermissionDenied
        if service is None:
            service = lab.test_order_resume if order.status == O.ON_HOLD else lab.test_order_start
        try:
            service(order=order, actor=request.user, expected_version=expected)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("%(number)s moved to “%(status)s”.") % {"number": order.number,
                                                                              "status": O(target).label})  # fmt: skip
        return redirect(request.POST.get("next") or "web:lab-board")


class LabOrderDetailView(StaffRequiredMixin, TemplateView):
    template_name = "web/lab/order.html"
    write_roles = BENCH

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        order = get_object_or_404(selectors.test_order_list(user=user), pk=self.kwargs["pk"])
        context.update(
            order=order,
            samples=selectors.sample_list(user=user).filter(order=order),
            items=selectors.test_item_list(user=user).filter(order=order),
            reports=selectors.test_report_list(user=user).filter(order=order).order_by("-version"),
            history=history_entries(order)[:50],
            conversation=conversation_context(self.request, "test_order", order),
            actions=order_actions(order, access_for(user).roles),
            action_errors=pop_action_errors(self.request),
        )
        return context


class MyTestItemsView(StaffRequiredMixin, TemplateView):
    template_name = "web/lab/my_items.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = (
            selectors.test_item_list(user=self.request.user)
            .filter(engineer=self.request.user, status__in=(ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS))
            .order_by("order__due_date", "id")
        )
        return context


class LabIntakeView(WriteFormMixin, TemplateView):
    """Receipt and samples in one step; then the printable intake receipt."""

    template_name = "web/lab/intake.html"
    write_roles = BENCH

    def order(self):
        return get_object_or_404(selectors.test_order_list(user=self.request.user), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        form = IntakeForm(initial={"received_on": clock.today()})
        return self.render_to_response(self.get_context_data(order=self.order(), form=form, rows=SampleRows()))

    def post(self, request, *args, **kwargs):
        order = self.order()
        form, rows = IntakeForm(request.POST), SampleRows(request.POST)
        if form.is_valid() and rows.is_valid():
            samples = [
                {**row.cleaned_data, "quantity": row.cleaned_data.get("quantity") or 1}
                for row in rows
                if row.cleaned_data and row.cleaned_data.get("identifier")
            ]
            try:
                lab.test_order_receive(
                    order=order, actor=request.user, samples=samples, received_on=form.cleaned_data["received_on"]
                )
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


# --- The order page's actions (SPEC §5): each through the lab's service with the order's version -----------------
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
