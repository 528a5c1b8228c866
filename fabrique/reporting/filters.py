"""The reporting filters form (period, chantier, territory, funder), shared by the reporting page, the
drill-down and the funder reports. Every choice list is bounded and scoped to the fabrique."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.core.indicators import Filters, Period, Territory
from fabrique.core.limits import validate_sane_date
from fabrique.directory.autocomplete import as_autocomplete
from fabrique.directory.models import Organization
from fabrique.fabriques.models import Fabrique
from fabrique.funding.models import FundingAgreement
from fabrique.territories.forms import TerritoryAutocompleteWidget, territory_label
from fabrique.workstreams.models import Workstream

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TERRITORY_KEY = re.compile(r"^(commune|epci|qpv):[0-9A-Za-z]{1,12}$")


TERRITORY_FILTER_KINDS = ("commune", "epci", "qpv")


def _territory_object(key: str) -> Any:
    """The commune (actuelle), EPCI or QPV a filter value ("commune:44109") names, or None."""
    from fabrique.territories.models import EPCI, QPV, Commune

    kind, _sep, code = key.partition(":")
    if kind == "commune":
        return Commune.objects.filter(code=code, kind=Commune.Kind.CURRENT).first()
    if kind == "epci":
        return EPCI.objects.filter(pk=code).first()
    if kind == "qpv":
        return QPV.objects.filter(pk=code).defer("geometry").first()
    return None


def funders_of(fabrique: Fabrique) -> Any:
    """The organisations of the directory that fund the fabrique (an agreement) or are marked funders."""
    return (
        Organization.objects.filter(fabrique=fabrique)
        .filter(Q(funding_agreements__isnull=False) | Q(kind="funder"))
        .distinct()
        .order_by("name")
    )


def funders_with_agreements(fabrique: Fabrique) -> Any:
    """The organisations that have a funding agreement with the fabrique: the only funders the
    funder filter can count anything for (it reads their agreements), and a list bounded by the
    agreements, not by the directory (a national-scale directory marks hundreds as funders)."""
    return (
        Organization.objects.filter(fabrique=fabrique)
        .filter(pk__in=FundingAgreement.objects.filter(fabrique=fabrique).values("funder"))
        .order_by("name")
    )


class ReportingFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Année"), coerce=int, required=False, empty_value=None)
    quarter = forms.TypedChoiceField(
        label=_("Trimestre"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("Toute l'année")), (1, "T1"), (2, "T2"), (3, "T3"), (4, "T4")],
    )
    start = forms.DateField(label=_("Ou du"), required=False, widget=DATE, validators=[validate_sane_date])
    end = forms.DateField(label=_("au"), required=False, widget=DATE, validators=[validate_sane_date])
    workstream = forms.ModelChoiceField(
        label=_("Chantier"), queryset=Workstream.objects.none(), required=False, empty_label=_("Tous")
    )
    # communes, EPCIs and QPVs by the territory autocomplete (35,000 communes: never a <select>)
    territory = forms.CharField(
        label=_("Territoire"),
        required=False,
        max_length=100,
        widget=TerritoryAutocompleteWidget(types=TERRITORY_FILTER_KINDS),
        help_text=_("Commune, intercommunalité ou quartier prioritaire ; laissé vide : tout le territoire."),
    )
    funder = forms.ModelChoiceField(
        label=_("Financeur"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Laissé vide : tous les financeurs."),
    )
    # one agreement's rows (links from an agreement's page); not shown as a field
    agreement = forms.ModelChoiceField(
        queryset=FundingAgreement.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, fabrique: Fabrique, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", _("Toutes"))] + [  # type: ignore[attr-defined]
            (y, str(y)) for y in range(this_year, this_year - 10, -1)
        ]
        self.fields["workstream"].queryset = Workstream.objects.filter(fabrique=fabrique).order_by("name")  # type: ignore[attr-defined]
        shown = self.data.get("territory") if self.is_bound else None
        if shown and _TERRITORY_KEY.match(shown):  # the chosen territory, labelled for the widget
            obj = _territory_object(shown)
            if obj is not None:
                item = {"value": shown, "label": territory_label(obj)}
                self.fields["territory"].widget.attrs["data-initial"] = json.dumps([item], ensure_ascii=False)
        # the funders with an agreement, by autocomplete (a network's directory marks hundreds of funders)
        self.fields["funder"] = as_autocomplete(
            self.fields["funder"],
            kind="agreement_funder",
            fabrique=fabrique,
            queryset=funders_with_agreements(fabrique),
        )
        self.fields["agreement"].queryset = FundingAgreement.objects.filter(fabrique=fabrique)  # type: ignore[attr-defined]

    def clean_territory(self) -> str:
        """ "commune:44109" (what the autocomplete sends), a name or a code typed without JavaScript."""
        from fabrique.territories.selectors import territory_resolve

        text = (self.cleaned_data.get("territory") or "").strip()
        if not text:
            return ""
        refs = territory_resolve(text=text, kinds=TERRITORY_FILTER_KINDS)
        keys = list(dict.fromkeys(f"{r.kind}:{r.code}" for r in refs))
        if len(keys) == 1:
            return keys[0]
        if not keys:
            raise forms.ValidationError(
                _("Aucun territoire ne correspond à « %(value)s ». Indiquez un nom exact ou un code.")
                % {"value": text}
            )
        raise forms.ValidationError(
            _("« %(value)s » désigne plusieurs territoires. Précisez avec le code (INSEE, SIREN).")
            % {"value": text}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("La fin de la période doit suivre son début."))
        if data.get("quarter") and not data.get("year"):
            self.add_error("quarter", _("Choisissez l'année de ce trimestre."))
        return data

    def period(self) -> Period:
        """The chosen period: a range when given, else a quarter or a year; the current year by default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("start") or data.get("end"):
            return Period.between(data.get("start"), data.get("end"))
        if data.get("year"):
            if data.get("quarter"):
                return Period.quarter(data["year"], data["quarter"])
            return Period.year(data["year"])
        if self.is_bound and self.is_valid() and "year" in self.data:
            return Period()  # "Toutes" chosen explicitly
        return Period.year(timezone.localdate().year)

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        territory = None
        if data.get("territory"):
            kind, _sep, code = data["territory"].partition(":")
            territory = Territory(kind, code)
        return Filters(
            workstream_id=data["workstream"].pk if data.get("workstream") else None,
            territory=territory,
            funder_id=data["funder"].pk if data.get("funder") else None,
            agreement_id=data["agreement"].pk if data.get("agreement") else None,
        )

    def querystring(self) -> str:
        """The filters as a query string (for the drill-down links)."""
        if not (self.is_bound and self.is_valid()):
            return ""
        params = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            if isinstance(value, datetime.date):
                params[name] = value.isoformat()
            elif hasattr(value, "pk"):
                params[name] = str(value.pk)
            else:
                params[name] = str(value)
        return urlencode(params)
