"""Filters of the workstream list (django-filter), scoped to one fabrique."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fabrique.core.text import normalize
from fabrique.directory.autocomplete import RecordChoiceField
from fabrique.directory.models import Organization

from .models import Workstream, WorkstreamStatus

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique


class WorkstreamFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(label=_("Rechercher"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=WorkstreamStatus.choices, empty_label=_("Tous")
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Structure membre"),
        field_name="members",
        queryset=Organization.objects.none(),
        empty_label=_("Toutes"),
    )

    class Meta:
        model = Workstream
        fields: list[str] = []

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        queryset: QuerySet[Workstream] | None = None,
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

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        words = normalize(value).split()
        if not words:
            return queryset
        by_name = Q()
        for word in words:
            by_name &= Q(search_name__contains=word)
        return queryset.filter(by_name | Q(code__icontains=value.strip()))
