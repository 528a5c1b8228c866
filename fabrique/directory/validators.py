"""Validators and normalisers of the identifiers a directory entry carries (SIREN, phone, postal code).

Validators accept what people type ("552 100 554", "02 40 12 34 56"); the services store the
normalised form (`siren_compact`, `phone_normalize`), so forms, the API and imports agree.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fabrique.territories.models import Commune

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siren as stdnum_siren

_POSTAL_CODE = re.compile(r"^\d{5}$")
_DIGITS5 = re.compile(r"\d{5}")


def siren_compact(value: str | None) -> str:
    """ "552 100 554" -> "552100554" (spaces, dots and dashes removed)."""
    return stdnum_siren.compact(value or "")


def validate_siren(value: str) -> None:
    number = siren_compact(value)
    if not number.isdigit() or len(number) != 9:
        raise ValidationError(
            _("Le numéro SIREN doit comporter 9 chiffres (ici « %(value)s »)."),
            code="siren_format",
            params={"value": value},
        )
    if not stdnum_siren.is_valid(number):
        raise ValidationError(
            _("Le numéro SIREN %(value)s n'est pas valide (clé de contrôle incorrecte)."),
            code="siren_checksum",
            params={"value": number},
        )


def validate_postal_code(value: str) -> None:
    if not _POSTAL_CODE.match(value or ""):
        raise ValidationError(
            _("Le code postal doit comporter 5 chiffres (ici « %(value)s »)."),
            code="postal_code_format",
            params={"value": value},
        )


def commune_postal_codes(commune: "Commune") -> set[str]:
    """Postal codes of a territories.Commune (from its `postal_codes` text, else its PostalCode rows)."""
    codes = set(_DIGITS5.findall(commune.postal_codes or ""))
    if not codes and commune.pk:
        codes = set(commune.postal_code_rows.values_list("code", flat=True))
    return codes


def _parse_phone(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def validate_phone(value: str) -> None:
    """A French number ("02 40 12 34 56", "+33 6 ...") or a foreign one written with its "+" prefix."""
    if _parse_phone(value) is None:
        raise ValidationError(
            _("Le numéro de téléphone « %(value)s » n'est pas valide (exemple : 02 40 12 34 56)."),
            code="phone_invalid",
            params={"value": value},
        )


def phone_normalize(value: str | None) -> str:
    """Valid numbers in E.164 ("+33240123456"); anything else is returned stripped, for the validator."""
    value = (value or "").strip()
    number = _parse_phone(value) if value else None
    if number is None:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value: str | None) -> str:
    """E.164 stored value as people read it: "02 40 12 34 56" in France, "+44 20 ..." abroad."""
    number = _parse_phone(value) if value else None
    if number is None:
        return value or ""
    if phonenumbers.region_code_for_number(number) == "FR":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
