"""Filters of the directory lists (django-filter), used by the selectors; the back-office renders their form.

Choices are scoped to the fabrique passed in: a user never sees another fabrique's workstreams or
organisations in a select, and a filter value from another fabrique matches nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import django_filters
from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fabrique.territories.forms import as_commune_autocomplete
from fabrique.territories.models import Commune, Departement

from .autocomplete import RecordChoiceField
from .models import EcosystemRole, Organization, OrganizationKind, Person, Purpose
from .selectors import organization_search_q, person_search_q, roles_contain

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique


def _workstreams(fabrique: Fabrique) -> QuerySet[Any]:
    return apps.get_model("workstreams", "Workstream").objects.filter(fabrique=fabrique)


class OrganizationFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(label=_("Rechercher"), method="filter_search")
    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=OrganizationKind.choices, empty_label=_("Tous")
    )
    role = django_filters.ChoiceFilter(
        label=_("Rôle"), choices=EcosystemRole.choices, method="filter_role", empty_label=_("Tous")
    )
    departement = django_filters.ModelChoiceFilter(
        label=_("Département"),
        field_name="commune__departement",
        queryset=Departement.objects.none(),
        empty_label=_("Tous"),
    )
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"), queryset=Commune.objects.none(), empty_label=_("Toutes")
    )
    workstream = django_filters.ModelChoiceFilter(
        label=_("Chantier"),
        field_name="workstreams",
        queryset=Organization.objects.none(),
        empty_label=_("Tous"),
    )

    class Meta:
        model = Organization
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
        communes = Organization.objects.filter(fabrique=fabrique, commune__isnull=False).values("commune")
        as_commune_autocomplete(self.filters["commune"])
        self.filters["departement"].queryset = Departement.objects.filter(
            communes__pk__in=communes
        ).distinct()
        self.filters["workstream"].queryset = _workstreams(fabrique)

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        terms = organization_search_q(value)
        return queryset if terms is None else queryset.filter(terms)

    def filter_role(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(roles_contain(value)) if value else queryset


class PersonFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(label=_("Rechercher"), method="filter_search")
    organization = django_filters.ModelChoiceFilter(
        label=_("Structure"), queryset=Organization.objects.none(), empty_label=_("Toutes")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type de structure"),
        field_name="organization__kind",
        choices=OrganizationKind.choices,
        empty_label=_("Tous"),
    )
    role = django_filters.ChoiceFilter(
        label=_("Rôle de la structure"),
        choices=EcosystemRole.choices,
        method="filter_role",
        empty_label=_("Tous"),
    )
    workstream = django_filters.ModelChoiceFilter(
        label=_("Chantier"),
        field_name="organization__workstreams",
        queryset=Organization.objects.none(),
        empty_label=_("Tous"),
    )
    purpose = django_filters.ChoiceFilter(
        label=_("Finalité"), choices=Purpose.choices, empty_label=_("Toutes")
    )

    class Meta:
        model = Person
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
        self.filters["organization"].queryset = Organization.objects.filter(fabrique=fabrique)
        # tens of thousands of organisations: an autocomplete, never a <select> of them all
        organization = self.filters["organization"]
        organization.field_class = RecordChoiceField
        for key in ("empty_label", "null_label"):
            organization.extra.pop(key, None)
        organization.extra.update(kind="organization", fabrique=fabrique)
        self.filters["workstream"].queryset = _workstreams(fabrique)

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        terms = person_search_q(value)
        return queryset if terms is None else queryset.filter(terms)

    def filter_role(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(roles_contain(value, prefix="organization__")) if value else queryset
