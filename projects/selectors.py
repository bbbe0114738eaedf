"""Reads of projects, scoped by the one rule in ``clients.access``. Client users never see drafts."""

from django.db.models import Prefetch, QuerySet

from clients.access import access_for, scope_for_user
from clients.models import Device

from .choices import ProjectStatus
from .models import Project, ProjectMembership


def project_list(*, user) -> QuerySet[Project]:
    queryset = Project.objects.select_related("client", "project_manager").prefetch_related(
        Prefetch("devices", queryset=Device.objects.order_by("id"))
    )
    queryset = scope_for_user(queryset, user)
    if access_for(user).is_client_user:
        queryset = queryset.exclude(status=ProjectStatus.DRAFT)
    return queryset


def project_member_list(*, user, project: Project) -> QuerySet[ProjectMembership]:
    return scope_for_user(ProjectMembership.objects.filter(project=project).select_related("user"), user)


LIST_PAGE_COLUMNS = ("id", "code", "title", "client__code", "status", "health", "authority_overdue", "progress",
                     "next_due_date")  # fmt: skip


def project_page_values(*, ids: QuerySet, queryset: QuerySet) -> list[dict]:
    """The staff list page's columns of one page as values: ``ids`` is a page of ``queryset`` (a scoped
    ``project_list``, filtered and ordered), read in its order, with the count of ``queryset`` beside each row
    (``page_total``; ``core.api.rows``)."""
    from core.api.rows import page_values

    return page_values(Project, ids, queryset, LIST_PAGE_COLUMNS)
