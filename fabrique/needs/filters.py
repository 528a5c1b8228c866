"""Filters of the report and need lists (django-filter). Choices are scoped to the fabrique."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fabrique.core.choices import Theme
from fabrique.territories.forms import as_commune_autocomplete
from fabrique.territories.models import Commune

from .models import Need, NeedReport, NeedStage, ReportSource, ReportStage

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique


class NeedReportFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(label=_("Rechercher"), method="filter_search")
    stage = django_filters.ChoiceFilter(
        label=_("Étape"), choices=ReportStage.choices, empty_label=_("Toutes")
    )
    theme = django_filters.ChoiceFilter(label=_("Thème"), choices=Theme.choices, empty_label=_("Tous"))
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=ReportSource.choices, empty_label=_("Toutes")
    )
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"), queryset=Commune.objects.none(), empty_label=_("Toutes")
    )
    received_since = django_filters.DateFilter(
        label=_("Reçus depuis le"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = NeedReport
        fields: list[str] = []

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        queryset: QuerySet[Any] | None = None,
        *,
        fabrique: Fabrique,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        as_commune_autocomplete(self.filters["commune"])

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        from .selectors import report_search_q

        terms = report_search_q(value)
        return queryset if terms is None else queryset.filter(terms)


class NeedFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(label=_("Rechercher"), method="filter_search")
    stage = django_filters.ChoiceFilter(label=_("Étape"), choices=NeedStage.choices, empty_label=_("Toutes"))
    theme = django_filters.ChoiceFilter(label=_("Thème"), choices=Theme.choices, empty_label=_("Tous"))
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"), queryset=Commune.objects.none(), empty_label=_("Toutes")
    )
    workstream = django_filters.ModelChoiceFilter(
        label=_("Chantier"), queryset=Need.objects.none(), empty_label=_("Tous")
    )
    officer = django_filters.ModelChoiceFilter(
        label=_("Chargé·e de mission"), queryset=Need.objects.none(), empty_label=_("Tous")
    )

    class Meta:
        model = Need
        fields: list[str] = []

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        queryset: QuerySet[Any] | None = None,
        *,
        fabrique: Fabrique,
        **kwargs: Any,
    ) -> None:
        from fabrique.workstreams.models import Workstream

        from .services import officer_candidates

        super().__init__(data, queryset, **kwargs)
        as_commune_autocomplete(self.filters["commune"])
        self.filters["workstream"].queryset = Workstream.objects.filter(fabrique=fabrique)
        self.filters["officer"].queryset = officer_candidates(fabrique=fabrique).order_by("last_name")

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        from .selectors import need_search_q

        terms = need_search_q(value)
        return queryset if terms is None else queryset.filter(terms)
