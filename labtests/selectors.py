"""Reads of the lab, scoped by the one rule in ``clients.access``. Client users never see draft orders, nor
draft or superseded reports."""

from django.db.models import Prefetch, QuerySet

from clients.access import access_for, scope_for_user

from .choices import OrderStatus, ReportStatus
from .models import Sample, Standard, TestItem, TestOrder, TestReport, TestService


def _is_client(user) -> bool:
    return access_for(user).is_client_user


def standard_list(*, user) -> QuerySet[Standard]:
    return Standard.objects.all() if access_for(user).effective_roles else Standard.objects.none()


def test_service_list(*, user) -> QuerySet[TestService]:
    if not access_for(user).effective_roles:
        return TestService.objects.none()
    return TestService.objects.prefetch_related(Prefetch("standards", queryset=Standard.objects.order_by("code")))


def test_order_list(*, user) -> QuerySet[TestOrder]:
    queryset = scope_for_user(TestOrder.objects.select_related("client", "project", "milestone", "requested_by"), user)
    return queryset.exclude(status=OrderStatus.DRAFT) if _is_client(user) else queryset


def sample_list(*, user) -> QuerySet[Sample]:
    queryset = scope_for_user(Sample.objects.select_related("order"), user)
    return queryset.exclude(order__status=OrderStatus.DRAFT) if _is_client(user) else queryset


def test_item_list(*, user) -> QuerySet[TestItem]:
    queryset = scope_for_user(
        TestItem.objects.select_related("order", "service", "engineer").prefetch_related("samples"), user
    )
    return queryset.exclude(order__status=OrderStatus.DRAFT) if _is_client(user) else queryset


def test_report_list(*, user) -> QuerySet[TestReport]:
    queryset = scope_for_user(TestReport.objects.select_related("order", "attachment", "approved_by"), user)
    return queryset.filter(status=ReportStatus.ISSUED) if _is_client(user) else queryset


def test_report_versions(*, user) -> QuerySet[TestReport]:
    """Every issued version of the reports, current and superseded (the client's history of a report: the
    superseded ones are shown as such, and only the current one's file is theirs to download)."""
    statuses = (ReportStatus.ISSUED, ReportStatus.SUPERSEDED)
    return scope_for_user(TestReport.objects.select_related("order", "attachment"), user).filter(status__in=statuses)
