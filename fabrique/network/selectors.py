"""Aggregate figures per fabrique for the network head. Counts only: no names, no contacts."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from fabrique.fabriques.models import Fabrique

# Each source returns {column label: count} for one fabrique. Domain modules register theirs.
NETWORK_COLUMNS: list[tuple[StrOrPromise, Callable[[Fabrique], int]]] = []


def register_network_column(label: StrOrPromise, fn: Callable[[Fabrique], int]) -> None:
    NETWORK_COLUMNS.append((label, fn))


register_network_column(_("Membres de l'équipe"), lambda f: f.memberships.filter(is_active=True).count())


def network_figures() -> dict[str, Any]:
    fabriques = list(Fabrique.objects.filter(is_active=True).prefetch_related("departements"))
    columns = [label for label, _fn in NETWORK_COLUMNS]
    rows = []
    totals = [0] * len(columns)
    for fabrique in fabriques:
        values = [fn(fabrique) for _label, fn in NETWORK_COLUMNS]
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        rows.append({"fabrique": fabrique, "values": values})
    return {"columns": columns, "rows": rows, "totals": totals}
