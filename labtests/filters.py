import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.selectors import staff_user_choices
from clients.access import access_for
from clients.filters import StaffOnlyFiltersMixin
from clients.selectors import client_list
from core.filters import BusinessDateFilter, ChoiceInFilter, SearchFilter, scoped_queryset
from projects.selectors import project_list

from .choices import OPEN_ORDER_STATUSES, ItemStatus, LabSection, OrderStatus, ReportStatus, StandardStatus, Verdict
from .models import Sample, Standard, TestItem, TestOrder, TestReport, TestService
from .selectors import test_order_list


class StandardFilterSet(django_filters.FilterSet):
    status = ChoiceInFilter(choices=StandardStatus.choices, label=_("Status"))
    q = SearchFilter(search_fields=("code", "title_zh", "title_en", "equivalent"))

    class Meta:
        model = Standard
        fields = ["status"]


class TestServiceFilterSet(django_filters.FilterSet):
    lab_section = ChoiceInFilter(choices=LabSection.choices, label=_("Lab section"))
    active = django_filters.BooleanFilter(label=_("Offered"))
    q = SearchFilter(search_fields=("code", "name_zh", "name_en", "standards__code"))

    class Meta:
        model = TestService
        fields = ["lab_section", "active"]


class TestOrderFilterSet(StaffOnlyFiltersMixin, django_filters.FilterSet):
    staff_only_filters = ("engineer",)
    client = django_filters.ModelChoiceFilter(queryset=scoped_queryset(client_list), label=_("Client"))
    project = django_filters.ModelChoiceFilter(queryset=scoped_queryset(project_list), label=_("Project"))
    status = ChoiceInFilter(choices=OrderStatus.choices, label=_("Status"))
    lab_section = ChoiceInFilter(
        choices=LabSection.choices, field_name="items__service__lab_section", distinct=True, label=_("Lab section")
    )
    engineer = django_filters.ModelChoiceFilter(
        queryset=staff_user_choices, field_name="items__engineer", distinct=True, label=_("Engineer")
    )
    due_after = BusinessDateFilter(field_name="due_date", lookup_expr="gte", label=_("Due from"))
    due_before = BusinessDateFilter(field_name="due_date", lookup_expr="lte", label=_("Due until"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    q = SearchFilter(search_fields=("number", "purpose", "project__code", "client__code"))
    ordering = django_filters.OrderingFilter(
        fields=(("due_date", "due_date"), ("number", "number"), ("status", "status"), ("created_at", "created_at"))
    )

    class Meta:
        model = TestOrder
        fields = ["client", "project", "status"]

    def filter_overdue(self, queryset, name, value):
        """Open orders past their due date (today from ``core.clock``); ``false``: the others."""
        from core import clock

        late = Q(due_date__lt=clock.today(), status__in=OPEN_ORDER_STATUSES)
        if value is None:
            return queryset
        return queryset.filter(late) if value else queryset.exclude(late)


class SampleFilterSet(django_filters.FilterSet):
    order = django_filters.ModelChoiceFilter(queryset=scoped_queryset(test_order_list), label=_("Test order"))
    q = SearchFilter(search_fields=("identifier", "model", "serial"))

    class Meta:
        model = Sample
        fields = ["order", "disposition"]


class TestItemFilterSet(StaffOnlyFiltersMixin, django_filters.FilterSet):
    staff_only_filters = ("engineer",)
    order = django_filters.ModelChoiceFilter(queryset=scoped_queryset(test_order_list), label=_("Test order"))
    status = ChoiceInFilter(choices=ItemStatus.choices, label=_("Status"))
    verdict = ChoiceInFilter(choices=Verdict.choices, label=_("Verdict"), method="filter_verdict")
    lab_section = ChoiceInFilter(choices=LabSection.choices, field_name="service__lab_section", label=_("Lab section"))
    engineer = django_filters.ModelChoiceFilter(queryset=staff_user_choices, label=_("Engineer"))

    class Meta:
        model = TestItem
        fields = ["order", "status", "engineer"]

    def filter_verdict(self, queryset, name, value):
        """A client user may only filter on verdicts they can see: those of verified items."""
        queryset = queryset.filter(verdict__in=value)
        if access_for(getattr(self.request, "user", None)).is_client_user:
            queryset = queryset.filter(status=ItemStatus.VERIFIED)
        return queryset


class TestReportFilterSet(django_filters.FilterSet):
    order = django_filters.ModelChoiceFilter(queryset=scoped_queryset(test_order_list), label=_("Test order"))
    status = ChoiceInFilter(choices=ReportStatus.choices, label=_("Status"))

    class Meta:
        model = TestReport
        fields = ["order", "status"]
