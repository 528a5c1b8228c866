"""Reading files as published: encodings, separators, French numbers, secret values, XLSX."""

import io

import pytest
from openpyxl import Workbook

from fabrique.intelligence.tabular import (
    FileReadError,
    NotANumber,
    detect_delimiter,
    detect_encoding,
    guess_header_row,
    normalize_code,
    parse_value,
    read_table,
)

from .helpers import sample


def test_encodings_are_told_apart():
    # given / when / then
    assert detect_encoding("Rezé;12,5".encode()) == "utf-8"
    assert detect_encoding("\ufeffRezé;12,5".encode()) == "utf-8-sig"
    assert detect_encoding("Rezé – 12,5".encode("cp1252")) == "cp1252"
    assert detect_encoding("Rezé".encode("latin-1") + b"\x81") == "latin-1"
    assert detect_encoding("Rezé".encode("utf-16")) == "utf-16"


def test_mixed_encodings_are_refused_with_the_line():
    with pytest.raises(FileReadError) as error:
        read_table(sample("encodages_melanges.csv"), filename="encodages_melanges.csv")
    assert error.value.code == "mixed_encoding"
    assert "ligne 3" in error.value.message
    assert "UTF-8 et Latin-1" in error.value.message


def test_latin1_file_with_title_lines_is_read():
    table = read_table(sample("menages_sans_voiture_nantes_metropole_latin1.csv"), filename="f.csv")
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"
    assert guess_header_row(table) == 4
    assert table.header(4)[1] == "Libellé"
    assert table.rows[0][0].startswith("Ménages sans voiture en 2021 – Nantes")


def test_delimiters():
    assert detect_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert detect_delimiter("a\tb\tc\n1\t2,5\t3\n") == "\t"
    assert detect_delimiter('a,b,c\n1,"2,5",3\n') == ","


@pytest.mark.parametrize(
    ("raw", "value", "status"),
    [
        ("12,5", 12.5, "ok"),
        ("1\u00a0234,5", 1234.5, "ok"),
        ("1 234", 1234.0, "ok"),
        ("1\u202f234,50", 1234.5, "ok"),
        ("1.234,5", 1234.5, "ok"),
        ("1,234.5", 1234.5, "ok"),
        ("12,3 %", 12.3, "ok"),
        ("-4,2", -4.2, "ok"),
        ("\u22124,2", -4.2, "ok"),
        ("1e3", 1000.0, "ok"),
        (42, 42.0, "ok"),
        (3.5, 3.5, "ok"),
        ("s", None, "secret"),
        ("S", None, "secret"),
        ("secret", None, "secret"),
        ("ns", None, "secret"),
        ("nd", None, "missing"),
        ("n.d.", None, "missing"),
        ("", None, "missing"),
        (None, None, "missing"),
        ("-", None, "missing"),
    ],
)
def test_parse_value(raw, value, status):
    cell = parse_value(raw)
    assert (cell.value, cell.status) == (value, status)


@pytest.mark.parametrize("raw", ["abc", "12,5,3", "Nantes", True])
def test_not_a_number(raw):
    with pytest.raises(NotANumber):
        parse_value(raw)


def test_codes_get_back_their_leading_zeros():
    assert normalize_code(1001, "commune") == "01001"
    assert normalize_code("1001.0", "commune") == "01001"
    assert normalize_code(10010101, "iris") == "010010101"
    assert normalize_code("1", "departement") == "01"
    assert normalize_code(" qn04405m ", "qpv") == "QN04405M"


def test_xlsx_sheet_and_numbers():
    # given: a workbook whose first sheet is documentation, as INSEE publishes them
    workbook = Workbook()
    notes = workbook.active
    notes.title = "Documentation"
    notes.append(["Note : valeurs synthétiques"])
    data = workbook.create_sheet("COM")
    data.append(["Population par âge"])
    data.append([])
    data.append(["CODGEO", "LIBGEO", "Part des 75 ans ou plus"])
    data.append(["44109", "Nantes", 8.25])
    data.append([44143, "Rezé", "s"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # when
    table = read_table(buffer.getvalue(), filename="pop.xlsx")
    # then
    assert table.file_format == "xlsx"
    assert table.sheet == "COM"
    assert table.sheets == ["Documentation", "COM"]
    assert guess_header_row(table) == 3
    assert table.header(3) == ["CODGEO", "LIBGEO", "Part des 75 ans ou plus"]


def test_unreadable_files():
    with pytest.raises(FileReadError, match="vide"):
        read_table(b"", filename="x.csv")
    with pytest.raises(FileReadError, match="97-2003"):
        read_table(b"\xd0\xcf\x11\xe0", filename="x.xls")
    with pytest.raises(FileReadError, match="pas un classeur"):
        read_table(b"CODGEO;X\n44109;1\n", filename="x.xlsx")
    with pytest.raises(FileReadError, match="endommagé"):
        read_table(b"PK\x03\x04garbage", filename="x.xlsx")
