"""Cell values of the teams' spreadsheets, read the French way. Each parser returns the value or
raises `CellError` with a French message (shown on the row's line in the preview)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.text import fold


class CellError(ValueError):
    """A cell that cannot be read; the message is French and says what is expected."""


# A cell a spreadsheet would compute (CSV exports keep the formula's text when "show formulas" is on;
# a formula in an imported name would be run by the next spreadsheet that opens an export).
FORMULA_PREFIX = "="

_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "mar": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_WORD_DATE = re.compile(r"^(?:[a-z]+ )?(\d{1,2})(?: ?er)? ([a-z]+) (\d{2}|\d{4})$")
# Excel's serial day numbers (1 = 1900-01-01, with its 1900 leap-year bug): a date cell exported as a number
_EXCEL_EPOCH = datetime.date(1899, 12, 30)

DATE_HELP = gettext_lazy("01/02/2024, 1/2/24, 01-02-24, 01.02.2024, 2024-02-01 ou « 1er février 2024 »")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _date(year: int, month: int, day: int, raw: str) -> datetime.date:
    try:
        value = datetime.date(year, month, day)
    except ValueError as exc:
        raise CellError(_("« %(value)s » n'est pas une date qui existe.") % {"value": raw}) from exc
    if not 1900 <= value.year <= 2100:
        raise CellError(
            _("« %(value)s » : l'année de la date doit être entre 1900 et 2100.") % {"value": raw}
        )
    return value


def parse_date(raw: object) -> datetime.date | None:
    """A date as French people write it: day first. Empty cell: None."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.datetime):
        return _date(raw.year, raw.month, raw.day, str(raw))
    if isinstance(raw, datetime.date):
        return _date(raw.year, raw.month, raw.day, str(raw))
    text = str(raw).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.0)?", text):  # an Excel serial number (XLSX cell without date format)
        return _EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
    match = _ISO_DATE.match(text)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3]), text)
    match = _NUMERIC_DATE.match(text)
    if match:
        return _date(_year(match[3]), int(match[2]), int(match[1]), text)
    words = re.sub(r"\b(\d{1,2}) ?er\b", r"\1", fold(text))
    match = _WORD_DATE.match(words)
    if match and match[2] in _MONTHS:
        return _date(_year(match[3]), _MONTHS[match[2]], int(match[1]), text)
    raise CellError(
        _("« %(value)s » n'est pas une date lisible (par exemple %(help)s).")
        % {"value": text, "help": DATE_HELP}
    )


_TRUE = {"oui", "o", "x", "vrai", "1", "yes", "y", "true", "ok"}
_FALSE = {"non", "n", "faux", "0", "no", "false", ""}


def parse_bool(raw: object) -> bool:
    text = fold(str(raw)) if raw is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("« %(value)s » : écrivez « oui » ou « non ».") % {"value": raw})


def parse_choice(raw: object, choices: Iterable[tuple[str, str]]) -> str:
    """A choice given by its French label ("Association", "association") or its code; "" when empty."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return ""
    pairs = list(choices)
    wanted = fold(text)
    for code, label in pairs:
        if wanted == fold(code) or wanted == fold(str(label)):
            return code
    # a label's first words ("personnes âgées" for "personnes âgées et isolées")
    prefixed = [code for code, label in pairs if fold(str(label)).startswith(wanted) and len(wanted) >= 4]
    if len(prefixed) == 1:
        return prefixed[0]
    labels = ", ".join(f"« {label} »" for _code, label in pairs)
    raise CellError(
        _("« %(value)s » n'est pas une valeur possible ; valeurs acceptées : %(labels)s.")
        % {"value": text, "labels": labels}
    )


def parse_email(raw: object) -> str:
    text = str(raw).strip().lower() if raw is not None else ""
    if text.startswith("mailto:"):
        text = text[7:]
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError as exc:
        raise CellError(_("« %(value)s » n'est pas une adresse e-mail valide.") % {"value": text}) from exc
    return text


def parse_siren(raw: object) -> str:
    """A SIREN (9 digits) or a SIRET (14 digits, its first 9 are the SIREN); spaces allowed."""
    text = re.sub(r"[\s\u00a0\u202f.]", "", str(raw)) if raw is not None else ""
    if text.endswith(".0") and text[:-2].isdigit():  # a number cell of a spreadsheet
        text = text[:-2]
    if not text:
        return ""
    if text.isdigit() and len(text) == 14:
        text = text[:9]
    if text.isdigit() and len(text) < 9:  # the spreadsheet dropped leading zeros
        text = text.zfill(9)
    if not (text.isdigit() and len(text) == 9):
        raise CellError(
            _("« %(value)s » n'est pas un SIREN (9 chiffres) ni un SIRET (14 chiffres).") % {"value": raw}
        )
    return text


def text_cell(raw: object, *, max_length: int | None = None) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime.datetime | datetime.date):
        raw = raw.isoformat()
    text = str(raw).strip()
    if text.startswith(FORMULA_PREFIX) and len(text) > 1:
        raise CellError(
            _(
                "« %(value)s » ressemble à une formule de tableur : elle n'est pas importée. Copiez la valeur calculée."
            )
            % {"value": text[:60]}
        )
    if max_length is not None and len(text) > max_length:
        raise CellError(
            _("Le texte dépasse %(max)s caractères (%(n)s).") % {"max": max_length, "n": len(text)}
        )
    return text
