from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Client, ClientMembership, Contact, Device, DeviceClassification


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("name", "email", "phone", "role", "is_primary", "user")
    raw_id_fields = ("user",)


class DeviceClassificationInline(admin.TabularInline):
    model = DeviceClassification
    extra = 0
    fields = ("market", "device_class", "code", "rationale")


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "country", "status", "account_manager")
    list_filter = ("status", "kind", "country")
    search_fields = ("code", "name_zh", "name_en", "uscc")
    raw_id_fields = ("agent", "account_manager")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ("name", "client", "role", "email", "is_primary")
    list_filter = ("role", "is_primary")
    search_fields = ("name", "email", "client__code")
    raw_id_fields = ("client", "user")
    list_select_related = ("client",)


@admin.register(ClientMembership)
class ClientMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "client", "created_at")
    search_fields = ("user__username", "client__code")
    raw_id_fields = ("user", "client")
    list_select_related = ("user", "client")


@admin.register(Device)
class DeviceAdmin(SimpleHistoryAdmin):
    list_display = ("name_en", "name_zh", "client", "kind", "sterile", "implantable", "has_software")
    list_filter = ("kind", "sterile", "implantable", "has_software")
    search_fields = ("name_en", "name_zh", "client__code")
    raw_id_fields = ("client",)
    list_select_related = ("client",)
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = [DeviceClassificationInline]
