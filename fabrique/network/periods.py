"""Periods of the network head: a civil year, a quarter or any range of days, and the periods before it
(the trend). The choice is parsed by `PeriodForm` from the query string (`?kind=year&year=2026`).

A figure "over a period" counts the rows whose date falls in the period (the indicator's `date_field`:
a report's reception, a study's conclusion, an enterprise's creation…). A figure without a date (an
active chantier, a member of the team) is a stock: it is shown as it stands today, whatever the period,
and marked so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import Indicator
from fabrique.core.limits import validate_sane_date

# the date of each dated network figure (path from its rows); the others are stocks
DATE_FIELDS: dict[str, str] = {
    "needs.reports": "created_at",
    "needs.retained": "created_at",
    "studies.concluded": "stage_changed_at",
    "studies.creativity_sessions": "date",
    "recruitment.calls_published": "published_on",
    "support.enterprises": "created_on",
    "support.jobs_fte": "created_on",
}

MAX_RANGE_DAYS = 366 * 10
TREND_LENGTH = 5  # the period and the four before it


def date_field(indicator: Indicator) -> str:
    """The date that places a row of `indicator` in a period, or "" for a stock."""
    declared = getattr(indicator, "date_field", "")
    return str(declared or DATE_FIELDS.get(indicator.key, ""))


@dataclass(frozen=True)
class Period:
    kind: str  # "year", "quarter" or "range"
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "quarter":
            return _("T%(q)s %(year)s") % {"q": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return _("du %(start)s au %(end)s") % {
            "start": self.start.strftime("%d/%m/%Y"),
            "end": self.end.strftime("%d/%m/%Y"),
        }

    def previous(self) -> Period:
        if self.kind == "year":
            return year_period(self.start.year - 1)
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return quarter_period(self.start.year - (q == 1), 4 if q == 1 else q - 1)
        length = (self.end - self.start).days + 1
        end = self.start - datetime.timedelta(days=1)
        return Period("range", end - datetime.timedelta(days=length - 1), end)

    def trend(self, length: int = TREND_LENGTH) -> list[Period]:
        """This period and the `length - 1` before it, oldest first."""
        periods = [self]
        while len(periods) < length:
            periods.append(periods[-1].previous())
        return periods[::-1]

    def as_query(self) -> dict[str, str]:
        if self.kind == "year":
            return {"kind": "year", "year": str(self.start.year)}
        if self.kind == "quarter":
            return {
                "kind": "quarter",
                "year": str(self.start.year),
                "quarter": str((self.start.month - 1) // 3 + 1),
            }
        return {"kind": "range", "start": self.start.isoformat(), "end": self.end.isoformat()}


def year_period(year: int) -> Period:
    return Period("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def quarter_period(year: int, quarter: int) -> Period:
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end_month = start.month + 2
    next_month = datetime.date(year + (end_month == 12), 1 if end_month == 12 else end_month + 1, 1)
    return Period("quarter", start, next_month - datetime.timedelta(days=1))


def current_year() -> Period:
    return year_period(timezone.localdate().year)


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
            return quarter_period(data["year"], data["quarter"])
        if data["kind"] == "range":
            return Period("range", data["start"], data["end"])
        return year_period(data["year"])
