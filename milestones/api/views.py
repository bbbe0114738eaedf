"""Thin viewsets of the regulatory engine. ``POST /projects/{id}/apply-pathway/`` lives here: the action is on
a project, but the logic belongs to ``milestones``."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from clients.api.viewsets import ScopedViewSet
from clients.permissions import ALL_STAFF, STAFF_AND_CLIENT, RolePermission
from core.api.viewsets import (
    CreateMixin,
    HistoryMixin,
    ListMixin,
    RetrieveMixin,
    UpdateMixin,
    parse_if_match,
    service_action,
)
from core.calendars import CalendarBook
from milestones import selectors, services
from milestones.choices import ClockAction
from milestones.filters import MilestoneFilterSet, ReviewClockFilterSet, SubmissionFilterSet
from projects.selectors import project_list

from .rows import milestone_rows
from .serializers import (
    ApplyPathwayInputSerializer,
    ClockActionInputSerializer,
    DependencyInputSerializer,
    DependencySerializer,
    MilestoneCompleteInputSerializer,
    MilestoneInputSerializer,
    MilestoneOutputSerializer,
    MilestonePublicSerializer,
    MilestoneTransitionInputSerializer,
    MilestoneUpdateSerializer,
    PathwaySerializer,
    RescheduleInputSerializer,
    RescheduleOutputSerializer,
    ReviewClockOutputSerializer,
    SubmissionOutputSerializer,
    SubmissionPublicSerializer,
    SubmissionTransitionInputSerializer,
    SubmissionUpdateSerializer,
)

ENGINE_WRITERS = frozenset({Role.ADMIN, Role.PROJECT_MANAGER, Role.REGULATORY})


class PathwayViewSet(ListMixin, RetrieveMixin, ScopedViewSet):
    """Regulatory pathway templates with their milestone and clock templates (edited in the admin)."""

    selector = staticmethod(selectors.pathway_list)
    output_serializer_class = PathwaySerializer
    permission_map = {"list": ALL_STAFF, "retrieve": ALL_STAFF}


class ApplyPathwayApi(APIView):
    """Plan a project along a pathway from a start date: submission, milestones, dependencies and clocks."""

    permission_classes = [IsAuthenticated, RolePermission]
    permission_map = {"apply": ENGINE_WRITERS}
    action = "apply"
    lookup_field = "pk"
    lookup_url_kwarg = None

    @extend_schema(request=ApplyPathwayInputSerializer, responses={201: SubmissionOutputSerializer})
    def post(self, request, pk):
        project = get_object_or_404(project_list(user=request.user), pk=pk)
        self.check_object_permissions(request, project)
        serializer = ApplyPathwayInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = services.pathway_apply(
            project=project,
            actor=request.user,
            expected_version=parse_if_match(request.headers.get("If-Match")),
            **serializer.validated_data,
        )
        return Response(SubmissionOutputSerializer(submission).data, status=status.HTTP_201_CREATED)


class SubmissionViewSet(ListMixin, RetrieveMixin, UpdateMixin, HistoryMixin, ScopedViewSet):
    """Regulatory submissions. ``transition`` {"to", "on"} drives the review clocks as the pathway says."""

    selector = staticmethod(selectors.submission_list)
    filterset_class = SubmissionFilterSet
    output_serializer_class = SubmissionOutputSerializer
    client_output_serializer_class = SubmissionPublicSerializer
    input_serializer_class = SubmissionUpdateSerializer
    permission_map = {
        "list": STAFF_AND_CLIENT,
        "retrieve": STAFF_AND_CLIENT,
        "update": ENGINE_WRITERS,
        "partial_update": ENGINE_WRITERS,
        "transition": ENGINE_WRITERS,
        "history": ALL_STAFF,
    }
    service_instance_kwarg = "submission"
    update_service = staticmethod(services.submission_update)

    def get_input_serializer_class(self):
        if self.action == "transition":
            return SubmissionTransitionInputSerializer
        return super().get_input_serializer_class()

    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        submission = self.get_object()
        data = self.validated_input()
        updated = services.submission_transition(
            **self.service_kwargs(submission), expected_version=self.expected_version(), **data
        )
        return self.output(updated)


class MilestoneViewSet(ListMixin, RetrieveMixin, CreateMixin, UpdateMixin, HistoryMixin, ScopedViewSet):
    """Milestones. Dates move by ``reschedule`` (with ``dry_run`` to preview what shifts); status by
    ``complete`` and ``transition``. Client users see client-visible milestones only."""

    selector = staticmethod(selectors.milestone_list)
    list_rows = staticmethod(milestone_rows)
    filterset_class = MilestoneFilterSet
    output_serializer_class = MilestoneOutputSerializer
    client_output_serializer_class = MilestonePublicSerializer
    input_serializer_class = MilestoneInputSerializer
    update_serializer_class = MilestoneUpdateSerializer
    permission_map = {
        "list": STAFF_AND_CLIENT,
        "retrieve": STAFF_AND_CLIENT,
        "create": ENGINE_WRITERS,
        "update": ENGINE_WRITERS,
        "partial_update": ENGINE_WRITERS,
        "complete": ENGINE_WRITERS,
        "accept": ENGINE_WRITERS,
        "transition": ENGINE_WRITERS,
        "reschedule": ENGINE_WRITERS,
        "predecessors:GET": ALL_STAFF,
        "predecessors:POST": ENGINE_WRITERS,
        "history": ALL_STAFF,
    }
    service_instance_kwarg = "milestone"
    create_service = staticmethod(services.milestone_create)
    update_service = staticmethod(services.milestone_update)

    def get_input_serializer_class(self):
        return {
            "complete": MilestoneCompleteInputSerializer,
            "accept": MilestoneCompleteInputSerializer,
            "transition": MilestoneTransitionInputSerializer,
            "reschedule": RescheduleInputSerializer,
            "predecessors": DependencyInputSerializer,
        }.get(self.action) or super().get_input_serializer_class()

    accept = service_action("accept", services.milestone_accept, instance_kwarg="milestone",
                            input_serializer=MilestoneCompleteInputSerializer,
                            output_serializer=MilestoneOutputSerializer)  # fmt: skip

    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        project = get_object_or_404(project_list(user=request.user), pk=data["project"].pk)
        if data.get("submission") is not None and data["submission"].project_id != project.pk:
            raise ValidationError({"submission": [_("The submission belongs to another project.")]})
        milestone = services.milestone_create(actor=request.user, **data)
        return self.output(self.get_queryset().get(pk=milestone.pk), status_code=status.HTTP_201_CREATED)

    def output(self, instance, **kwargs):
        if not hasattr(instance, "due_state"):
            instance = self.get_queryset().get(pk=instance.pk)  # re-read for the computed due_state
        return super().output(instance, **kwargs)

    @action(detail=True, methods=["post"])
    def complete(self, request, *args, **kwargs):
        milestone = self.get_object()
        data = self.validated_input()
        updated = services.milestone_complete(
            milestone=milestone, actor=request.user, on=data["on"], expected_version=self.expected_version()
        )
        return self.output(updated)

    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        milestone = self.get_object()
        data = self.validated_input()
        updated = services.milestone_transition(
            **self.service_kwargs(milestone), expected_version=self.expected_version(), **data
        )
        return self.output(updated)

    @extend_schema(request=DependencyInputSerializer, responses=DependencySerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def predecessors(self, request, *args, **kwargs):
        """The milestone's finish-to-start predecessors; POST adds one (a link that closes a cycle is 400)."""
        milestone = self.get_object()
        if request.method == "POST":
            data = self.validated_input(DependencyInputSerializer)
            predecessor = get_object_or_404(self.get_queryset(), pk=data["predecessor"])
            services.dependency_add(predecessor=predecessor, successor=milestone, lag_days=data["lag_days"])
        links = selectors.dependency_list(user=request.user, successor=milestone)
        code = status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK
        return Response(DependencySerializer(links, many=True).data, status=code)

    @extend_schema(request=RescheduleInputSerializer, responses=RescheduleOutputSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, *args, **kwargs):
        milestone = self.get_object()
        data = self.validated_input()
        shifts = services.milestone_reschedule(
            milestone=milestone, actor=request.user, expected_version=self.expected_version(), **data
        )
        body = RescheduleOutputSerializer({"dry_run": data["dry_run"], "shifts": shifts}).data
        return Response(body)


