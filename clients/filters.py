"""One FilterSet per model, used by the API list endpoints and the staff list pages alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.selectors import staff_user_choices
from core.filters import ChoiceInFilter, SearchFilter, scoped_queryset

from .access import access_for
from .choices import ClientKind, ClientStatus, ContactRole, DeviceClass, DeviceKind, Market
from .models import Client, Contact, Device, DeviceClassification
from .selectors import client_list


class StaffOnlyFiltersMixin:
    """Filters on internal fields — staff users, internal notes — are offered to staff only. For anyone else they
    are removed before the FilterSet reads its data, so every value of them gets the same answer as none: a
    client user cannot count rows by a field they cannot see, nor learn which user ids are staff from a 404."""

    staff_only_filters: tuple[str, ...] = ()

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        if self.staff_only_filters and not access_for(getattr(request, "user", None)).is_staff_member:
            for name in self.staff_only_filters:
                self.filters.pop(name, None)


class ClientFilterSet(StaffOnlyFiltersMixin, django_filters.FilterSet):
    staff_only_filters = ("account_manager",)

    status = ChoiceInFilter(choices=ClientStatus.choices, label=_("Status"))
    kind = ChoiceInFilter(choices=ClientKind.choices, label=_("Kind"))
    country = django_filters.CharFilter(label=_("Country"), method="filter_country")
    agent = django_filters.ModelChoiceFilter(queryset=scoped_queryset(client_list), label=_("Agent"))
    account_manager = django_filters.ModelChoiceFilter(queryset=staff_user_choices, label=_("Account manager"))
    q = SearchFilter(search_fields=("code", "name_zh", "name_en"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("name_en", "name_en"),
            ("name_zh", "name_zh"),
            ("status", "status"),
            ("country", "country"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
        ),
        label=_("Order by"),
    )

    class Meta:
        model = Client
        fields = ["status", "kind", "country", "agent", "account_manager"]

    def filter_country(self, queryset, name, value):
        codes = [c.strip().upper() for c in value.split(",") if c.strip()]
        return queryset.filter(country__in=codes) if codes else queryset


class ContactFilterSet(django_filters.FilterSet):
    client = django_filters.ModelChoiceFilter(queryset=scoped_queryset(client_list), label=_("Client"))
    role = ChoiceInFilter(choices=ContactRole.choices, label=_("Role"))
    is_primary = django_filters.BooleanFilter(label=_("Primary contact"))
    q = SearchFilter(search_fields=("name", "email", "phone"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("created_at", "created_at"), ("updated_at", "updated_at")), label=_("Order by")
    )

    class Meta:
        model = Contact
        fields = ["client", "role", "is_primary"]


class DeviceFilterSet(django_filters.FilterSet):
    client = django_filters.ModelChoiceFilter(queryset=scoped_queryset(client_list), label=_("Client"))
    kind = ChoiceInFilter(choices=DeviceKind.choices, label=_("Kind"))
    sterile = django_filters.BooleanFilter(label=_("Sterile"))
    implantable = django_filters.BooleanFilter(label=_("Implantable"))
    has_software = django_filters.BooleanFilter(label=_("Contains software"))
    market = django_filters.ChoiceFilter(
        choices=Market.choices, label=_("Classified in market"), method="filter_classification"
    )
    device_class = django_filters.ChoiceFilter(
        choices=DeviceClass.choices, label=_("Class"), method="filter_classification"
    )
    q = SearchFilter(search_fields=("name_zh", "name_en", "intended_use"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name_en", "name_en"),
            ("name_zh", "name_zh"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
        ),
        label=_("Order by"),
    )

    class Meta:
        model = Device
        fields = ["client", "kind", "sterile", "implantable", "has_software"]

    def filter_classification(self, queryset, name, value):
        """``market`` and ``device_class`` together mean "this class in this market" (one join, not two)."""
        if name == "device_class" and self.form.cleaned_data.get("market"):
            return queryset  # applied together with the market below
        lookup = {"market": value} if name == "market" else {"device_class": value}
        if name == "market" and self.form.cleaned_data.get("device_class"):
            lookup["device_class"] = self.form.cleaned_data["device_class"]
        matching = DeviceClassification.objects.filter(**lookup).values("device_id")
        return queryset.filter(pk__in=matching)
