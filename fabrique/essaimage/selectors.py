"""Reading the library: published sheets of every active fabrique, filtered; where a model is reproduced."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from fabrique.core.models import search_text_q

from .models import ModelSheet, Replication

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique


def library(
    *,
    q: str = "",
    theme: str = "",
    public: str = "",
    territory_kind: str = "",
    mine_of: Fabrique | None = None,
) -> QuerySet[ModelSheet]:
    """Published sheets of active fabriques (and, with `mine_of`, that fabrique's own sheets only,
    published or not), with their number of replications."""
    if mine_of is not None:
        sheets = ModelSheet.objects.filter(fabrique=mine_of)
    else:
        sheets = ModelSheet.objects.filter(is_published=True, fabrique__is_active=True)
    if theme:
        sheets = sheets.filter(theme=theme)
    if public:
        sheets = sheets.filter(public=public)
    if territory_kind:
        sheets = sheets.filter(territory_kind=territory_kind)
    terms = search_text_q(q)  # name, need answered, economic model: accents and case ignored
    if terms is not None:
        sheets = sheets.filter(terms)
    return (
        sheets.select_related("fabrique", "project__enterprise")
        .annotate(replication_count=Count("replications", filter=Q(replications__deleted_at__isnull=True)))
        .order_by("title", "pk")
    )


def visible_sheets(fabrique: Fabrique) -> QuerySet[ModelSheet]:
    """The sheets a member of `fabrique` may open: the library's, and its own unpublished ones."""
    return ModelSheet.objects.filter(Q(is_published=True, fabrique__is_active=True) | Q(fabrique=fabrique))


def replication_places(sheets: list[ModelSheet]) -> dict[int, list[str]]:
    """{sheet id: names of the fabriques that reproduced it} in one query."""
    places: dict[int, list[str]] = defaultdict(list)
    for sheet_id, name in (
        Replication.objects.filter(sheet__in=sheets)
        .order_by("sheet_id", "fabrique__name")
        .values_list("sheet_id", "fabrique__name")
        .distinct()
    ):
        places[sheet_id].append(name)
    return places
