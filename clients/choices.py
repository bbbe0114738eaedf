from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class ClientKind(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic manufacturer")
    IMPORTER = "importer", _("Importer")
    OVERSEAS = "overseas", _("Overseas manufacturer")


class ContactRole(models.TextChoices):
    RA = "ra", _("Regulatory affairs")
    QA = "qa", _("Quality assurance")
    RD = "rd", _("R&D")
    FINANCE = "finance", _("Finance")
    OTHER = "other", _("Other")


class DeviceKind(models.TextChoices):
    ACTIVE = "active", _("Active device")
    NON_ACTIVE = "non_active", _("Non-active device")
    IVD = "ivd", _("In-vitro diagnostic")
    SAMD = "samd", _("Software as a medical device")


class Market(models.TextChoices):
    CN = "CN", _("China (NMPA)")
    US = "US", _("United States (FDA)")
    EU = "EU", _("European Union (MDR)")


class DeviceClass(models.TextChoices):
    """Every class any market knows; ``CLASSES_BY_MARKET`` says which ones each market allows."""

    I = "I", _("Class I")  # noqa: E741 - the regulatory name
    IS = "Is", _("Class Is (sterile)")
    IM = "Im", _("Class Im (measuring)")
    IR = "Ir", _("Class Ir (reusable surgical)")
    II = "II", _("Class II")
    IIA = "IIa", _("Class IIa")
    IIB = "IIb", _("Class IIb")
    III = "III", _("Class III")


CLASSES_BY_MARKET: dict[str, tuple[str, ...]] = {
    Market.CN: ("I", "II", "III"),
    Market.US: ("I", "II", "III"),
    Market.EU: ("I", "Is", "Im", "Ir", "IIa", "IIb", "III"),
}
