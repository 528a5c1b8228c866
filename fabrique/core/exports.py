"""Cells of every CSV and XLSX export, made safe for spreadsheets (CSV/formula injection).

Anything typed by someone (a public report's title, a name) may start with a character that
Excel or LibreOffice reads as the start of a formula: `=`, `+`, `-`, `@`, or a tab / carriage
return that some spreadsheets strip before evaluating. Such a text cell is prefixed with an
apostrophe, so it is shown as typed and never evaluated (OWASP "CSV Injection"). Numbers, dates
and empty cells are left as they are. Every export writes its rows through `csv_writer()` (CSV)
or `safe_row()` (openpyxl's `append`), so no export can forget it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


class _SafeWriter:
    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fileobj: Any, **kwargs: Any) -> _SafeWriter:
    """`csv.writer(fileobj, **kwargs)` whose every cell goes through `safe_cell`."""
    return _SafeWriter(csv.writer(fileobj, **kwargs))


def xlsx_workbook() -> Any:
    """A new openpyxl workbook; fill it with `sheet.append(safe_row(values))`, or write a text cell
    with `xlsx_text(cell, value)` (a text cell that is never a formula, shown exactly as typed)."""
    from openpyxl import Workbook

    return Workbook()


def xlsx_text(cell: Any, value: str) -> None:
    """Write `value` into an openpyxl cell as text: never evaluated, even when it starts like a formula
    (data type "s" and the quote-prefix style, so the spreadsheet shows the text as typed)."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
