"""The network head's choice of period: a civil year, a quarter or any range of days, parsed from the
query string (`?kind=year&year=2026`) into the core `Period` (`fabrique.core.indicators`), whose
`previous()` and `trend()` give the periods compared.

A figure "over a period" counts the rows whose date falls in the period (the indicator's `date`: a
report's reception, a study's conclusion, an enterprise's creation…). A figure without a date (an
active chantier, a member of the team) is a stock (`Indicator.is_stock`): it is shown as it stands
today, whatever the period, and marked so.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import Period
from fabrique.core.limits import validate_sane_date

MAX_RANGE_DAYS = 366 * 10


def current_year() -> Period:
    return Period.year(timezone.localdate().year)


class PeriodForm(forms.Form):
    KINDS = [
        ("year", gettext_lazy("une année")),
        ("quarter", gettext_lazy("un trimestre")),
        ("range", gettext_lazy("des dates au choix")),
    ]
    kind = forms.ChoiceField(label=gettext_lazy("Période"), choices=KINDS, required=False)
    year = forms.IntegerField(label=gettext_lazy("Année"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Trimestre"),
        choices=[("", "—")] + [(str(q), f"T{q}") for q in range(1, 5)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start = forms.DateField(
        label=gettext_lazy("Du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_sane_date],
    )
    end = forms.DateField(
        label=gettext_lazy("Au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_sane_date],
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        kind = data.get("kind") or "year"
        data["kind"] = kind
        if kind in ("year", "quarter") and not data.get("year"):
            data["year"] = timezone.localdate().year
        if kind == "quarter" and not data.get("quarter"):
            self.add_error("quarter", _("Choisissez le trimestre."))
        if kind == "range":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Indiquez la date de début et la date de fin."))
            if end < start:
                raise forms.ValidationError(_("La date de fin précède la date de début."))
            if (end - start).days > MAX_RANGE_DAYS:
                raise forms.ValidationError(_("Choisissez une période de dix ans au plus."))
        return data

    def period(self) -> Period:
        """The chosen period (the current year when the form is empty or invalid)."""
        if not self.is_valid():
            return current_year()
        data = self.cleaned_data
        if data["kind"] == "quarter":
            return Period.quarter(data["year"], data["quarter"])
        if data["kind"] == "range":
            return Period.between(data["start"], data["end"])
        return Period.year(data["year"])
