"""Filters of the project list (django-filter), scoped to one fabrique."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fabrique.core.models import search_text_q
from fabrique.territories.forms import as_commune_autocomplete
from fabrique.territories.models import Commune
from fabrique.workstreams.models import Workstream

from .models import Project, ProjectStage

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique

# a project handed over to a leader (a person or a structure), whatever happened next
LEADER_FOUND = Q(leader_person__isnull=False) | Q(leader_organization__isnull=False)


class ProjectFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(label=_("Rechercher"), method="filter_search")
    stage = django_filters.ChoiceFilter(
        label=_("Étape"), choices=ProjectStage.choices, empty_label=_("Toutes")
    )
    workstream = django_filters.ModelChoiceFilter(
        label=_("Chantier"), queryset=Workstream.objects.none(), empty_label=_("Tous")
    )
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"), queryset=Commune.objects.none(), empty_label=_("Toutes")
    )
    officer = django_filters.ModelChoiceFilter(
        label=_("Chargé·e de mission"), queryset=get_user_model().objects.none(), empty_label=_("Tous")
    )
    leader = django_filters.ChoiceFilter(
        label=_("Porteur"),
        choices=[("found", _("trouvé")), ("none", _("pas encore"))],
        empty_label=_("Tous"),
        method="filter_leader",
    )

    class Meta:
        model = Project
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
        mine = Project.objects.filter(fabrique=fabrique)
        self.filters["workstream"].queryset = Workstream.objects.filter(fabrique=fabrique)
        as_commune_autocomplete(self.filters["commune"])
        self.filters["officer"].queryset = get_user_model().objects.filter(
            pk__in=mine.filter(officer__isnull=False).values("officer")
        )

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        terms = search_text_q(value)  # reference or title, accents and case ignored
        return queryset if terms is None else queryset.filter(terms)

    def filter_leader(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        found = LEADER_FOUND
        if value == "found":
            return queryset.filter(found)
        if value == "none":
            return queryset.exclude(found)
        return queryset
