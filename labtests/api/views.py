"""Thin viewsets of the lab. Permissions: PMs create, submit and cancel orders; lab engineers
receive, start, hold, resume and enter results on their own items; lab managers do every step including accept,
reject, verify (not their own results), retract, issue and amend reports, close."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.choices import Role
from accounts.models import User
from clients.api.viewsets import ScopedViewSet
from clients.permissions import ALL_STAFF, STAFF_AND_CLIENT
from core.api.parsers import MULTIPART
from core.api.viewsets import CreateMixin, HistoryMixin, ListMixin, RetrieveMixin, UpdateMixin, service_action
from core.throttles import UPLOADS
from labtests import selectors, services
from labtests.filters import (
    SampleFilterSet,
    StandardFilterSet,
    TestItemFilterSet,
    TestOrderFilterSet,
    TestReportFilterSet,
    TestServiceFilterSet,
)
from milestones.selectors import milestone_list
from projects.selectors import project_list

from .rows import test_order_rows
from .serializers import (
    AmendInputSerializer,
    AssignInputSerializer,
    DependenciesInputSerializer,
    DisposeInputSerializer,
    PasswordInputSerializer,
    ReasonInputSerializer,
    ReceiveInputSerializer,
    ResultInputSerializer,
    ReturnInputSerializer,
    SampleOutputSerializer,
    SamplePublicSerializer,
    SampleUpdateSerializer,
    StandardSerializer,
    TestItemOutputSerializer,
    TestItemPublicSerializer,
    TestOrderInputSerializer,
    TestOrderOutputSerializer,
    TestOrderPublicSerializer,
    TestOrderUpdateSerializer,
    TestReportInputSerializer,
    TestReportOutputSerializer,
    TestReportPublicSerializer,
    TestServiceOutputSerializer,
    TestServicePublicSerializer,
    TestServiceUpdateSerializer,
)

ADMIN, PM, LAB, LAB_MANAGER = Role.ADMIN, Role.PROJECT_MANAGER, Role.LAB, Role.LAB_MANAGER
ORDER_CREATORS = frozenset({ADMIN, PM, LAB_MANAGER})
BENCH = frozenset({ADMIN, LAB, LAB_MANAGER})
MANAGERS = frozenset({ADMIN, LAB_MANAGER})
READ = {"list": STAFF_AND_CLIENT, "retrieve": STAFF_AND_CLIENT, "history": ALL_STAFF}


class StandardViewSet(ListMixin, RetrieveMixin, UpdateMixin, HistoryMixin, ScopedViewSet):
    selector = staticmethod(selectors.standard_list)
    filterset_class = StandardFilterSet
    output_serializer_class = StandardSerializer
    input_serializer_class = StandardSerializer
    permission_map = {**READ, "update": MANAGERS, "partial_update": MANAGERS}
    update_service = staticmethod(services.catalogue_update)


class TestServiceViewSet(ListMixin, RetrieveMixin, UpdateMixin, HistoryMixin, ScopedViewSet):
    """The test catalogue. Prices are internal: client users get the list without them."""

    selector = staticmethod(selectors.test_service_list)
    filterset_class = TestServiceFilterSet
    output_serializer_class = TestServiceOutputSerializer
    client_output_serializer_class = TestServicePublicSerializer
    input_serializer_class = TestServiceUpdateSerializer
    permission_map = {**READ, "update": MANAGERS, "partial_update": MANAGERS}
    update_service = staticmethod(services.catalogue_update)


ORDER_ACTIONS = {
    # action: (service, roles, input serializer)
    "submit": (services.test_order_submit, ORDER_CREATORS, None),
    "accept": (services.test_order_accept, MANAGERS, None),
    "reject": (services.test_order_reject, MANAGERS, ReasonInputSerializer),
    "receive": (services.test_order_receive, BENCH, ReceiveInputSerializer),
    "start": (services.test_order_start, BENCH, None),
    "hold": (services.test_order_hold, BENCH, ReasonInputSerializer),
    "resume": (services.test_order_resume, BENCH, None),
    "close": (services.test_order_close, MANAGERS, None),
    "cancel": (services.test_order_cancel, ORDER_CREATORS, ReasonInputSerializer),
}


def _order_action(name: str):
    service, _roles, input_class = ORDER_ACTIONS[name]
    return service_action(
        name, service, instance_kwarg="order", input_serializer=input_class, output_serializer=TestOrderOutputSerializer
    )


class TestOrderViewSet(ListMixin, RetrieveMixin, CreateMixin, UpdateMixin, HistoryMixin, ScopedViewSet):
    """Lab test orders. Status moves only by the actions; ``issue-report`` takes a multipart file."""

    selector = staticmethod(selectors.test_order_list)
    list_rows = staticmethod(test_order_rows)
    filterset_class = TestOrderFilterSet
    output_serializer_class = TestOrderOutputSerializer
    client_output_serializer_class = TestOrderPublicSerializer
    input_serializer_class = TestOrderInputSerializer
    update_serializer_class = TestOrderUpdateSerializer
    parser_classes = MULTIPART
    permission_map = {
        **READ,
        "create": ORDER_CREATORS,
        "update": ORDER_CREATORS,
        "partial_update": ORDER_CREATORS,
        "issue_report": MANAGERS,
        **{name: roles for name, (_s, roles, _i) in ORDER_ACTIONS.items()},
    }
    service_instance_kwarg = "order"
    update_service = staticmethod(services.test_order_update)
    transition_actions = {*ORDER_ACTIONS, "issue_report"}

    def get_input_serializer_class(self):
        if self.action in ORDER_ACTIONS:
            return ORDER_ACTIONS[self.action][2]
        if self.action == "issue_report":
            return PasswordInputSerializer
        return super().get_input_serializer_class()

    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        project = get_object_or_404(project_list(user=request.user), pk=data["project"].pk)
        milestone = data.get("milestone")
        if milestone is not None:
            milestone = get_object_or_404(milestone_list(user=request.user), pk=milestone.pk)
        order = services.test_order_create(
            actor=request.user,
            client=data["client"],
            project=project,
            milestone=milestone,
            services=data["services"],
            purpose=data.get("purpose", ""),
            priority=data.get("priority", "normal"),
            internal_notes=data.get("internal_notes", ""),
        )
        return self.output(self.get_queryset().get(pk=order.pk), status_code=status.HTTP_201_CREATED)

    submit = _order_action("submit")
    accept = _order_action("accept")
    reject = _order_action("reject")
    receive = _order_action("receive")
    start = _order_action("start")
    hold = _order_action("hold")
    resume = _order_action("resume")
    close = _order_action("close")
    cancel = _order_action("cancel")

    @extend_schema(request=PasswordInputSerializer, responses={201: TestReportOutputSerializer})
    @action(detail=True, methods=["post"], url_path="issue-report")
    def issue_report(self, request, *args, **kwargs):
        """Approve (sign) and issue the order's reviewed draft report, as its authorised signatory with your
        password; feeds the milestone. Same as ``POST /test-reports/{id}/approve/``."""
        order = self.get_object()
        data = self.validated_input()
        report = services.test_report_issue(
            order=order,
            actor=request.user,
            password=data["password"],
            expected_version=self.expected_version(),
            request=request,
        )
        return Response(TestReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


class SampleViewSet(ListMixin, RetrieveMixin, UpdateMixin, HistoryMixin, ScopedViewSet):
    selector = staticmethod(selectors.sample_list)
    filterset_class = SampleFilterSet
    output_serializer_class = SampleOutputSerializer
    client_output_serializer_class = SamplePublicSerializer
    input_serializer_class = SampleUpdateSerializer
    permission_map = {**READ, "update": BENCH, "partial_update": BENCH, "return_to_client": BENCH, "dispose": BENCH}
    service_instance_kwarg = "sample"
    update_service = staticmethod(services.sample_update)
    transition_actions = {"return_to_client", "dispose"}

    def get_input_serializer_class(self):
        return {"return_to_client": ReturnInputSerializer, "dispose": DisposeInputSerializer}.get(
            self.action, super().get_input_serializer_class()
        )

    @extend_schema(request=ReturnInputSerializer, responses=SampleOutputSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_client(self, request, *args, **kwargs):
        """Record the sample's return to the client with the courier's reference."""
        sample = self.get_object()
        data = self.validated_input()
        updated = services.sample_return(sample=sample, actor=request.user, expected_version=self.expected_version(),
                                         **data)  # fmt: skip
        return self.output(self.get_queryset().get(pk=updated.pk))

    dispose = service_action(
        "dispose", services.sample_dispose, instance_kwarg="sample", input_serializer=DisposeInputSerializer,
        output_serializer=SampleOutputSerializer,
    )  # fmt: skip


ITEM_ACTIONS = {
    "assign": MANAGERS,
    "start": BENCH,
    "submit_result": BENCH,
    "verify": MANAGERS,
    "retract": MANAGERS,
    "dependencies": MANAGERS,
}


class TestItemViewSet(ListMixin, RetrieveMixin, HistoryMixin, ScopedViewSet):
    """Test items. A client user sees an item's verdict and result only once it is verified."""

    selector = staticmethod(selectors.test_item_list)
    filterset_class = TestItemFilterSet
    output_serializer_class = TestItemOutputSerializer
    client_output_serializer_class = TestItemPublicSerializer
    parser_classes = MULTIPART
    permission_map = {**READ, **ITEM_ACTIONS}
    transition_actions = set(ITEM_ACTIONS)

    def get_input_serializer_class(self):
        return {
            "assign": AssignInputSerializer,
            "submit_result": ResultInputSerializer,
            "retract": ReasonInputSerializer,
            "dependencies": DependenciesInputSerializer,
        }.get(self.action)

    start = service_action(
        "start", services.test_item_start, instance_kwarg="item", output_serializer=TestItemOutputSerializer
    )

    @extend_schema(request=DependenciesInputSerializer, responses=TestItemOutputSerializer)
    @action(detail=True, methods=["post"])
    def dependencies(self, request, *args, **kwargs):
        """Set the items of the same order this one runs after (replaces the list); the due date follows."""
        item = self.get_object()
        data = self.validated_input()
        firsts = list(self.get_queryset().filter(pk__in=data["depends_on"]))
        if len(firsts) != len(set(data["depends_on"])):
            raise NotFound()
        updated = services.test_item_set_dependencies(
            item=item, actor=request.user, depends_on=firsts, expected_version=self.expected_version()
        )
        return self._respond(updated)

    def _respond(self, item):
        return self.output(self.get_queryset().get(pk=item.pk))

    @extend_schema(request=AssignInputSerializer, responses=TestItemOutputSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, *args, **kwargs):
        item = self.get_object()
        data = self.validated_input()
        engineer = get_object_or_404(User.objects.filter(is_active=True), pk=data["engineer"])
        updated = services.test_item_assign(
            item=item, actor=request.user, engineer=engineer, expected_version=self.expected_version()
        )
        return self._respond(updated)

    @extend_schema(request=ResultInputSerializer, responses=TestItemOutputSerializer)
    @action(detail=True, methods=["post"], url_path="submit-result")
    def submit_result(self, request, *args, **kwargs):
        item = self.get_object()
        data = self.validated_input()
        updated = services.test_item_submit_result(
            item=item, actor=request.user, expected_version=self.expected_version(), **data
        )
        return self._respond(updated)

    @extend_schema(request=None, responses=TestItemOutputSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, *args, **kwargs):
        item = self.get_object()
        return self._respond(
            services.test_item_verify(item=item, actor=request.user, expected_version=self.expected_version())
        )

    @extend_schema(request=ReasonInputSerializer, responses={201: TestItemOutputSerializer})
    @action(detail=True, methods=["post"])
    def retract(self, request, *args, **kwargs):
        """Retract the result; answers the new retest item."""
        item = self.get_object()
        data = self.validated_input()
        retest = services.test_item_retract(
            item=item, actor=request.user, reason=data["reason"], expected_version=self.expected_version()
        )
        return self.output(self.get_queryset().get(pk=retest.pk), status_code=status.HTTP_201_CREATED)


