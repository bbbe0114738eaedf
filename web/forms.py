"""Forms of the staff pages. They validate and present; every write goes through the same services as the API.

Edit forms carry the record's ``version`` in a hidden field: a save whose version is stale is refused with a
clear message and changes nothing (the page equivalent of the API's ``If-Match``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.choices import Language
from accounts.selectors import staff_user_list
from clients.choices import CLASSES_BY_MARKET, ClientKind, Market
from clients.models import Client, Contact, Device, DeviceClassification
from core.dates import BusinessDateFormField
from core.forms import UPLOAD_ACCEPT, MultipleFileField, add_service_error
from labtests.models import Sample
from projects.models import Project


class VersionedFormMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")

    def service_data(self) -> dict:
        """The cleaned values a service takes (without the bookkeeping ``version``)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and k in self.Meta.fields}

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's validation error beside the field it names (or above the form)."""
        add_service_error(self, error)


class ClientForm(VersionedFormMixin, forms.ModelForm):
    agent = forms.ModelChoiceField(
        label=_("agent in China"),
        queryset=Client.objects.exclude(kind=ClientKind.OVERSEAS).order_by("code"),
        required=False,
    )
    account_manager = forms.ModelChoiceField(
        label=_("account manager"),
        queryset=staff_user_list(),
        required=False,
    )

    class Meta:
        model = Client
        fields = ["code", "name_zh", "name_en", "uscc", "country", "kind", "agent", "account_manager", "internal_notes"]
        widgets = {"internal_notes": forms.Textarea(attrs={"rows": 3})}


class ContactForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "phone", "role", "is_primary"]


class ModelNumbersField(forms.CharField):
    """Model numbers, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class DeviceForm(VersionedFormMixin, forms.ModelForm):
    model_numbers = ModelNumbersField(label=_("model numbers"), required=False, help_text=_("One per line."))

    class Meta:
        model = Device
        fields = [
            "name_zh",
            "name_en",
            "model_numbers",
            "kind",
            "sterile",
            "implantable",
            "has_software",
            "administers_medicinal_product",
            "intended_use",
        ]
        widgets = {"intended_use": forms.Textarea(attrs={"rows": 3})}


class ClassificationsForm(forms.Form):
    """The device's class and code in each market, side by side; an empty class removes that market's entry."""

    def __init__(self, *args, device: Device | None = None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if device is not None and device.pk:
            for classification in device.classifications.all():
                initial[f"{classification.market}_class"] = classification.device_class
                initial[f"{classification.market}_code"] = classification.code
        super().__init__(*args, initial=initial, **kwargs)
        for market in Market:
            choices = [("", "—"), *[(c, c) for c in CLASSES_BY_MARKET[market]]]
            self.fields[f"{market}_class"] = forms.ChoiceField(
                label=_("%(market)s class") % {"market": market.label}, choices=choices, required=False
            )
            self.fields[f"{market}_code"] = forms.CharField(
                label=_("%(market)s code") % {"market": market.label},
                max_length=DeviceClassification._meta.get_field("code").max_length,
                required=False,
            )

    def markets(self):
        """(market label, class field, code field) rows for the template."""
        return [(market.label, self[f"{market}_class"], self[f"{market}_code"]) for market in Market]

    def wanted(self) -> dict[str, dict | None]:
        """market → {"device_class", "code"}, or None where the class was cleared."""
        result = {}
        for market in Market:
            device_class = self.cleaned_data.get(f"{market}_class")
            code = self.cleaned_data.get(f"{market}_code", "")
            result[market.value] = {"device_class": device_class, "code": code} if device_class else None
        return result


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices)
    next = forms.CharField(required=False)


class DateInput(forms.DateInput):
    """An HTML date field. Its value is always ISO (``YYYY-MM-DD``) whatever the language: the browser's date field
    drops anything else (with Chinese selected Django would render ``2026/07/21``)."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


def _newest_pathways():
    from milestones.models import PathwayTemplate

    seen = set()
    for pathway in PathwayTemplate.objects.order_by("code", "-version"):
        if pathway.code not in seen:
            seen.add(pathway.code)
            yield pathway


def pathway_choices():
    return [(pathway.code, f"{pathway.code} · {pathway.name}") for pathway in _newest_pathways()]


def pathway_option_choices():
    """``CODE:option`` for every option a pathway offers (a PMA advisory panel, an Art. 54(2) exemption)."""
    from django.utils.translation import get_language

    chinese = (get_language() or "").startswith("zh")
    return [
        (f"{pathway.code}:{key}", f"{pathway.code} · {option.get('name_zh' if chinese else 'name_en', key)}")
        for pathway in _newest_pathways()
        for key, option in sorted(pathway.options.items())
    ]


