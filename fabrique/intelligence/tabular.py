"""Reading indicator files as INSEE and data.gouv.fr publish them.

CSV: separator `;` (or tab, `,`, `|`), encoding UTF-8 (with or without BOM), UTF-16 with BOM,
Latin-1 or Windows-1252 (told apart by the bytes 0x80–0x9F), French decimal commas and thousands
separated by spaces. A file that mixes UTF-8 and Latin-1 bytes is refused with the first line where
they mix. XLSX: read with openpyxl, values as computed (not formulas), any sheet.

Cell values: "s", "secret", "c", "ns", "nc" are statistical secrets; "", "nd", "n.d.", "na", "-",
"so", "…" are missing; anything else must read as a number ("1 234,5", "12,3 %", "1234.5").
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from fabrique.core.errors import DomainError

MAX_BYTES = 30 * 1024 * 1024
MAX_ROWS = 250_000
# XLSX is a zip: a few hundred KB can decompress to gigabytes of XML (a "zip bomb"). The members'
# sizes are checked before openpyxl opens anything, and reading stops at the caps below.
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_COLUMNS = 500
MAX_CELLS = 2_000_000
HEADER_SCAN = 20
PREVIEW_ROWS = 8

SECRET_TOKENS = frozenset({"s", "secret", "c", "ns", "nc", "n.s.", "n.c.", "sec", "x"})
MISSING_TOKENS = frozenset(
    {
        "",
        "nd",
        "n.d.",
        "n.d",
        "na",
        "n/a",
        "nan",
        "-",
        "--",
        "—",
        "so",
        "s.o.",
        "…",
        "...",
        ".",
        "null",
        "#n/a",
    }
)
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


class FileReadError(DomainError):
    """The file cannot be read as a table (encoding, format, size). `message` is in French."""

    code = "file_unreadable"


@dataclass
class Table:
    """A file read as rows of strings (XLSX numbers stay numbers)."""

    rows: list[list[Any]]
    file_format: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)

    def header(self, header_row: int) -> list[str]:
        """Column names of row `header_row` (1-based), blank ones named "Colonne N"."""
        if header_row < 1 or header_row > len(self.rows):
            return []
        names = []
        for i, cell in enumerate(self.rows[header_row - 1]):
            text = cell_text(cell)
            names.append(text or _("Colonne %(n)s") % {"n": i + 1})
        return names

    def data_rows(self, header_row: int) -> list[tuple[int, list[Any]]]:
        """(line number in the file, cells) of the rows after the header, skipping empty rows."""
        out = []
        for index, row in enumerate(self.rows[header_row:], start=header_row + 1):
            if any(cell_text(c) for c in row):
                out.append((index, row))
        return out


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


# --- encodings ------------------------------------------------------------------------------------------

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (avec BOM)",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252 (Latin-1)",
    "latin-1": "ISO-8859-1 (Latin-1)",
}
# bytes that Windows-1252 leaves undefined: a file holding them is ISO-8859-1
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})
# a valid multi-byte UTF-8 sequence (2 to 4 bytes)
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def detect_encoding(data: bytes) -> str:
    """The Python codec name of `data`; FileReadError when UTF-8 and Latin-1 bytes are mixed."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _mixed(data, exc.start + 3) from exc
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):
            raise _mixed(data, exc.start) from exc
    high = {b for b in data if b >= 0x80}
    return "latin-1" if high & _CP1252_UNDEFINED else "cp1252"


def _mixed(data: bytes, position: int) -> FileReadError:
    return FileReadError(
        _(
            "Le fichier mélange deux encodages de caractères (UTF-8 et Latin-1) : la ligne %(line)s n'est pas "
            "écrite comme les autres. Ouvrez-le dans un tableur et enregistrez-le à nouveau en « CSV UTF-8 »."
        )
        % {"line": _line_of(data, position)},
        code="mixed_encoding",
    )


