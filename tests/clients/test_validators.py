import pytest
from django.core.exceptions import ValidationError

from clients.validators import uscc_check_character, validate_code, validate_uscc


@pytest.mark.parametrize("uscc", ["91330106MA2H7K3N8B", "91320594MA1WQ2RL5T", "91110108MA01X8Y6Q2"])
def test_valid_uscc_passes(uscc):
    validate_uscc(uscc)


def test_check_character_wraps_31_to_0():
    # A sum divisible by 31 gives check value 31 - 0 = 31, which GB 32100 maps to "0".
    assert uscc_check_character("00000000000000000") == "0"


@pytest.mark.parametrize(
    ("uscc", "code"),
    [
        ("91330106MA2H7K3N8A", "uscc_check"),  # wrong check character
        ("91330106MA2H7K3N8", "uscc_format"),  # 17 characters
        ("91330106MA2H7K3NIB", "uscc_format"),  # I is not in the alphabet
        ("91330106ma2h7k3n8b", "uscc_format"),  # lower case
    ],
)
def test_invalid_uscc_is_refused_with_a_reason(uscc, code):
    with pytest.raises(ValidationError) as caught:
        validate_uscc(uscc)
    assert caught.value.code == code


@pytest.mark.parametrize("code", ["KANGNUO", "AB", "NORD-2"])
def test_client_code_shape_ok(code):
    validate_code(code)


@pytest.mark.parametrize("code", ["k", "kangnuo", "-AB", "A B", "X" * 21])
def test_client_code_shape_refused(code):
    with pytest.raises(ValidationError):
        validate_code(code)
