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
        TestItem.objects.select_related("order", "service", "engineer").prefetch_related(
            "samples", Prefetch("depends_on", queryset=TestItem.objects.select_related("service"))
        ),
        user,
    )
    return queryset.exclude(order__status=OrderStatus.DRAFT) if _is_client(user) else queryset


def test_report_list(*, user) -> QuerySet[TestReport]:
    queryset = scope_for_user(
        TestReport.objects.select_related(
            "order", "attachment", "prepared_by", "reviewed_by", "approved_by", "supersedes"
        ),
        user,
    )
    return queryset.filter(status=ReportStatus.ISSUED) if _is_client(user) else queryset


def test_report_versions(*, user) -> QuerySet[TestReport]:
    """Every issued version of the reports, current and superseded (the client's history of a report: the
    superseded ones are shown as such, and only the current one's file is theirs to download)."""
    statuses = (ReportStatus.ISSUED, ReportStatus.SUPERSEDED)
    return scope_for_user(TestReport.objects.select_related("order", "attachment"), user).filter(status__in=statuses)


def item_raw_data(*, user, items) -> dict[int, list]:
    """The raw-data files of ``items`` (entered with their results), by item id, in one query. Internal: staff only."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import Attachment

    files: dict[int, list] = {item.pk: [] for item in items}
    if not files or _is_client(user):
        return files
    rows = Attachment.objects.filter(owner_type=ContentType.objects.get_for_model(TestItem), owner_id__in=files)
    for attachment in rows.order_by("id"):
        files[attachment.owner_id].append(attachment)
    return files


def signatory_scope_list(*, user, on):
    """``user``'s authorised-signatory scopes valid ``on`` that day (sections and services)."""
    from .models import AuthorisedSignatory

    return (
        AuthorisedSignatory.objects.filter(user=user, valid_from__lte=on)
        .exclude(valid_until__lt=on)
        .select_related("service")
    )
