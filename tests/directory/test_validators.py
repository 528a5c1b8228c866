import pytest
from django.core.exceptions import ValidationError
from stdnum.fr import siren

from fabrique.directory.validators import (
    phone_display,
    phone_normalize,
    siren_compact,
    validate_phone,
    validate_postal_code,
    validate_siren,
)


def test_the_reference_sirens_are_what_stdnum_says():
    assert siren.is_valid("552100554")
    assert not siren.is_valid("552100555")


@pytest.mark.parametrize("value", ["552100554", "552 100 554", "552.100.554"])
def test_valid_siren(value):
    validate_siren(value)
    assert siren_compact(value) == "552100554"


def test_siren_with_a_wrong_key_has_a_french_message():
    with pytest.raises(ValidationError) as exc:
        validate_siren("552100555")
    assert exc.value.messages == ["Le numéro SIREN 552100555 n'est pas valide (clé de contrôle incorrecte)."]


@pytest.mark.parametrize("value", ["55210055", "5521005540", "ABCDEFGHI"])
def test_siren_of_the_wrong_shape(value):
    with pytest.raises(ValidationError) as exc:
        validate_siren(value)
    assert "9 chiffres" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("02 40 12 34 56", "+33240123456"),
        ("0240123456", "+33240123456"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_validated_and_stored_in_e164(typed, stored):
    validate_phone(typed)
    assert phone_normalize(typed) == stored


@pytest.mark.parametrize("value", ["123", "01 23", "not a phone"])
def test_invalid_phone_has_a_french_message(value):
    with pytest.raises(ValidationError) as exc:
        validate_phone(value)
    assert "n'est pas valide" in exc.value.messages[0]
    assert phone_normalize(value) == value.strip()


def test_phone_display():
    assert phone_display("+33240123456") == "02 40 12 34 56"
    assert phone_display("+442079460958").startswith("+44 20")
    assert phone_display("") == ""


@pytest.mark.parametrize("value", ["4400", "440000", "44 00", "AB123"])
def test_postal_code_needs_five_digits(value):
    with pytest.raises(ValidationError) as exc:
        validate_postal_code(value)
    assert "5 chiffres" in exc.value.messages[0]


def test_postal_code_ok():
    validate_postal_code("44000")