class DevicesByClient(forms.SelectMultiple):
    """Device options that carry their client, so the page can offer only the chosen client's (static/js/forms.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-client"] = str(instance.client_id)
        return option


class ProjectFromPathwayForm(forms.ModelForm):
    """A new project planned from one or more regulatory pathways in one step."""

    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.order_by("code"))
    devices = forms.ModelMultipleChoiceField(
        label=_("Devices"),
        queryset=Device.objects.select_related("client").order_by("client__code", "name_en"),
        required=False,
        help_text=_("Devices of the project's client."),
        widget=DevicesByClient(attrs={"data-follows": "id_client"}),
    )
    project_manager = forms.ModelChoiceField(
        label=_("Project manager"),
        queryset=staff_user_list(),
        required=False,
    )
    pathways = forms.MultipleChoiceField(
        label=_("Regulatory pathways"),
        choices=pathway_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Milestones, dependencies and review clocks are planned from the start date."),
    )
    pathway_options = forms.MultipleChoiceField(
        label=_("Pathway options"),
        choices=pathway_option_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Taken into account only for the pathways ticked above."),
    )
    activate = forms.BooleanField(label=_("Activate the project now"), required=False, initial=True)

    class Meta:
        model = Project
        fields = [
            "client", "title", "service_type", "devices", "project_manager", "start_date", "target_date", "priority",
            "contract_number", "contract_value", "contract_currency", "client_summary", "description",
            "internal_notes",
        ]  # fmt: skip
        field_classes = {"start_date": BusinessDateFormField, "target_date": BusinessDateFormField}
        widgets = {
            "start_date": DateInput,
            "target_date": DateInput,
            "client_summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "internal_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].required = True
        self.fields["devices"].label_from_instance = lambda d: f"{d.client.code} · {d.name}"

    def clean(self):
        cleaned = super().clean()
        client, devices = cleaned.get("client"), cleaned.get("devices") or []
        if client and any(d.client_id != client.pk for d in devices):
            self.add_error("devices", _("A project's devices must belong to its client."))
        return cleaned

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}

    def options_of(self, code: str) -> list[str]:
        return [
            value.split(":", 1)[1] for value in self.cleaned_data["pathway_options"] if value.startswith(f"{code}:")
        ]


class RescheduleForm(VersionedFormMixin, forms.Form):
    due_date = BusinessDateFormField(label=_("New due date"), widget=DateInput)
    shift_successors = forms.BooleanField(
        label=_("Move its successors with it"), required=False, initial=True,
        help_text=_("Each successor keeps its duration and lag, counted in its own calendar."),
    )  # fmt: skip

    class Meta:
        fields = ["due_date", "shift_successors"]


class SampleRowForm(forms.ModelForm):
    # No initial value: an untouched extra row must stay "unchanged" so the formset skips it.
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)
    items = forms.TypedMultipleChoiceField(
        label=_("Used by"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every test that does not use up its samples."),
    )  # fmt: skip

    class Meta:
        model = Sample
        fields = ["identifier", "model", "serial", "quantity", "condition_on_receipt", "storage_location"]

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(item.pk, f"{item.service.code} · {item.service.name}") for item in items]


SampleRows = forms.formset_factory(SampleRowForm, extra=4, min_num=1, validate_min=True)


class IntakeForm(forms.Form):
    received_on = BusinessDateFormField(label=_("Received on"), widget=DateInput)
    retention_days = forms.IntegerField(
        label=_("Keep the samples for (days)"), min_value=0, max_value=3650, required=False,
        help_text=_("Empty: the longest retention of the ordered tests."),
    )  # fmt: skip


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    client_visible = forms.BooleanField(label=_("Visible to the client"), required=False)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    files = MultipleFileField(label=_("Files"), required=False)


class CommentEditForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}))
    client_visible = forms.BooleanField(label=_("Visible to the client"), required=False)


class ActionForm(forms.Form):
    """What an action button posts beside its version: where to, on which day, why."""

    to = forms.CharField(max_length=30, required=False)
    on = BusinessDateFormField(required=False, widget=DateInput)
    reason = forms.CharField(max_length=2000, required=False)
    reference_number = forms.CharField(max_length=100, required=False)


class ProjectEditForm(VersionedFormMixin, forms.ModelForm):
    """The project's own fields (its client never changes; its plan moves through the milestones)."""

    project_manager = forms.ModelChoiceField(label=_("Project manager"), queryset=staff_user_list(), required=False)

    class Meta:
        model = Project
        fields = ["title", "client_summary", "internal_notes", "project_manager", "priority", "start_date",
                  "target_date", "contract_value", "contract_currency"]  # fmt: skip
        widgets = {"start_date": DateInput, "target_date": DateInput,
                   "client_summary": forms.Textarea(attrs={"rows": 3}),
                   "internal_notes": forms.Textarea(attrs={"rows": 3})}  # fmt: skip
        field_classes = {"start_date": BusinessDateFormField, "target_date": BusinessDateFormField}


class ProjectTestOrderForm(forms.Form):
    """A test order for one of the project's milestones, from the project page (the PM's side of the lab)."""

    services = forms.ModelMultipleChoiceField(label=_("Test services"), queryset=None,
                                              widget=forms.CheckboxSelectMultiple)  # fmt: skip
    milestone = forms.ModelChoiceField(label=_("Milestone it feeds"), queryset=None, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)
    internal_notes = forms.CharField(
        label=_("Internal notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    submit_now = forms.BooleanField(label=_("Submit it to the lab now"), required=False, initial=True)

    def __init__(self, *args, services=None, milestones=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services
        self.fields["milestone"].queryset = milestones
