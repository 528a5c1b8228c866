"""Reads of the directory. Every selector takes the fabrique and returns only its live rows."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Q, QuerySet

from fabrique.core.text import normalize, normalize_organization_name
from fabrique.territories.models import Commune

from .models import Interaction, Organization, Person

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique


def roles_contain(role: str, *, prefix: str = "") -> Q:
    """Rows whose `roles` JSON list holds `role` (JSON containment where the database has it)."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{prefix}roles__contains": [role]})
    return Q(**{f"{prefix}roles__icontains": f'"{role}"'})


def organization_search_q(query: str) -> Q | None:
    """Accent-insensitive search on the name, or the start of the SIREN, or the e-mail; None if empty."""
    query = (query or "").strip()
    if not query:
        return None
    terms = Q(pk__in=[])
    words = normalize_organization_name(query).split()
    if words:
        by_name = Q()
        for word in words:
            by_name &= Q(normalized_name__contains=word)
        terms |= by_name
    compact = query.replace(" ", "")
    if compact.isdigit() and len(compact) >= 3:
        terms |= Q(siren__startswith=compact)
    terms |= Q(email__icontains=query)
    return terms


def organization_list(
    *, fabrique: Fabrique, filters: Mapping[str, Any] | None = None
) -> QuerySet[Organization]:
    """Organisations of the fabrique, filtered by `OrganizationFilter` fields (q, kind, role, ...)."""
    from .filters import OrganizationFilter

    qs = (
        Organization.objects.filter(fabrique=fabrique)
        .select_related("commune", "commune__departement")
        .order_by("name", "pk")
    )
    # no count here: counting the people of every organisation before the page is cut read every
    # person of the fabrique (`with_people_counts` counts the page's rows only)
    filtered: QuerySet[Any] = OrganizationFilter(filters or {}, queryset=qs, fabrique=fabrique).qs
    return filtered


def with_people_counts(organizations: Iterable[Organization]) -> list[Organization]:
    """Set `people_count` (live contacts) on each of `organizations` (a page's rows): one grouped query,
    whatever the number of organisations of the fabrique."""
    rows = list(organizations)
    counts = dict(
        Person.objects.filter(organization_id__in=[o.pk for o in rows])
        .order_by()
        .values_list("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    for organization in rows:
        organization.people_count = counts.get(organization.pk, 0)  # type: ignore[attr-defined]
    return rows


def organization_probable_duplicates(
    *,
    fabrique: Fabrique,
    name: str,
    siren: str = "",
    commune: Commune | None = None,
    exclude_pk: int | None = None,
) -> QuerySet[Organization]:
    """Live organisations of the fabrique that are probably the same structure.

    Same SIREN; or the same normalised name ("Association La Ruche" = "la ruche") in the same
    commune, a missing commune on either side counting as the same (it cannot tell them apart).
    """
    conditions = Q(pk__in=[])
    if siren:
        conditions |= Q(siren=siren)
    normalized = normalize_organization_name(name)
    if normalized:
        same_place = (Q(commune=commune) | Q(commune__isnull=True)) if commune is not None else Q()
        conditions |= Q(normalized_name=normalized) & same_place
    qs = Organization.objects.filter(fabrique=fabrique).filter(conditions).select_related("commune")
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("name", "pk")


def organization_people(*, organization: Organization) -> QuerySet[Person]:
    return Person.objects.filter(fabrique_id=organization.fabrique_id, organization=organization)


def organization_choices(*, fabrique: Fabrique) -> QuerySet[Organization]:
    """For select fields: the fabrique's live organisations."""
    return Organization.objects.filter(fabrique=fabrique).only("pk", "name")


def person_search_q(query: str) -> Q | None:
    query = (query or "").strip()
    if not query:
        return None
    terms = Q(email__icontains=query)
    words = normalize(query).split()
    if words:
        by_name = Q()
        for word in words:
            by_name &= Q(search_name__contains=word)
        terms |= by_name
    return terms


def person_list(*, fabrique: Fabrique, filters: Mapping[str, Any] | None = None) -> QuerySet[Person]:
    from .filters import PersonFilter

    qs = Person.objects.filter(fabrique=fabrique).select_related("organization")
    filtered: QuerySet[Any] = PersonFilter(filters or {}, queryset=qs, fabrique=fabrique).qs
    return filtered


def person_probable_duplicates(
    *,
    fabrique: Fabrique,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    organization: Organization | None = None,
    exclude_pk: int | None = None,
) -> QuerySet[Person]:
    """Live people of the fabrique with the same e-mail, or the same name in the same organisation."""
    conditions = Q(pk__in=[])
    if email:
        conditions |= Q(email__iexact=email)
    name = normalize(f"{first_name} {last_name}")
    if name and organization is not None:
        conditions |= Q(search_name=name, organization=organization)
    qs = Person.objects.filter(fabrique=fabrique, anonymized_at__isnull=True).filter(conditions)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("organization").order_by("last_name", "first_name", "pk")


def people_retention_due(*, fabrique: Fabrique, until: datetime.date, limit: int = 20) -> QuerySet[Person]:
    """People whose retention date has passed or falls before `until` and who are not anonymised yet."""
    return Person.objects.filter(
        fabrique=fabrique, anonymized_at__isnull=True, retention_until__lte=until
    ).order_by("retention_until", "pk")[:limit]


def interaction_list(
    *, fabrique: Fabrique, organization: Organization | None = None, person: Person | None = None
) -> QuerySet[Interaction]:
    qs = Interaction.objects.filter(fabrique=fabrique).select_related("organization", "person", "author")
    if organization is not None:
        qs = qs.filter(organization=organization)
    if person is not None:
        qs = qs.filter(person=person)
    return qs
