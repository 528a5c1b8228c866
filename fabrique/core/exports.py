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
import datetime
import decimal
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

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


# --- streamed exports: CSV (French), XLSX (real types), JSON ------------------------------------------
#
# Every back-office list exports its filtered rows in three formats (issue 13, §2). Rows are produced
# one at a time (a queryset's `iterator()`), written one at a time: memory does not grow with the
# number of rows. CSV: UTF-8 with BOM, semicolons, French numbers ("1 234,5") and dates (dd/mm/yyyy),
# "oui"/"non". XLSX: openpyxl's write-only mode (rows go to a temporary file, never all in memory), real
# numbers, dates and booleans. JSON: an array of objects whose keys are the columns' keys, ISO dates.

EXPORT_FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
_ILLEGAL_XLSX = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # control characters XLSX refuses


@dataclass(frozen=True)
class Column:
    header: Any  # a (lazy) translated text
    value: Callable[[Any], Any]
    key: str = ""

    @property
    def json_key(self) -> str:
        return self.key or slugify(str(self.header)).replace("-", "_")


def columns_of(spec: Sequence[Column | tuple[Any, Callable[[Any], Any]]]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(str(c[0]), c[1]) for c in spec]


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def french_number(value: int | float | decimal.Decimal) -> str:
    """1234.5 -> "1 234,5" (narrow no-break space between thousands, comma as decimal separator)."""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.6f}".rstrip("0").rstrip(".")
    elif isinstance(value, decimal.Decimal):
        text = f"{value:,f}"
    else:
        text = f"{int(value):,}"
    return text.replace(",", "\u202f").replace(".", ",")


def csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float | decimal.Decimal):
        return french_number(value)
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | datetime.date):
        if isinstance(value, datetime.datetime):
            return _local(value).replace(tzinfo=None)  # XLSX has no time zones: local time
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    return safe_cell(_ILLEGAL_XLSX.sub("", str(value)))


def json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return _local(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class _Line:
    """A file-like object that hands back what the csv writer writes (one line at a time)."""

    def write(self, value: str) -> str:
        return value


def stream_csv(columns: Sequence[Column], rows: Iterable[Any]) -> Iterator[str]:
    writer = csv.writer(_Line(), delimiter=";")
    yield "\ufeff" + writer.writerow(safe_row(str(c.header) for c in columns))
    for row in rows:
        yield writer.writerow(safe_row(csv_value(c.value(row)) for c in columns))


def stream_json(columns: Sequence[Column], rows: Iterable[Any]) -> Iterator[str]:
    keys = [c.json_key for c in columns]
    yield "["
    first = True
    for row in rows:
        item = {key: json_value(c.value(row)) for key, c in zip(keys, columns, strict=True)}
        yield ("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n]\n"


def write_xlsx(columns: Sequence[Column], rows: Iterable[Any], *, title: str = "Export") -> Any:
    """The workbook in a temporary file (write-only mode: rows are never all in memory), rewound."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=safe_cell(str(column.header)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    date_cells: dict[type, str] = {datetime.datetime: "DD/MM/YYYY HH:MM", datetime.date: "DD/MM/YYYY"}
    for row in rows:
        values = [xlsx_value(c.value(row)) for c in columns]
        out: list[Any] = []
        for value in values:
            number_format = date_cells.get(type(value))
            if number_format:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the FileResponse that sends it)
    workbook.save(handle)
    handle.seek(0)
    return handle
