import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.selectors import staff_user_choices
from clients.filters import StaffOnlyFiltersMixin
from clients.selectors import client_list, device_list
from core.filters import BusinessDateFilter, ChoiceInFilter, DueWithinFilter, MineFilter, SearchFilter, scoped_queryset

from .choices import Health, Priority, ProjectStatus, ServiceType
from .models import Project


class ProjectFilterSet(StaffOnlyFiltersMixin, django_filters.FilterSet):
    staff_only_filters = ("project_manager", "mine")
    client = django_filters.ModelChoiceFilter(queryset=scoped_queryset(client_list), label=_("Client"))
    device = django_filters.ModelChoiceFilter(
        queryset=scoped_queryset(device_list), field_name="devices", label=_("Device")
    )
    status = ChoiceInFilter(choices=ProjectStatus.choices, label=_("Status"))
    service_type = ChoiceInFilter(choices=ServiceType.choices, label=_("Service type"))
    priority = ChoiceInFilter(choices=Priority.choices, label=_("Priority"))
    health = ChoiceInFilter(choices=Health.choices, label=_("Health"))
    authority_overdue = django_filters.BooleanFilter(label=_("Authority overdue"))
    project_manager = django_filters.ModelChoiceFilter(queryset=staff_user_choices, label=_("Project manager"))
    mine = MineFilter(paths=("project_manager",), label=_("My projects"))
    pathway = django_filters.CharFilter(method="filter_pathway", label=_("Pathway"))
    due_within = DueWithinFilter(field_name="next_due_date", label=_("Next due within (days)"))
    due_after = BusinessDateFilter(field_name="next_due_date", lookup_expr="gte", label=_("Next due from"))
    due_before = BusinessDateFilter(field_name="next_due_date", lookup_expr="lte", label=_("Next due until"))
    target_after = BusinessDateFilter(field_name="target_date", lookup_expr="gte", label=_("Target from"))
    target_before = BusinessDateFilter(field_name="target_date", lookup_expr="lte", label=_("Target until"))
    q = SearchFilter(search_fields=("code", "title", "client__code", "client__name_zh", "client__name_en"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("title", "title"),
            ("status", "status"),
            ("health", "health"),
            ("progress", "progress"),
            ("next_due_date", "next_due_date"),
            ("target_date", "target_date"),
            ("start_date", "start_date"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
        ),
        label=_("Order by"),
    )

    def filter_pathway(self, queryset, name, value):
        """Projects with a submission on that pathway (``CN_NMPA_II``)."""
        return queryset.filter(submissions__pathway_code=value) if value else queryset  # one per project

    class Meta:
        model = Project
        fields = ["client", "status", "service_type", "priority", "health", "project_manager"]
