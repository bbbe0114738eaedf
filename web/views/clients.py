"""Staff pages of the client registry: list (filters, sorting, paging, CSV/XLSX export), client page, and the
create/edit forms. Reads go through ``clients.selectors``, writes through ``clients.services``."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from accounts.choices import Role
from clients import selectors, services
from clients.access import access_for
from clients.choices import ClientStatus
from clients.filters import ClientFilterSet
from core.exceptions import ApplicationError, StaleVersion
from core.history import history_entries

from ..forms import ClassificationsForm, ClientForm, ContactForm, DeviceForm
from .actions import posted_version
from .base import StaffRequiredMixin, WriteFormMixin
from .lists import ExportView, FilteredListView

REGISTRY_WRITERS = frozenset({Role.ADMIN, Role.PROJECT_MANAGER})
CLASSIFICATION_WRITERS = REGISTRY_WRITERS | {Role.REGULATORY}
HISTORY_LIMIT = 50
STALE_MESSAGE = gettext_lazy(
    "Someone else changed this record while you were editing it. Nothing was saved: reload the page."
)


class ClientListView(FilteredListView):
    template_name = "web/clients/list.html"
    results_template_name = "web/clients/_results.html"
    filterset_class = ClientFilterSet
    selector = staticmethod(selectors.client_list)
    write_roles = REGISTRY_WRITERS

    def get_context_data(self, **kwargs):
        return super().get_context_data(statuses=ClientStatus.choices, **kwargs)


class ClientExportView(ExportView):
    filterset_class = ClientFilterSet
    selector = staticmethod(selectors.client_list)
    filename = "clients"
    sheet_title = gettext_lazy("Clients")

    def header(self):
        return [
            _("Code"), _("Name (Chinese)"), _("Name (English)"), _("Unified social credit code"), _("Country"),
            _("Kind"), _("Status"), _("Agent"), _("Account manager"),
        ]  # fmt: skip

    def row(self, c):
        return [
            c.code, c.name_zh, c.name_en, c.uscc, c.country, c.get_kind_display(), c.get_status_display(),
            c.agent.code if c.agent else "", str(c.account_manager) if c.account_manager else "",
        ]  # fmt: skip


class ClientDetailView(StaffRequiredMixin, TemplateView):
    template_name = "web/clients/detail.html"
    write_roles = REGISTRY_WRITERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        client = get_object_or_404(selectors.client_list(user=user), pk=self.kwargs["pk"])
        context.update(
            client=client,
            contacts=selectors.contact_list(user=user).filter(client=client),
            devices=selectors.device_list(user=user).filter(client=client),
            history=history_entries(client)[:HISTORY_LIMIT],
            transitions=[(s, ClientStatus(s).label) for s in services.CLIENT_STATUS.allowed(client.status)],
            can_classify=bool(access_for(user).roles & CLASSIFICATION_WRITERS),
        )
        return context


class ServiceFormView(WriteFormMixin, TemplateView):
    """GET shows the form; POST validates it and hands the values to a service. Service-level validation errors
    land beside their fields; a stale version is refused with a message and nothing is saved."""

    form_class = None
    write_roles = REGISTRY_WRITERS

    def get_instance(self):
        return None

    def get_form(self, data=None):
        instance = self.get_instance()
        initial = {"version": instance.version} if instance is not None and instance.pk else None
        return self.form_class(data=data, instance=instance, initial=initial)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def form_is_valid(self, form) -> bool:
        return form.is_valid()

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if self.form_is_valid(form):
            try:
                with transaction.atomic():
                    saved = self.save(form)
            except StaleVersion:
                form.add_error(None, STALE_MESSAGE)
            except ValidationError as error:
                form.add_service_error(error)
            except ApplicationError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Saved."))
                return redirect(self.success_url(saved))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def save(self, form):
        raise NotImplementedError

    def success_url(self, saved) -> str:
        raise NotImplementedError


class ClientCreateView(ServiceFormView):
    template_name = "web/clients/form.html"
    form_class = ClientForm

    def save(self, form):
        return services.client_create(actor=self.request.user, **form.service_data())

    def success_url(self, saved):
        return reverse("web:client-detail", args=[saved.pk])


class ClientUpdateView(ClientCreateView):
    def get_instance(self):
        return get_object_or_404(selectors.client_list(user=self.request.user), pk=self.kwargs["pk"])

    def save(self, form):
        return services.client_update(
            client=form.instance,
            actor=self.request.user,
            data=form.service_data(),
            expected_version=form.expected_version(),
        )


class ClientTransitionView(StaffRequiredMixin, View):
    write_roles = REGISTRY_WRITERS

    def post(self, request, pk):
        client = get_object_or_404(selectors.client_list(user=request.user), pk=pk)
        try:
            services.client_transition(
                client=client,
                actor=request.user,
                to=request.POST.get("to", ""),
                reason=request.POST.get("reason", "")[:500],
                expected_version=posted_version(request),
            )
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Status changed."))
        return redirect("web:client-detail", pk=pk)


class ContactCreateView(ServiceFormView):
    template_name = "web/clients/contact_form.html"
    form_class = ContactForm

    def client(self):
        return get_object_or_404(selectors.client_list(user=self.request.user), pk=self.kwargs["client_pk"])

    def get_instance(self):
        from clients.models import Contact

        return Contact(client=self.client())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["client"] = context["form"].instance.client
        return context

    def save(self, form):
        return services.contact_create(actor=self.request.user, client=form.instance.client, **form.service_data())

    def success_url(self, saved):
        return reverse("web:client-detail", args=[saved.client_id])


class ContactUpdateView(ContactCreateView):
    def get_instance(self):
        return get_object_or_404(selectors.contact_list(user=self.request.user), pk=self.kwargs["pk"])

    def save(self, form):
        return services.contact_update(
            contact=form.instance,
            actor=self.request.user,
            data=form.service_data(),
            expected_version=form.expected_version(),
        )


class DeviceCreateView(ServiceFormView):
    """A device and its class per market in one form."""

    template_name = "web/clients/device_form.html"
    form_class = DeviceForm

    def get_instance(self):
        from clients.models import Device

        client = get_object_or_404(selectors.client_list(user=self.request.user), pk=self.kwargs["client_pk"])
        return Device(client=client)

    def get_form(self, data=None):
        form = super().get_form(data)
        instance = form.instance
        form.classifications = ClassificationsForm(data=data, device=instance if instance.pk else None, prefix="cls")
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["client"] = context["form"].instance.client
        return context

    def form_is_valid(self, form) -> bool:
        device_ok = form.is_valid()
        return form.classifications.is_valid() and device_ok

    def save(self, form):
        device = services.device_create(actor=self.request.user, client=form.instance.client, **form.service_data())
        apply_classifications(device=device, actor=self.request.user, wanted=form.classifications.wanted())
        return device

    def success_url(self, saved):
        return reverse("web:client-detail", args=[saved.client_id])


class DeviceUpdateView(DeviceCreateView):
    def get_instance(self):
        return get_object_or_404(selectors.device_list(user=self.request.user), pk=self.kwargs["pk"])

    def save(self, form):
        device = services.device_update(
            device=form.instance,
            actor=self.request.user,
            data=form.service_data(),
            expected_version=form.expected_version(),
        )
        apply_classifications(device=device, actor=self.request.user, wanted=form.classifications.wanted())
        return device


def apply_classifications(*, device, actor, wanted: dict[str, dict | None]) -> None:
    existing = {c.market: c for c in device.classifications.all()}
    for market, values in wanted.items():
        if values is not None:
            services.device_classification_set(device=device, actor=actor, market=market, **values)
        elif market in existing:
            services.device_classification_delete(classification=existing[market], actor=actor)


class DeviceClassificationsView(WriteFormMixin, TemplateView):
    """The device's class per market alone: what a regulatory specialist may edit."""

    template_name = "web/clients/classifications_form.html"
    write_roles = CLASSIFICATION_WRITERS

    def device(self):
        return get_object_or_404(selectors.device_list(user=self.request.user), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        device = self.device()
        form = ClassificationsForm(device=device, prefix="cls")
        return self.render_to_response(self.get_context_data(device=device, form=form))

    def post(self, request, *args, **kwargs):
        device = self.device()
        form = ClassificationsForm(data=request.POST, device=device, prefix="cls")
        if form.is_valid():
            try:
                with transaction.atomic():
                    apply_classifications(device=device, actor=request.user, wanted=form.wanted())
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Saved."))
                return redirect("web:client-detail", pk=device.client_id)
        return self.render_to_response(self.get_context_data(device=device, form=form), status=400)


class _ContactAccess(StaffRequiredMixin, View):
    write_roles = REGISTRY_WRITERS

    def contact(self):
        return get_object_or_404(selectors.contact_list(user=self.request.user), pk=self.kwargs["pk"])

    def back(self, contact):
        return redirect(reverse("web:client-detail", args=[contact.client_id]) + "#contacts-heading")


class ContactInviteView(_ContactAccess):
    """Portal access for a contact: an invitation e-mail with a set-password link that expires."""

    def post(self, request, *args, **kwargs):
        contact = self.contact()
        try:
            services.contact_invite(contact=contact, actor=request.user, site_url=settings.SITE_URL)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": contact.email})
        return self.back(contact)


class ContactDeactivateView(_ContactAccess):
    """Portal access taken away at once: sessions end and API tokens stop working."""

    def post(self, request, *args, **kwargs):
        contact = self.contact()
        try:
            services.contact_portal_deactivate(contact=contact, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s can no longer use the portal.") % {"name": contact.name})
        return self.back(contact)
