"""Aggregate figures per fabrique for the network head. Counts only: no names, no contacts.

The columns are the indicators declared `network=True` by the domain apps (`<app>/indicators.py`);
each column is ONE grouped query over every fabrique, so the page's cost does not grow with the
number of fabriques."""

from typing import Any

from fabrique.core.indicators import indicators
from fabrique.fabriques.models import Fabrique


def network_figures() -> dict[str, Any]:
    fabriques = list(Fabrique.objects.filter(is_active=True).order_by("name", "pk"))
    columns = indicators(network=True)
    values = [column.by_fabrique() for column in columns]
    rows = [{"fabrique": f, "values": [by.get(f.pk, 0) for by in values]} for f in fabriques]
    totals = [sum(by.get(f.pk, 0) for f in fabriques) for by in values]
    return {"columns": [c.column for c in columns], "rows": rows, "totals": totals}
