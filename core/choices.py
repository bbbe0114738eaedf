from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarKind(models.TextChoices):
    """How durations are counted: Chinese working days (with 调休 make-up days), US federal working
    days, or plain calendar days (FDA days are calendar days)."""

    CN_WORKDAYS = "cn_workdays", _("China working days")
    US_FEDERAL_WORKDAYS = "us_federal_workdays", _("US federal working days")
    CALENDAR_DAYS = "calendar_days", _("Calendar days")


class PeriodUnit(models.TextChoices):
    """What a statutory period is counted in: units of its calendar (working days, or calendar days), or months
    and years, which end on the corresponding day (``core.calendars.period_end``)."""

    DAYS = "days", _("Days of the calendar")
    MONTHS = "months", _("Months")
    YEARS = "years", _("Years")
