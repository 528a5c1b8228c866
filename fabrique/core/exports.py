"""Cells of every CSV and XLSX export, made safe for spreadsheets (CSV/formula injection).

Anything typed by someone (a public report's title, a name) may start with a character that
Excel or LibreOffice reads as the start of a formula: `=`, `+`, `-`, `@`, or a tab / carriage
return that some spreadsheets strip before evaluating (OWASP "CSV Injection"). In a CSV such a
text is prefixed with an apostrophe (`csv_writer()`, `stream_csv()`). In an XLSX every cell goes
through THE one cell writer, `xlsx_set()` / `xlsx_cell()`: numbers, booleans and dates keep their
type, text is stored as text (data type "s", never a formula) with the quote prefix, so the
spreadsheet shows it exactly as typed. Numbers, dates and empty cells are left as they are.
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
    """The value as an XLSX cell holds it: a real number, boolean or date (local time: XLSX has no
    time zones), else text without the control characters XLSX refuses."""
    if value is None or isinstance(value, bool | int | float | datetime.date):
        if isinstance(value, datetime.datetime):
            return _local(value).replace(tzinfo=None)
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    return _ILLEGAL_XLSX.sub("", str(value))


def xlsx_workbook() -> Any:
    """A new openpyxl workbook (the only place one is made); write its cells with `xlsx_set` or
    `sheet.append(xlsx_row(sheet, values))`."""
    from openpyxl import Workbook

    return Workbook()


XLSX_DATE_FORMATS: dict[type, str] = {datetime.datetime: "DD/MM/YYYY HH:MM", datetime.date: "DD/MM/YYYY"}


def xlsx_set(cell: Any, value: Any, *, bold: bool = False) -> Any:
    """Write `value` into an openpyxl cell (`sheet.cell(row, column)` or a write-only cell): typed by
    `xlsx_value`, dates in the French format, text as text that is never a formula (data type "s"
    and the quote prefix: the spreadsheet shows it as typed). Returns the cell."""
    from openpyxl.styles import Font

    value = xlsx_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    elif type(value) in XLSX_DATE_FORMATS:
        cell.number_format = XLSX_DATE_FORMATS[type(value)]
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_cell(sheet: Any, value: Any, *, bold: bool = False) -> Any:
    """What to hand to `sheet.append([...])` for `value`: the plain value when it needs no style
    (most cells: cheap for a long streamed list), else a cell written by `xlsx_set`."""
    plain = xlsx_value(value)
    if (
        not bold
        and type(plain) not in XLSX_DATE_FORMATS
        and not (isinstance(plain, str) and plain.startswith(FORMULA_STARTS))
    ):
        return plain
    from openpyxl.cell import WriteOnlyCell

    return xlsx_set(WriteOnlyCell(sheet), plain, bold=bold)


def xlsx_row(sheet: Any, values: Iterable[Any], *, bold: bool = False) -> list[Any]:
    return [xlsx_cell(sheet, value, bold=bold) for value in values]


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

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.append(xlsx_row(sheet, (str(c.header) for c in columns), bold=True))
    for row in rows:
        sheet.append(xlsx_row(sheet, (c.value(row) for c in columns)))
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the FileResponse that sends it)
    workbook.save(handle)
    handle.seek(0)
    return handle
