"""The network table as a spreadsheet: XLSX (openpyxl, numbers as numbers) and CSV (French Excel).

Exactly what the page shows: counts per fabrique, small counts masked as "< 5", no personal data.
Every cell goes through `core.exports` (`xlsx_row`, `csv_writer`): no formula from typed text, e.g. a
fabrique's name.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from fabrique.core.exports import xlsx_row, xlsx_workbook

from .selectors import Comparison, NetworkTable, Shown


def _cell(value: Shown) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def table_rows(table: NetworkTable) -> tuple[list[str], list[list[Any]]]:
    header = [_("Fabrique"), _("Statut")] + [
        c.label + (" " + _("(au jour de l'export)") if c.stock else "") for c in table.columns
    ]
    rows = [
        [row["fabrique"].name, str(row["fabrique"].get_network_status_display())]
        + [_cell(v) for v in row["values"]]
        for row in table.rows
    ]
    rows.append([_("Total du réseau"), ""] + [_cell(v) for v in table.totals])
    rows.append(
        [_("Total de la période précédente (%(p)s)") % {"p": table.previous.short_label()}, ""]
        + [_cell(v) for v in table.previous_totals]
    )
    return header, rows


def comparison_rows(comparison: Comparison) -> tuple[list[str], list[list[Any]]]:
    header = [_("Fabrique")] + [p.short_label() for p in comparison.periods]
    rows = [[row["fabrique"].name] + [_cell(v) for v in row["values"]] for row in comparison.rows]
    rows.append([_("Total du réseau")] + [_cell(v) for v in comparison.totals])
    return header, rows


def xlsx_bytes(
    *, title: str, header: list[str], rows: list[list[Any]], notes: list[tuple[str, str]]
) -> bytes:
    workbook = xlsx_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Réseau")[:31]
    sheet.append(xlsx_row(sheet, [title]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(xlsx_row(sheet, header, bold=True))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    sheet.freeze_panes = "B4"
    sheet.column_dimensions["A"].width = 38
    definitions = workbook.create_sheet(_("Définitions")[:31])
    definitions.append(xlsx_row(definitions, [_("Indicateur"), _("Définition")], bold=True))
    for label, text in notes:
        definitions.append(xlsx_row(definitions, [label, text]))
    definitions.append([])
    definitions.append(
        xlsx_row(
            definitions,
            [
                _("Petits effectifs"),
                _(
                    "Les effectifs de 1 à 4 sont remplacés par « < 5 » (secret statistique) ; "
                    "« secret » masque un autre effectif pour qu'un « < 5 » ne puisse pas se "
                    "déduire du total."
                ),
            ],
        )
    )
    definitions.column_dimensions["A"].width = 40
    definitions.column_dimensions["B"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
