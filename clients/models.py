"""Clients (the device manufacturers the CRO serves), their contacts, portal memberships and devices.

Every client-owned model names the path to its client in ``client_scope_field``; the one scoping rule
(``clients.access.scope_for_user``) reads it, so a new resource plugs into client isolation by declaring it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BilingualNameMixin, TimeStampedModel, VersionedModel

from .choices import CLASSES_BY_MARKET, ClientKind, ClientStatus, ContactRole, DeviceClass, DeviceKind, Market
from .validators import validate_code, validate_country, validate_model_numbers, validate_uscc


class Client(BilingualNameMixin, VersionedModel):
    client_scope_field = "id"

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[validate_code])
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("统一社会信用代码; required for Chinese companies, blank for foreign ones."),
    )
    country = models.CharField(_("country"), max_length=2, default="CN", validators=[validate_country], db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ClientKind.choices, db_index=True)
    agent = models.ForeignKey(
        "self",
        verbose_name=_("agent in China"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="principals",
        help_text=_("The Chinese legal agent (代理人) of an overseas manufacturer."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ClientStatus.choices, default=ClientStatus.PROSPECT, db_index=True
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_clients",
    )
    internal_notes = models.TextField(_("internal notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="client_uscc_unique"),
            models.CheckConstraint(condition=~Q(name_zh="", name_en=""), name="client_has_a_name"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    # ``str(client)`` from columns, for option lists read as values (``web.templatetags.web.filter_select``)
    choice_label_fields = ("code", "name_zh", "name_en")

    @classmethod
    def choice_label(cls, row: dict) -> str:
        return f"{row['code']} {cls.name_in_language(row['name_zh'], row['name_en'])}"

    def clean(self):
        errors: dict[str, list] = {}
        if not self.name_zh and not self.name_en:
            errors["name_en"] = [_("Give the name in Chinese, in English, or both.")]
        if self.kind in (ClientKind.DOMESTIC, ClientKind.IMPORTER) and not self.uscc:
            errors["uscc"] = [_("A Chinese company needs its unified social credit code.")]
        if self.agent_id is not None:
            if self.kind != ClientKind.OVERSEAS:
                errors["agent"] = [_("Only an overseas manufacturer has an agent in China.")]
            elif self.pk is not None and self.agent_id == self.pk:
                errors["agent"] = [_("A client cannot be its own agent.")]
            elif self.agent.kind == ClientKind.OVERSEAS:
                errors["agent"] = [_("The agent must be a Chinese company (domestic or importer).")]
        if errors:
            raise ValidationError(errors)


class ClientMembership(TimeStampedModel):
    """A portal user's company. One per user: a client user belongs to exactly one client."""

    client_scope_field = "client_id"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="client_membership"
    )
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("client membership")
        verbose_name_plural = _("client memberships")

    def __str__(self) -> str:
        return f"{self.user} → {self.client.code}"


class Contact(VersionedModel):
    client_scope_field = "client_id"

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=ContactRole.choices, default=ContactRole.OTHER)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal log-in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["client_id", "-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(is_primary=True), name="contact_one_primary_per_client"
            ),
        ]
        indexes = [models.Index(fields=["role"], name="contact_role_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.user_id is not None:
            membership = ClientMembership.objects.filter(user_id=self.user_id).first()
            if membership is None or membership.client_id != self.client_id:
                raise ValidationError({"user": [_("The portal log-in must belong to a user of this client.")]})


class Device(BilingualNameMixin, VersionedModel):
    client_scope_field = "client_id"

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="devices")
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    model_numbers = models.JSONField(_("model numbers"), default=list, blank=True, validators=[validate_model_numbers])
    kind = models.CharField(_("kind"), max_length=20, choices=DeviceKind.choices, db_index=True)
    sterile = models.BooleanField(_("sterile"), default=False)
    implantable = models.BooleanField(_("implantable"), default=False)
    has_software = models.BooleanField(_("contains software"), default=False)
    administers_medicinal_product = models.BooleanField(
        _("administers or removes a medicinal product"),
        default=False,
        help_text=_("An active device intended to administer or remove a medicinal product (EU MDR Art. 54, rule 12)."),
    )
    intended_use = models.TextField(_("intended use"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["client_id", "name_en", "id"]
        constraints = [models.CheckConstraint(condition=~Q(name_zh="", name_en=""), name="device_has_a_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if not self.name_zh and not self.name_en:
            raise ValidationError({"name_en": [_("Give the name in Chinese, in English, or both.")]})


class DeviceClassification(VersionedModel):
    """A device's risk class in one market (one row per device and market)."""

    client_scope_field = "device__client_id"

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="classifications"
    )
    market = models.CharField(_("market"), max_length=2, choices=Market.choices)
    device_class = models.CharField(_("class"), max_length=4, choices=DeviceClass.choices)
    code = models.CharField(
        _("classification code"),
        max_length=60,
        blank=True,
        help_text=_("CN catalogue code, FDA product code / 21 CFR section, or MDR rule."),
    )
    rationale = models.TextField(_("rationale"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("device classification")
        verbose_name_plural = _("device classifications")
        ordering = ["device_id", "market"]
        constraints = [
            models.UniqueConstraint(fields=["device", "market"], name="classification_one_per_device_and_market")
        ]
        indexes = [models.Index(fields=["market", "device_class"], name="classif_market_class_idx")]

    def __str__(self) -> str:
        return f"{self.market} {self.device_class}"

    def clean(self):
        allowed = CLASSES_BY_MARKET.get(self.market, ())
        if self.market and self.device_class and self.device_class not in allowed:
            raise ValidationError(
                {
                    "device_class": [
                        _("Class %(cls)s does not exist in market %(market)s. Allowed: %(allowed)s.")
                        % {"cls": self.device_class, "market": self.market, "allowed": ", ".join(allowed)}
                    ]
                }
            )
