"""The bench's work on the order page: test items (assign, start, result with raw data, verify, retract, run
after), reports signed as a CMA report is (prepare, review, approve with the password again, amend) and what
happens to the samples afterwards (return with a courier reference, disposal). Each control posts here, calls the
lab's service with the row's version, and any refusal comes back beside the control (``web.views.actions``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import View

from accounts.choices import Role
from accounts.selectors import lab_staff_list
from clients.access import access_for
from core.dates import validate_business_date
from core.numbers import parse_id, parse_ids
from core.throttles import UPLOADS, rate_limited
from labtests import selectors
from labtests import services as lab
from labtests.choices import ItemStatus, OrderStatus, ReportStatus

from .actions import posted_version, run_action
from .base import StaffRequiredMixin

ADMIN, LAB, LAB_MANAGER = Role.ADMIN, Role.LAB, Role.LAB_MANAGER
BENCH = frozenset({ADMIN, LAB, LAB_MANAGER})
MANAGERS = frozenset({ADMIN, LAB_MANAGER})
MAX_RAW_FILES = 20

I = ItemStatus  # noqa: E741
# action → (roles that may take it, the item statuses it is offered in)
ITEM_ACTIONS = {
    "assign": (MANAGERS, {I.REGISTERED, I.ASSIGNED, I.IN_PROGRESS}),
    "start": (BENCH, {I.ASSIGNED}),
    "result": (BENCH, {I.ASSIGNED, I.IN_PROGRESS}),
    "verify": (MANAGERS, {I.SUBMITTED}),
    "retract": (MANAGERS, {I.SUBMITTED, I.VERIFIED}),
    "dependencies": (MANAGERS, {I.REGISTERED, I.ASSIGNED}),
}


def item_actions(item, order, user, roles) -> set[str]:
    """What ``user`` may do with ``item`` now: the page shows these controls and nothing else. Engineers work
    their own items; results and starts while the order is in testing; verification by someone else."""
    offered = set()
    for action, (action_roles, statuses) in ITEM_ACTIONS.items():
        if roles & action_roles and item.status in statuses:
            offered.add(action)
    if not roles & MANAGERS and item.engineer_id != user.pk:
        offered -= {"start", "result"}
    if order.status != OrderStatus.IN_TESTING:
        offered -= {"start", "result"}
    if item.result_by_id == user.pk:
        offered.discard("verify")
    return offered


def _posted_date(request, name: str = "on"):
    from datetime import date

    value = request.POST.get(name, "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: [_("Enter a valid date.")]}) from None
    validate_business_date(day)
    return day


class LabItemActView(StaffRequiredMixin, View):
    """``POST action=assign|start|result|verify|retract|dependencies`` on one test item."""

    write_roles = BENCH

    def post(self, request, pk):
        item = get_object_or_404(selectors.test_item_list(user=request.user), pk=pk)
        action = request.POST.get("action", "")
        roles = access_for(request.user).roles
        if action not in ITEM_ACTIONS or not roles & ITEM_ACTIONS[action][0]:
            raise PermissionDenied
        handler = getattr(self, f"_{action}")
        mine = request.POST.get("next") == "my-items"
        back = reverse("web:lab-my-items") if mine else reverse("web:lab-order", args=[item.order_id])
        return run_action(request, anchor=f"item-{item.pk}", back=back, call=lambda: handler(request, item),
                          done=_("%(test)s updated.") % {"test": item.service.name})  # fmt: skip

    def _assign(self, request, item):
        engineer_id = parse_id(request.POST.get("engineer"))
        engineer = lab_staff_list().filter(pk=engineer_id).first() if engineer_id else None
        if engineer is None:
            raise ValidationError({"engineer": [_("Choose a lab engineer.")]})
        lab.test_item_assign(item=item, actor=request.user, engineer=engineer, expected_version=posted_version(request))

    def _start(self, request, item):
        lab.test_item_start(item=item, actor=request.user, expected_version=posted_version(request))

    def _result(self, request, item):
        files = request.FILES.getlist("files")
        if len(files) > MAX_RAW_FILES:
            raise ValidationError({"files": [_("Attach at most %(n)d files at once.") % {"n": MAX_RAW_FILES}]})
        lab.test_item_submit_result(
            item=item, actor=request.user, verdict=request.POST.get("verdict", ""),
            result_summary=request.POST.get("result_summary", "").strip()[:5000], files=files,
            expected_version=posted_version(request),
        )  # fmt: skip

    def _verify(self, request, item):
        lab.test_item_verify(item=item, actor=request.user, expected_version=posted_version(request))

    def _retract(self, request, item):
        lab.test_item_retract(item=item, actor=request.user, reason=request.POST.get("reason", "").strip()[:500],
                              expected_version=posted_version(request))  # fmt: skip

    def _dependencies(self, request, item):
        wanted = parse_ids(request.POST.getlist("depends_on"))
        firsts = list(selectors.test_item_list(user=request.user).filter(order_id=item.order_id, pk__in=wanted or []))
        if wanted is None or len(firsts) != len(set(wanted)):
            raise ValidationError({"depends_on": [_("Choose other tests of the same order.")]})
        lab.test_item_set_dependencies(item=item, actor=request.user, depends_on=firsts,
                                       expected_version=posted_version(request))  # fmt: skip


class LabReportPrepareView(StaffRequiredMixin, View):
    """Prepare a draft report (its PDF) for the order, or an amendment of its issued version (``amends``)."""

    write_roles = BENCH

    @rate_limited(UPLOADS)
    def post(self, request, pk):
        order = get_object_or_404(selectors.test_order_list(user=request.user), pk=pk)

        def call():
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": [_("Attach the report as a PDF.")]})
            number = request.POST.get("number", "").strip()[:40]
            amends = request.POST.get("amends", "")
            if amends:
                issued = get_object_or_404(
                    selectors.test_report_list(user=request.user).filter(order=order), pk=parse_id(amends) or 0
                )
                reason = request.POST.get("reason", "").strip()[:500]
                lab.test_report_amend(report=issued, actor=request.user, upload=upload, reason=reason)
            else:
                lab.test_report_create(order=order, actor=request.user, upload=upload, number=number)

        return run_action(request, anchor="reports", back=reverse("web:lab-order", args=[order.pk]), call=call,
                          done=_("Report prepared: it now waits for review."))  # fmt: skip


REPORT_ACTIONS = {"review": MANAGERS, "approve": BENCH}


class LabReportActView(StaffRequiredMixin, View):
    """``POST action=review`` (a lab manager, not the preparer) or ``action=approve`` with ``password`` (an
    authorised signatory, neither preparer nor reviewer)."""

    write_roles = BENCH

    def post(self, request, pk):
        report = get_object_or_404(selectors.test_report_list(user=request.user), pk=pk)
        action = request.POST.get("action", "")
        if action not in REPORT_ACTIONS or not access_for(request.user).roles & REPORT_ACTIONS[action]:
            raise PermissionDenied

        def call():
            if action == "review":
                lab.test_report_review(report=report, actor=request.user)
            else:
                lab.test_report_approve(report=report, actor=request.user, password=request.POST.get("password", ""),
                                        request=request)  # fmt: skip

        done = _("Report reviewed.") if action == "review" else _("Report approved and issued.")
        return run_action(request, anchor="reports", back=reverse("web:lab-order", args=[report.order_id]),
                          call=call, done=done)  # fmt: skip


class LabSampleActView(StaffRequiredMixin, View):
    """``POST action=return`` (with ``courier_reference``) or ``action=dispose``, optionally ``on`` a date."""

    write_roles = BENCH

    def post(self, request, pk):
        sample = get_object_or_404(selectors.sample_list(user=request.user), pk=pk)
        action = request.POST.get("action", "")
        if action not in ("return", "dispose"):
            raise PermissionDenied

        def call():
            on, version = _posted_date(request), posted_version(request)
            if action == "return":
                reference = request.POST.get("courier_reference", "").strip()[:100]
                lab.sample_return(sample=sample, actor=request.user, courier_reference=reference, on=on,
                                  expected_version=version)  # fmt: skip
            else:
                lab.sample_dispose(sample=sample, actor=request.user, on=on, expected_version=version)

        return run_action(request, anchor=f"sample-{sample.pk}", back=reverse("web:lab-order", args=[sample.order_id]),
                          call=call, done=_("Sample %(id)s updated.") % {"id": sample.identifier})  # fmt: skip


def report_rows(reports, user, roles, order):
    """Each report with what ``user`` may do with it now (review, approve, amend)."""
    rows = []
    for report in reports:
        draft = report.status == ReportStatus.DRAFT
        rows.append(
            {
                "report": report,
                "can_review": draft and roles & MANAGERS and not report.reviewed_by_id
                and report.prepared_by_id != user.pk,
                "can_approve": draft and roles & BENCH and report.reviewed_by_id
                and user.pk not in (report.prepared_by_id, report.reviewed_by_id),
                "can_amend": report.status == ReportStatus.ISSUED and roles & BENCH
                and order.status not in (OrderStatus.CLOSED,),
            }
        )  # fmt: skip
    return rows
