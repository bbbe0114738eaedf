"""Serializer fields shared by every app's API."""

from rest_framework import serializers

from core.dates import validate_business_date


class BusinessDateField(serializers.DateField):
    """A date sent by a user: 2000-01-01 … 2100-12-31 (``core.dates``), else a 400 naming the range."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), validate_business_date]
        super().__init__(**kwargs)
