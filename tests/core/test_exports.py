"""Streamed exports (issue 13, §2): French CSV, typed XLSX, JSON; formula neutralisation; constant
memory for 100,000 rows."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
import tracemalloc

from openpyxl import load_workbook

from fabrique.core.exports import Column, french_number, stream_csv, stream_json, write_xlsx

COLUMNS = [
    Column("Nom", lambda r: r["name"], "name"),
    Column("Montant", lambda r: r["amount"], "amount"),
    Column("Le", lambda r: r["day"], "day"),
    Column("Actif", lambda r: r["active"], "active"),
]
ROWS = [
    {
        "name": '=HYPERLINK("http://x")',
        "amount": decimal.Decimal("15000.50"),
        "day": datetime.date(2026, 3, 9),
        "active": True,
    },
    {"name": "+33 6", "amount": 2.5, "day": None, "active": False},
    {"name": "-1", "amount": 1234567, "day": datetime.date(2026, 12, 31), "active": None},
    {"name": "@SUM(A1)", "amount": 0, "day": None, "active": True},
    {"name": "\tcaché", "amount": None, "day": None, "active": True},
    {"name": "\rretour", "amount": None, "day": None, "active": True},
    {"name": "Collectif 3R", "amount": None, "day": None, "active": True},
]


def test_french_numbers():
    assert french_number(decimal.Decimal("15000.50")) == "15\u202f000,50"
    assert french_number(2.5) == "2,5"
    assert french_number(1234567) == "1\u202f234\u202f567"


def test_csv_is_french_and_neutralised():
    text = "".join(stream_csv(COLUMNS, ROWS))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["Nom", "Montant", "Le", "Actif"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "15\u202f000,50", "09/03/2026", "oui"]
    assert rows[2][:2] == ["'+33 6", "2,5"] and rows[2][3] == "non"
    assert [r[0] for r in rows[3:7]] == ["'-1", "'@SUM(A1)", "'\tcaché", "'\rretour"]
    assert rows[7][0] == "Collectif 3R"


def test_xlsx_has_real_types_and_no_formula():
    workbook = load_workbook(write_xlsx(COLUMNS, ROWS, title="Essai"))
    sheet = workbook["Essai"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Nom", "Montant", "Le", "Actif")
    # text stays text, shown as typed: never a formula (data type "s" and the quote prefix)
    assert values[1][0] == '=HYPERLINK("http://x")'
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert [sheet.cell(row=r, column=1).value for r in range(3, 5)] == ["+33 6", "-1"]
    assert values[1][1] == 15000.5 and isinstance(values[1][2], datetime.datetime)
    assert values[1][2].date() == datetime.date(2026, 3, 9) and values[1][3] is True
    assert values[3][1] == 1234567
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_json_keeps_types():
    data = json.loads("".join(stream_json(COLUMNS, ROWS)))
    assert data[0] == {
        "name": '=HYPERLINK("http://x")',
        "amount": 15000.5,
        "day": "2026-03-09",
        "active": True,
    }
    assert data[2]["amount"] == 1234567 and data[1]["day"] is None


N = 100_000


def _rows():
    day = datetime.date(2026, 1, 1)
    for i in range(N):
        yield {
            "name": f"Structure n°{i} — " + "x" * 40,
            "amount": decimal.Decimal(i) / 4,
            "day": day,
            "active": i % 2 == 0,
        }


def _peak(consume) -> int:
    tracemalloc.start()
    try:
        consume()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_100k_rows_stream_in_constant_memory():
    def csv_all():
        size = 0
        for chunk in stream_csv(COLUMNS, _rows()):
            size += len(chunk)
        assert size > 100 * N // 2

    def json_all():
        count = sum(chunk.count("\n") for chunk in stream_json(COLUMNS, _rows()))
        assert count >= N

    # the whole CSV is ~8 MB and the JSON ~12 MB: a peak far below says nothing was kept
    assert _peak(csv_all) < 2_000_000
    assert _peak(json_all) < 2_000_000


def test_xlsx_rows_go_to_disk_not_memory():
    # openpyxl's write-only mode under tracemalloc is slow: 20,000 rows (~1 MB on disk, several
    # times that as cells in memory) are enough to show that the rows are not kept
    holder = {}

    def xlsx_all():
        holder["file"] = write_xlsx(COLUMNS, (row for _i, row in zip(range(20_000), _rows(), strict=False)))

    peak = _peak(xlsx_all)
    handle = holder["file"]
    handle.seek(0, io.SEEK_END)
    assert handle.tell() > 300_000  # the workbook is on disk, not in memory
    assert peak < 6_000_000