class TestReportViewSet(ListMixin, RetrieveMixin, HistoryMixin, ScopedViewSet):
    """Test reports: drafts and superseded versions are staff-only; client users see issued reports."""

    selector = staticmethod(selectors.test_report_list)
    filterset_class = TestReportFilterSet
    output_serializer_class = TestReportOutputSerializer
    client_output_serializer_class = TestReportPublicSerializer
    parser_classes = MULTIPART
    permission_map = {**READ, "create": BENCH, "amend": BENCH, "review": MANAGERS, "approve": BENCH}
    throttle_scopes = {"create": UPLOADS, "amend": UPLOADS}
    transition_actions = {"review", "approve", "amend"}

    def get_input_serializer_class(self):
        return {"create": TestReportInputSerializer, "amend": AmendInputSerializer,
                "approve": PasswordInputSerializer}.get(self.action)  # fmt: skip

    @extend_schema(request=TestReportInputSerializer, responses={201: TestReportOutputSerializer})
    def create(self, request, *args, **kwargs):
        """Upload a draft report (PDF) for an order."""
        data = self.validated_input()
        order = get_object_or_404(selectors.test_order_list(user=request.user), pk=data["order"])
        report = services.test_report_create(order=order, actor=request.user, upload=data["file"],
                                             number=data["number"])  # fmt: skip
        return self.output(report, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TestReportOutputSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs):
        """Review the draft (a lab manager other than its preparer)."""
        return self.output(services.test_report_review(report=self.get_object(), actor=request.user))

    @extend_schema(request=PasswordInputSerializer, responses=TestReportOutputSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Approve and issue the reviewed draft: an authorised signatory for every item, not its preparer nor its
        reviewer, with their password entered again."""
        report = self.get_object()
        data = self.validated_input()
        report = services.test_report_approve(report=report, actor=request.user, password=data["password"],
                                              request=request)  # fmt: skip
        return self.output(report)

    @extend_schema(request=AmendInputSerializer, responses={201: TestReportOutputSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, *args, **kwargs):
        """Prepare a new version that will supersede this one once reviewed and approved (the old one stays
        readable by staff)."""
        report = self.get_object()
        data = self.validated_input()
        amended = services.test_report_amend(report=report, actor=request.user, upload=data["file"],
                                             reason=data["reason"])  # fmt: skip
        return self.output(amended, status_code=status.HTTP_201_CREATED)