def detect_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:HEADER_SCAN] if line.strip()]
    if not lines:
        return ";"
    best, best_score = ";", -1
    for candidate in (";", "\t", ",", "|"):
        try:
            counts = [len(next(csv.reader([line], delimiter=candidate))) - 1 for line in lines]
        except csv.Error:  # a cell longer than the csv module reads: read_csv names it
            continue
        usable = [c for c in counts if c > 0]
        if not usable:
            continue
        # the separator that splits most lines into the same, largest number of columns
        most = max(set(usable), key=usable.count)
        score = usable.count(most) * 100 + most
        if score > best_score:
            best, best_score = candidate, score
    return best


def read_csv(data: bytes) -> Table:
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:  # pragma: no cover - detect_encoding checked it
        raise FileReadError(_("Le fichier n'est pas un fichier texte lisible.")) from exc
    if "\x00" in text:
        raise FileReadError(
            _("Le fichier n'est pas un fichier texte (CSV) : enregistrez-le en CSV ou en XLSX.")
        )
    text = text.lstrip("\ufeff")
    delimiter = detect_delimiter(text)
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            if len(rows) > MAX_ROWS:
                raise FileReadError(
                    _("Le fichier dépasse %(max)s lignes : découpez-le, ou importez-le en ligne de commande.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", " ")}
                )
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise FileReadError(
                _(
                    "Ligne %(line)s : une cellule dépasse %(max)s caractères ; ce n'est pas une valeur d'indicateur."
                )
                % {"line": reader.line_num, "max": f"{csv.field_size_limit():,}".replace(",", " ")}
            ) from exc
        raise FileReadError(
            _("Ligne %(line)s : le fichier CSV est mal formé (%(error)s).")
            % {"line": reader.line_num, "error": exc}
        ) from exc
    return Table(rows=rows, file_format="csv", encoding=encoding, delimiter=delimiter)


