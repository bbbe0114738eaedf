"""Validators for client and device data."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the unified social credit code (统一社会信用代码) is 18 characters from this 31-character set
# (no I, O, S, V, Z); the 18th is a check character over the first 17 with these weights.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * weight for ch, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    if not _USCC_SHAPE.match(value or ""):
        raise ValidationError(
            _("A unified social credit code has 18 characters: digits and capital letters except I, O, S, V, Z."),
            code="uscc_format",
        )
    if uscc_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("This unified social credit code is not valid: its check character (the 18th) does not match."),
            code="uscc_check",
        )


validate_client_code = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


def validate_code(value: str) -> None:
    if not validate_client_code.match(value or ""):
        raise ValidationError(
            _("Use 2–20 capital letters, digits or hyphens, starting with a letter or digit (e.g. KANGNUO)."),
            code="code_format",
        )


def validate_country(value: str) -> None:
    if not re.match(r"^[A-Z]{2}$", value or ""):
        raise ValidationError(_("Use the two-letter ISO 3166 country code, e.g. CN or DE."), code="country_format")


def validate_model_numbers(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(_("Give the model numbers as a list of non-empty texts."), code="model_numbers")
    if len(value) > 200:
        raise ValidationError(_("At most 200 model numbers per device."), code="model_numbers")
