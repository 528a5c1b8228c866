"""Indicator imports: caps before parsing, and the file parsed once (issue 9, item 9).

A 139 KB XLSX of 4 million cells held a worker 14 s and a 690 KB one (20 million cells) killed it;
every step of the import read the file again.
"""

import io
from unittest import mock

import pytest
from openpyxl import Workbook

from fabrique.intelligence import tabular
from fabrique.intelligence.services import import_batch_map, import_batch_run, import_batch_upload
from fabrique.intelligence.tabular import FileReadError, read_table
from tests.intelligence.conftest import media_root, reference_data  # noqa: F401 (fixtures)
from tests.intelligence.helpers import upload
from tests.intelligence.test_import import INDICATOR, NO_CAR, NO_CAR_MAPPING

pytestmark = pytest.mark.django_db


def xlsx(rows: int, columns: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([f"col{c}" for c in range(columns)])
    for r in range(rows):
        sheet.append([r * columns + c for c in range(columns)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_that_decompresses_beyond_the_cap_is_refused_before_parsing(monkeypatch):
    data = xlsx(50, 10)
    monkeypatch.setattr(tabular, "MAX_UNCOMPRESSED_BYTES", 2_000)
    with mock.patch("openpyxl.load_workbook") as load, pytest.raises(FileReadError) as exc:
        read_table(data, filename="bombe.xlsx")
    load.assert_not_called()
    assert "décompressé" in exc.value.message


def test_a_real_decompression_bomb_is_refused_quickly():
    """A sheet of 78 MB of XML that compresses to a few hundred KB."""
    import zipfile

    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx(1, 2))) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"</sheetData>", b"<row><c><v>1</v></c></row>" * 3_000_000 + b"</sheetData>"
                )
            out.writestr(item.filename, content)
    data = buffer.getvalue()
    assert len(data) < 1_000_000
    with pytest.raises(FileReadError):
        read_table(data, filename="bombe.xlsx")


def test_too_many_columns_are_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_COLUMNS", 5)
    with pytest.raises(FileReadError) as exc:
        read_table(xlsx(3, 8), filename="large.xlsx")
    assert "colonnes" in exc.value.message


def test_too_many_cells_are_refused_while_reading(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_CELLS", 100)
    with pytest.raises(FileReadError) as exc:
        read_table(xlsx(40, 5), filename="long.xlsx")
    assert "cellules" in exc.value.message


def test_the_file_is_parsed_once_for_all_the_steps(team, media_root, reference_data):  # noqa: F811
    batch = import_batch_upload(fabrique=team.fabrique, actor=team.officer, uploaded_file=upload(NO_CAR))
    # when: the next steps run without reading the file as a table again
    with mock.patch("fabrique.intelligence.services.read_table", side_effect=AssertionError("parsed again")):
        import_batch_map(batch=batch, actor=team.officer, mapping=NO_CAR_MAPPING, indicator_data=INDICATOR)
        import_batch_run(batch=batch, actor=team.officer)
    batch.refresh_from_db()
    assert batch.indicator.values.count() > 0