def _check_zip_sizes(data: bytes) -> None:
    """Refuse a workbook whose members decompress beyond MAX_UNCOMPRESSED_BYTES, before parsing it.

    The sizes are those the zip declares; zipfile never inflates a member beyond its declared size,
    so a lying header only truncates the XML (openpyxl then fails on it)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(max(info.file_size, 0) for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileReadError(
            _("Le fichier Excel est illisible ou endommagé : enregistrez-le à nouveau en XLSX.")
        ) from exc
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileReadError(
            _(
                "Le classeur est trop volumineux une fois décompressé (%(size)s Mo, %(max)s Mo au plus) : "
                "gardez seulement la feuille utile, ou enregistrez-la en CSV."
            )
            % {"size": total // (1024 * 1024), "max": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )


def _too_many_cells() -> FileReadError:
    return FileReadError(
        _("La feuille dépasse %(max)s cellules : gardez seulement les colonnes et les lignes utiles.")
        % {"max": f"{MAX_CELLS:,}".replace(",", " ")}
    )


def read_xlsx(data: bytes, sheet: str = "", *, data_only: bool = True) -> Table:
    """`data_only=False` reads formulas as their text ("=A1*2") instead of their cached values."""
    from openpyxl import load_workbook

    _check_zip_sizes(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise FileReadError(
            _("Le fichier Excel est illisible ou endommagé : enregistrez-le à nouveau en XLSX.")
        ) from exc
    try:
        names = list(workbook.sheetnames)
        if sheet and sheet not in names:
            raise FileReadError(_("Le classeur n'a pas de feuille « %(sheet)s ».") % {"sheet": sheet})
        chosen = sheet or _first_data_sheet(workbook, names)
        rows = []
        cells = 0
        worksheet = workbook[chosen]
        worksheet.reset_dimensions()  # rows as long as their cells, not as the declared dimension
        for row in worksheet.iter_rows(values_only=True):
            if len(row) > MAX_COLUMNS:
                raise FileReadError(
                    _("La feuille dépasse %(max)s colonnes : gardez seulement les colonnes utiles.")
                    % {"max": MAX_COLUMNS}
                )
            rows.append(list(row))
            cells += len(row)
            if cells > MAX_CELLS:
                raise _too_many_cells()
            if len(rows) > MAX_ROWS:
                raise FileReadError(
                    _("La feuille dépasse %(max)s lignes : découpez-la.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", " ")}
                )
    finally:
        workbook.close()
    # trailing empty columns
    width = max((max((i + 1 for i, c in enumerate(r) if cell_text(c)), default=0) for r in rows), default=0)
    if width * len(rows) > MAX_CELLS:  # the padded table must stay within the cap too
        raise _too_many_cells()
    rows = [list(r[:width]) + [None] * (width - len(r[:width])) for r in rows]
    return Table(rows=rows, file_format="xlsx", sheet=chosen, sheets=names)


def _first_data_sheet(workbook: Any, names: list[str]) -> str:
    """The first sheet with at least two filled columns in its first rows (INSEE workbooks start with notes)."""
    for name in names:
        for i, row in enumerate(workbook[name].iter_rows(values_only=True, max_col=MAX_COLUMNS)):
            if sum(1 for c in row if cell_text(c)) >= 2:
                return name
            if i > HEADER_SCAN:
                break
    return names[0]


def read_table(data: bytes, *, filename: str, sheet: str = "") -> Table:
    if not data:
        raise FileReadError(_("Le fichier est vide."))
    if len(data) > MAX_BYTES:
        raise FileReadError(_("Le fichier dépasse 30 Mo."))
    name = filename.lower()
    if name.endswith(".xls") and not name.endswith(".xlsx"):
        raise FileReadError(
            _(
                "Les classeurs Excel 97-2003 (.xls) ne sont pas lus : enregistrez le fichier en .xlsx ou en CSV."
            )
        )
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, sheet)
    if name.endswith((".xlsx", ".xlsm")):
        raise FileReadError(_("Le fichier porte l'extension .xlsx mais n'est pas un classeur Excel valide."))
    return read_csv(data)


def guess_header_row(table: Table) -> int:
    """1-based row of the column names: the first of the first rows with the most filled cells."""
    scan = table.rows[:HEADER_SCAN]
    if not scan:
        return 1
    counts = [sum(1 for c in row if cell_text(c)) for row in scan]
    widest = max(counts)
    return next(i for i, n in enumerate(counts) if n == widest) + 1


# --- values ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: float | None
    status: str  # ValueStatus value


class NotANumber(ValueError):
    pass


def parse_value(raw: Any) -> Cell:
    """A cell as a number, a secret or a missing value; NotANumber when it is none of them."""
    if raw is None:
        return Cell(None, "missing")
    if isinstance(raw, bool):
        raise NotANumber(str(raw))
    if isinstance(raw, int | float):
        if raw != raw:  # NaN
            return Cell(None, "missing")
        if not math.isfinite(raw):
            raise NotANumber(str(raw))
        return Cell(float(raw), "ok")
    text = str(raw).strip()
    folded = text.lower()
    if folded in SECRET_TOKENS:
        return Cell(None, "secret")
    if folded in MISSING_TOKENS:
        return Cell(None, "missing")
    compact = _SPACES.sub("", text).rstrip("%").rstrip()
    compact = compact.replace("\u2212", "-")
    if "," in compact and "." in compact:
        # "1.234,5" (dots for thousands) or "1,234.5" (commas for thousands)
        if compact.rfind(",") > compact.rfind("."):
            compact = compact.replace(".", "").replace(",", ".")
        else:
            compact = compact.replace(",", "")
    elif "," in compact:
        compact = compact.replace(",", ".")
    if not _NUMBER.match(compact):
        raise NotANumber(text)
    number = float(compact)
    if not math.isfinite(number):  # "1e400": too large for any indicator (and for the database)
        raise NotANumber(text)
    return Cell(number, "ok")


def normalize_code(raw: Any, level: str) -> str:
    """A territory code as the tables hold it: zero-padded (Excel drops leading zeros), upper case."""
    text = cell_text(raw).upper().replace(" ", "")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not text:
        return ""
    if level == "commune" and text.isdigit() and len(text) == 4:
        return text.zfill(5)
    if level == "iris" and text.isdigit() and len(text) == 8:
        return text.zfill(9)
    if level == "departement" and text.isdigit() and len(text) == 1:
        return text.zfill(2)
    return text
