"""Forms of the portal: they validate and present; writes go through the same services as the API."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import UPLOAD_ACCEPT, MultipleFileField
from notifications.choices import EmailDelivery


class PortalCommentForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Files"))


class PortalUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}))


class AnswerForm(forms.Form):
    note = forms.CharField(label=_("Your answer"), max_length=10000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    files = MultipleFileField(label=_("Files"))


class PreferencesForm(forms.Form):
    email = forms.ChoiceField(label=_("E-mails"), choices=EmailDelivery.choices, widget=forms.RadioSelect)


def _client_events():
    from notifications.webhook_events import CLIENT_EVENT_FIELDS

    return [("*", _("Every event")), *((event, event) for event in CLIENT_EVENT_FIELDS)]


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.URLField(label=_("Address (URL)"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(label=_("Events"), choices=_client_events, widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
