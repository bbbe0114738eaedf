"""Serializer fields shared by every app's API."""

from django.core.validators import EmailValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.dates import validate_business_date


class BusinessDateField(serializers.DateField):
    """A date sent by a user: 2000-01-01 … 2100-12-31 (``core.dates``), else a 400 naming the range."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), validate_business_date]
        super().__init__(**kwargs)


@extend_schema_field(
    {"type": "string", "anyOf": [{"format": "email"}, {"maxLength": 0}], "description": "An e-mail address, or empty."}
)
class OptionalEmailField(serializers.CharField):
    """An e-mail address that may be left empty, documented as such: ``format: email`` alone refuses "", so the
    field is a string that is either an e-mail address or empty (an ``EmailField`` would add the format back)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)
        self.validators.append(EmailValidator(message=serializers.EmailField.default_error_messages["invalid"]))
