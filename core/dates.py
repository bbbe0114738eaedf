"""The range of business dates the product accepts from a user: 2000-01-01 … 2100-12-31.

Every date that arrives from outside — a model field, an API action's ``on``, a form, a list filter — passes
``validate_business_date``; a date outside is a field error (HTTP 400), so calendar arithmetic never starts from a
date near the end of what Python can represent. Dates the product computes may run past 2100 (a long schedule
near the end of the range); ``core.calendars`` refuses the ones past year 9999 as ``DateOutOfRange``.
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIRST_BUSINESS_DATE = date(2000, 1, 1)
LAST_BUSINESS_DATE = date(2100, 12, 31)


def validate_business_date(value: date | None) -> None:
    if value is None:
        return
    if not FIRST_BUSINESS_DATE <= value <= LAST_BUSINESS_DATE:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": FIRST_BUSINESS_DATE.isoformat(), "last": LAST_BUSINESS_DATE.isoformat()},
        )


def check_happened(value: date | None, *, field: str = "on") -> None:
    """A recorded event — a submission, an acceptance, a letter, a decision, a receipt, a completion — has
    happened: it is dated today at the latest (the local date, ``core.clock``). Planned dates are free. A later
    date is a field error (HTTP 400) naming the date."""
    from .clock import today

    if value is not None and value > today():
        raise ValidationError({field: [_(
            "%(date)s is in the future: record what has happened, dated today (%(today)s) at the latest."
        ) % {"date": value.isoformat(), "today": today().isoformat()}]})  # fmt: skip


class BusinessDateFormField(forms.DateField):
    """A form field for a business date (web forms, FilterSets)."""

    default_validators = [validate_business_date]
