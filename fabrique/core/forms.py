"""Form helpers shared by every interface."""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CHECKLIST_HELP = _("Cochez une ou plusieurs cases ; le champ « Filtrer » réduit la liste.")


class ChecklistSelectMultiple(forms.CheckboxSelectMultiple):
    """A multiple choice as a list of checkboxes (no "Ctrl or Cmd + click", usable on a phone).
    `includes/form.html` marks it `data-checklist`; static/fabrique/js/checklist.js adds a search box
    that filters a long list (the page works without it)."""

    checklist = True


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: to its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# Spaces people and spreadsheets put between thousands: space, no-break space, narrow no-break
# space (what French formatting and Django's "fr" locale print), thin space, and the apostrophe.
_GROUP_SEPARATORS = (" ", "\u00a0", "\u202f", "\u2009", "'", "’")


def parse_french_number(value: str) -> str:
    """Normalise a number typed the French way to the "1234.5" form Decimal and float read.

    "15 000,50", "15 000,50 €", "2,5", "−3,2", "1.234,5" and plain "1234.5" are accepted. A text with
    several commas, or a dot after a comma, is left unchanged (the field then says it is not a number).
    """
    text = value.strip().removesuffix("€").strip().replace("\u2212", "-")
    for sep in _GROUP_SEPARATORS:
        text = text.replace(sep, "")
    if "," in text:
        if text.count(",") > 1 or "." in text.split(",", 1)[1]:
            return value
        integer, decimals = text.split(",")
        # "1.234,5": dots before the decimal comma group the thousands
        if "." in integer:
            groups = integer.lstrip("+-").split(".")
            if not all(len(g) == 3 for g in groups[1:]) or not groups[0]:
                return value
            integer = integer.replace(".", "")
        text = f"{integer}.{decimals}"
    return text


class FrenchNumberInput(forms.TextInput):
    """A text input (not type=number: browsers refuse "15 000,50" there) with the decimal keypad on
    phones; the value it shows is formatted the French way ("15 000,5")."""

    input_type = "text"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: object) -> str | None:
        from decimal import Decimal

        from fabrique.core.text import format_number

        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            return format_number(value)
        return cast("str | None", super().format_value(value))


class FrenchDecimalField(forms.DecimalField):
    """THE decimal form field of the project: accepts "15 000,50", "2,5", with a space, a no-break
    space or a narrow no-break space between thousands, an optional "€"; French error messages."""

    widget = FrenchNumberInput

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("localize", False)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = parse_french_number(value)
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        attrs = super().widget_attrs(widget)
        # type=number attributes (step, min, max) mean nothing on a text input
        if isinstance(widget, FrenchNumberInput):
            for key in ("step", "min", "max"):
                attrs.pop(key, None)
        return attrs


class FrenchFloatField(forms.FloatField):
    """The float counterpart of FrenchDecimalField."""

    widget = FrenchNumberInput

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = parse_french_number(value)
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, FrenchNumberInput):
            for key in ("step", "min", "max"):
                attrs.pop(key, None)
        return attrs


def french_number_formfield(db_field: Any, **kwargs: Any) -> forms.Field | None:
    """`formfield_callback` for model forms: decimal and float model fields get the French fields."""
    from django.db import models

    if isinstance(db_field, models.DecimalField):
        return db_field.formfield(form_class=FrenchDecimalField, **kwargs)
    if isinstance(db_field, models.FloatField):
        return db_field.formfield(form_class=FrenchFloatField, **kwargs)
    return cast("forms.Field | None", db_field.formfield(**kwargs))