def _clock_action(name: str, service):
    return service_action(
        name,
        service,
        instance_kwarg="clock",
        input_serializer=ClockActionInputSerializer,
        output_serializer=ReviewClockOutputSerializer,
    )


class ReviewClockViewSet(ListMixin, RetrieveMixin, HistoryMixin, ScopedViewSet):
    """Statutory review clocks: budget, consumed and remaining days in the clock's unit, ``due_on`` and the
    event log. Actions: start, pause, resume, restart (fresh budget), stop. Staff only."""

    selector = staticmethod(selectors.review_clock_list)
    filterset_class = ReviewClockFilterSet
    output_serializer_class = ReviewClockOutputSerializer
    permission_map = {
        "list": ALL_STAFF,
        "retrieve": ALL_STAFF,
        "history": ALL_STAFF,
        **dict.fromkeys(ClockAction.values, ENGINE_WRITERS),
    }
    transition_actions = set(ClockAction.values)

    def get_input_serializer_class(self):
        if self.action in ClockAction.values:
            return ClockActionInputSerializer
        return super().get_input_serializer_class()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["calendars"] = CalendarBook()
        return context

    start = _clock_action("start", services.review_clock_start)
    pause = _clock_action("pause", services.review_clock_pause)
    resume = _clock_action("resume", services.review_clock_resume)
    restart = _clock_action("restart", services.review_clock_restart)
    stop = _clock_action("stop", services.review_clock_stop)
