"""Query helpers for lists that stay fast when the tables grow.

`subquery_count(qs)` counts related rows for each row of a list as a correlated subquery: on a paginated
list, PostgreSQL evaluates it for the page's rows only (the page is chosen first through the sort's
index), where `annotate(Count(...))` joins and groups every row of the fabrique before the page is cut —
and makes the paginator's `count()` group them all again.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce


def subquery_count(qs: QuerySet[Any], *, group_by: str) -> Coalesce:
    """`Count` of `qs` (already filtered on `OuterRef(...)`) per outer row, 0 when there is none.
    `group_by` is the field of `qs` that points at the outer row."""
    counted = qs.order_by().values(group_by).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
