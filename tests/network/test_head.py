"""The network head: fabriques side by side over a period, trends, comparison per indicator, exports,
the directory and its map. Counts only (no personal data anywhere) and small counts masked "< 5"."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fabrique.core.indicators import Period
from fabrique.fabriques.models import NetworkStatus
from fabrique.needs.models import NeedReport
from fabrique.needs.services import need_report_submit
from fabrique.network.forms import PeriodForm
from fabrique.network.selectors import MASK, SECRET, indicator_comparison, masked, network_table, protect
from fabrique.workstreams.models import Workstream
from tests.conftest import make_team
from tests.directory.factories import make_commune, make_departement, make_person

pytestmark = pytest.mark.django_db

PERSONAL = ("Zéphyrin Personnel", "zephyrin.secret@example.org", "06 11 22 33 44", "Anatole Confidentiel")


def _reports(fabrique, n: int, *, when: datetime.datetime | None = None) -> list[NeedReport]:
    made = []
    for i in range(n):
        report = need_report_submit(
            fabrique=fabrique,
            title=f"Besoin {i}",
            description="Rien de personnel ici.",
            reporter_name=PERSONAL[0],
            reporter_email=PERSONAL[1],
            reporter_phone=PERSONAL[2],
            reporter_type="inhabitant",
            consent_processing=True,
        )
        made.append(report)
    if when is not None:
        NeedReport.objects.filter(pk__in=[r.pk for r in made]).update(created_at=when)
    return made


def _at(year: int, month: int = 6, day: int = 15) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


def _column(table, key):
    return [c.indicator.key for c in table.columns].index(key)


# --- periods ------------------------------------------------------------------------------------------


def test_periods_year_quarter_range_and_the_ones_before():
    assert Period.year(2026).previous() == Period.year(2025)
    assert Period.quarter(2026, 1).previous() == Period.quarter(2025, 4)
    assert Period.quarter(2026, 4).end == datetime.date(2026, 12, 31)
    assert [p.short_label() for p in Period.year(2026).trend()] == ["2022", "2023", "2024", "2025", "2026"]
    form = PeriodForm({"kind": "range", "start": "2026-03-01", "end": "2026-03-10"})
    period = form.period()
    assert (period.start, period.end) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 10))
    assert period.previous().end == datetime.date(2026, 2, 28)
    assert period.previous().start == datetime.date(2026, 2, 19)


def test_period_form_says_what_is_wrong_in_french():
    form = PeriodForm({"kind": "range", "start": "2026-05-01", "end": "2026-04-01"})
    assert not form.is_valid()
    assert "La date de fin précède la date de début." in form.non_field_errors()
    form = PeriodForm({"kind": "quarter", "year": "2026"})
    assert not form.is_valid() and "Choisissez le trimestre." in form.errors["quarter"]
    assert form.period() == Period.year(timezone.localdate().year)  # invalid: the current year


# --- figures over a period, trend, masking --------------------------------------------------------------


def test_counts_fall_in_their_period_and_small_counts_are_masked():
    a = make_team("net-a", "Fabrique Alpha")
    b = make_team("net-b", "Fabrique Bêta")
    _reports(a.fabrique, 7, when=_at(2025))
    _reports(a.fabrique, 2, when=_at(2024))
    _reports(b.fabrique, 3, when=_at(2025))
    table = network_table(Period.year(2025))
    col = _column(table, "needs.reports")
    values = {row["fabrique"].slug: row["values"][col] for row in table.rows}
    # 3 is masked; 7 is hidden too, or the total 10 would give 10 - 7 = 3 (secondary suppression)
    assert values == {"net-a": SECRET, "net-b": MASK}
    assert table.totals[col] == 10
    assert table.previous_totals[col] == MASK  # 2 in 2024
    assert table.trends[col] == "up"
    # a quarter: only the second quarter of 2025 holds the June reports
    q2 = network_table(Period.quarter(2025, 2))
    assert {r["fabrique"].slug: r["values"][col] for r in q2.rows} == {"net-a": SECRET, "net-b": MASK}
    q1 = network_table(Period.quarter(2025, 1))
    assert {r["fabrique"].slug: r["values"][col] for r in q1.rows} == {"net-a": 0, "net-b": 0}


def test_masking_rule():
    assert [masked(v) for v in (0, 1, 4, 5, 12)] == [0, MASK, MASK, 5, 12]
    assert masked(Decimal("2.5"), count=False) == Decimal("2.5")  # jobs in FTE are not head counts


def test_secondary_suppression_hides_the_next_smallest_cell():
    assert protect([6, 2]) == ([SECRET, MASK], 8)
    assert protect([9, 6, 2, 0]) == ([9, SECRET, MASK, 0], 17)
    assert protect([12, 30]) == ([12, 30], 42)  # nothing masked, nothing more to hide
    assert protect([3, 0, 0]) == ([MASK, 0, 0], MASK)  # the total is small itself
    # two "< 5" summing to 2 are both 1: a third cell is hidden
    assert protect([1, 1, 50]) == ([MASK, MASK, SECRET], 52)
    # two "< 5" summing to 8 are both 4
    assert protect([4, 4, 50, 60]) == ([MASK, MASK, SECRET, 60], 118)
    # 1 + a "secret" 5 = 6 would still say 1 and 5: no other cell to hide, the total is hidden
    assert protect([1, 5]) == ([MASK, SECRET], SECRET)
    # sums that are not head counts are shown as they are
    assert protect([Decimal("1.5"), Decimal("2")], count=False) == ([Decimal("1.5"), Decimal("2")], 3.5)


def _possible(shown: list, total, cell: int, limit: int = 80) -> set[int]:
    """Every value of hidden `cell` consistent with what the network head sees (brute force)."""
    ranges = [
        range(1, 5) if v == MASK else range(5, limit) if v == SECRET else range(v, v + 1) for v in shown
    ]
    found: set[int] = set()

    def walk(i: int, acc: int, mine: int | None) -> None:
        if i == len(ranges):
            if isinstance(total, str) or acc == total:
                found.add(mine)  # type: ignore[arg-type]
            return
        for value in ranges[i]:
            if not isinstance(total, str) and acc + value > total:
                break
            walk(i + 1, acc + value, value if i == cell else mine)

    walk(0, 0, None)
    return found


def test_no_masked_cell_can_be_worked_out_from_the_total():
    import random

    rng = random.Random(12)
    for _case in range(300):
        values = [rng.choice([0, 1, 2, 3, 4, 4, 5, 5, 6, 7, 9, 14]) for _i in range(rng.randint(2, 4))]
        shown, total = protect(values)
        if not isinstance(total, str):
            assert total == sum(values)
        for i, v in enumerate(shown):
            if isinstance(v, str):
                possible = _possible(shown, total, i)
                assert values[i] in possible and len(possible) > 1, (values, shown, total, i)
            else:
                assert v == values[i]


def test_comparison_over_five_periods_ranks_fabriques():
    a = make_team("net-a", "Fabrique Alpha")
    b = make_team("net-b", "Fabrique Bêta")
    _reports(a.fabrique, 5, when=_at(2026))
    _reports(b.fabrique, 6, when=_at(2026))
    _reports(b.fabrique, 8, when=_at(2023))
    comparison = indicator_comparison("needs.reports", Period.year(2026))
    assert [p.short_label() for p in comparison.periods] == ["2022", "2023", "2024", "2025", "2026"]
    assert [r["fabrique"].slug for r in comparison.rows] == ["net-b", "net-a"]
    assert comparison.rows[0]["values"] == [0, 8, 0, 0, 6]
    assert comparison.totals == [0, 8, 0, 0, 11]
    assert indicator_comparison("no.such", Period.year(2026)) is None


def test_stocks_are_marked_and_keep_todays_value(login, network_head):
    team = make_team("net-a", "Fabrique Alpha")
    Workstream.objects.create(fabrique=team.fabrique, name="Mobilité", code="mobilite")
    table = network_table(Period.year(2020))
    column = table.columns[_column(table, "workstreams.active")]
    assert column.stock
    page = login(network_head).get(reverse("network:home") + "?kind=year&year=2020").content.decode()
    assert "(à ce jour)" in page


def test_figures_are_kept_a_few_minutes_and_the_page_says_when_they_were_computed(
    login, network_head, settings
):
    """At network scale the figures cost a count over every report: they are kept in the cache for
    FABRIQUE_NETWORK_FIGURES_SECONDS (0 in the other tests), keyed by period and active fabriques."""
    from django.core.cache import cache

    settings.FABRIQUE_NETWORK_FIGURES_SECONDS = 300
    cache.clear()
    a = make_team("net-a", "Fabrique Alpha")
    b = make_team("net-b", "Fabrique Bêta")
    _reports(a.fabrique, 6, when=_at(2025))
    _reports(b.fabrique, 7, when=_at(2025))
    first = network_table(Period.year(2025))
    col = _column(first, "needs.reports")
    assert first.totals[col] == 13 and first.computed_at is not None
    _reports(a.fabrique, 5, when=_at(2025))
    with CaptureQueriesContext(connection) as kept:
        again = network_table(Period.year(2025))
    assert again.totals[col] == 13 and again.computed_at == first.computed_at  # from the cache
    assert len(kept) == 1  # only the active fabriques (part of the key)
    assert network_table(Period.year(2024)).totals[col] == 0  # another period: its own figures
    comparison = indicator_comparison("needs.reports", Period.year(2025))
    assert comparison is not None and comparison.raw_totals[-1] == 18  # its own key, computed now
    # a fabrique closed leaves the table at once (the key changes)
    b.fabrique.is_active = False
    b.fabrique.save(update_fields=["is_active"])
    closed = network_table(Period.year(2025))
    assert [r["fabrique"].slug for r in closed.rows] == ["net-a"] and closed.totals[col] == 11
    page = login(network_head).get(reverse("network:home") + "?kind=year&year=2025").content.decode()
    assert "Chiffres calculés le" in page and "toutes les 5 min" in page
    page = (
        login(network_head)
        .get(reverse("network:indicator", kwargs={"key": "needs.reports"}) + "?kind=year&year=2025")
        .content.decode()
    )
    assert "Chiffres calculés le" in page
    # expired: computed again
    cache.clear()
    assert network_table(Period.year(2025)).totals[col] == 11
    settings.FABRIQUE_NETWORK_FIGURES_SECONDS = 0
    assert "Chiffres calculés le" not in login(network_head).get(reverse("network:home")).content.decode()
    cache.clear()


# --- pages and exports: counts only, masked ------------------------------------------------------------


def _network_world():
    a = make_team("net-a", "Fabrique Alpha")
    b = make_team("net-b", "Fabrique Bêta")
    c = make_team("net-c", "Fabrique Gamma")
    year = timezone.localdate().year
    _reports(a.fabrique, 6, when=_at(year, 1, 10))
    _reports(b.fabrique, 2, when=_at(year, 1, 10))
    _reports(c.fabrique, 9, when=_at(year, 1, 10))
    for team in (a, b):
        make_person(team.fabrique, team.officer, first_name="Anatole", last_name="Confidentiel")
    return a, b, year


def _all_network_outputs(client, year):
    query = f"?kind=year&year={year}"
    pages = {
        "home": client.get(reverse("network:home") + query),
        "indicator": client.get(reverse("network:indicator", kwargs={"key": "needs.reports"}) + query),
        "directory": client.get(reverse("public:network_directory")),
        "csv": client.get(reverse("network:home") + query + "&export=csv"),
        "xlsx": client.get(reverse("network:home") + query + "&export=xlsx"),
        "indicator_csv": client.get(
            reverse("network:indicator", kwargs={"key": "needs.reports"}) + query + "&export=csv"
        ),
        "indicator_xlsx": client.get(
            reverse("network:indicator", kwargs={"key": "needs.reports"}) + query + "&export=xlsx"
        ),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
    return pages


def _xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return " ".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value
    )


def test_the_network_head_never_sees_personal_data(login, network_head):
    _a, _b, year = _network_world()
    pages = _all_network_outputs(login(network_head), year)
    for name, response in pages.items():
        body = _xlsx_text(response.content) if name.endswith("xlsx") else response.content.decode("utf-8-sig")
        for secret in PERSONAL:
            assert secret not in body, f"{name} shows {secret}"
        for word in ("Zéphyrin", "zephyrin", "Anatole", "Besoin 0"):
            assert word not in body, f"{name} shows {word}"


def test_small_counts_are_masked_on_pages_and_in_exports(login, network_head):
    _a, _b, year = _network_world()
    pages = _all_network_outputs(login(network_head), year)
    home = pages["home"].content.decode()
    # Bêta's 2 is "< 5"; Alpha's 6 is "secret", or 17 - 9 - 6 would give Bêta's 2
    assert "&lt; 5" in home and ">9<" in home and ">secret<" in home and ">6<" not in home
    rows = list(csv.reader(io.StringIO(pages["csv"].content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    col = header.index("Besoins signalés")
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Fabrique Gamma"][col] == "9"
    assert by_name["Fabrique Alpha"][col] == "secret"
    assert by_name["Fabrique Bêta"][col] == "< 5"
    assert by_name["Total du réseau"][col] == "17"
    workbook = load_workbook(io.BytesIO(pages["xlsx"].content))
    sheet = workbook.worksheets[0]
    header_row = [c.value for c in sheet[3]]
    xcol = header_row.index("Besoins signalés") + 1
    cells = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=xcol).value
        for r in range(4, sheet.max_row + 1)
    }
    assert cells["Fabrique Gamma"] == 9 and isinstance(cells["Fabrique Gamma"], int)  # a real number
    assert cells["Fabrique Alpha"] == "secret"
    assert cells["Fabrique Bêta"] == "< 5"
    assert cells["Total du réseau"] == 17
    assert "Définitions" in workbook.sheetnames
    indicator_rows = list(
        csv.reader(io.StringIO(pages["indicator_csv"].content.decode("utf-8-sig")), delimiter=";")
    )
    by_name = {r[0]: r for r in indicator_rows}
    assert by_name["Fabrique Bêta"][-1] == "< 5" and by_name["Fabrique Alpha"][-1] == "secret"
    assert by_name["Total du réseau"][-1] == "17"
    indicator_page = pages["indicator"].content.decode()
    assert ">6<" not in indicator_page and ">secret<" in indicator_page


def test_a_fabrique_name_never_becomes_a_formula_in_exports(login, network_head):
    make_team("net-x", '=HYPERLINK("http://evil")')
    response = login(network_head).get(reverse("network:home") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [sheet.cell(row=r, column=1) for r in range(4, sheet.max_row + 1)]
    (cell,) = [c for c in cells if c.value == '=HYPERLINK("http://evil")']
    assert cell.data_type == "s" and cell.quotePrefix  # text shown as typed, never a formula


def test_only_the_network_head_gets_in(login, team):
    for user in (team.admin, team.reader):
        for name, kwargs in (
            ("network:home", {}),
            ("network:indicator", {"key": "needs.reports"}),
        ):
            assert login(user).get(reverse(name, kwargs=kwargs) + "?export=csv").status_code == 403


def test_comparison_costs_the_same_with_more_fabriques_and_rows(login, network_head):
    client = login(network_head)
    url = reverse("network:indicator", kwargs={"key": "needs.reports"})

    def cost():
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make_team("net-a", "Fabrique Alpha")
    first = cost()
    for i in range(4):
        team = make_team(f"net-{i}x", f"Fabrique {i}")
        _reports(team.fabrique, 3)
    assert cost() == first


# --- the directory --------------------------------------------------------------------------------------


def test_directory_status_territory_chantiers_contact_and_map(login, network_head):
    a = make_team("net-a", "Fabrique Alpha")
    b = make_team("net-b", "Fabrique Bêta")
    dep = make_departement("44")
    nantes = make_commune(code="44109", name="Nantes")
    nantes.latitude, nantes.longitude = 47.22, -1.55
    nantes.save()
    a.fabrique.communes.add(nantes)
    a.fabrique.departements.add(dep)
    a.fabrique.contact_email = "contact@alpha.example.org"
    a.fabrique.save()
    b.fabrique.network_status = NetworkStatus.EXPERIMENTING
    b.fabrique.save()
    Workstream.objects.create(fabrique=a.fabrique, name="Alimentation durable", code="alim")
    client = login(network_head)
    page = client.get(reverse("public:network_directory")).content.decode()
    assert "Fabrique Alpha" in page and "Fabrique Bêta" in page
    assert "labellisée" in page and "en expérimentation" in page
    assert "Loire-Atlantique (44)" in page or "(44)" in page
    assert "1 commune" in page
    assert "Alimentation durable" in page
    assert "contact@alpha.example.org" in page
    assert "<svg" in page and "Fabrique Alpha — labellisée" in page
    filtered = client.get(reverse("public:network_directory") + "?statut=experimenting").content.decode()
    assert "Fabrique Bêta" in filtered and "Fabrique Alpha" not in filtered


def test_the_network_head_sets_a_fabrique_status_audited(login, network_head, team):
    client = login(network_head)
    assert client.get(reverse("network:statuses")).status_code == 200
    response = client.post(
        reverse("network:statuses"), {"fabrique": team.fabrique.pk, "network_status": "experimenting"}
    )
    assert response.status_code == 302
    team.fabrique.refresh_from_db()
    assert team.fabrique.network_status == NetworkStatus.EXPERIMENTING
    from fabrique.audit.models import AuditEntry

    entry = AuditEntry.objects.get(action="fabriques.fabrique.updated", fabrique=team.fabrique)
    assert entry.actor == network_head and entry.new_values["network_status"] == "experimenting"
    assert (
        login(team.admin).post(reverse("network:statuses"), {"fabrique": team.fabrique.pk}).status_code == 403
    )


def test_the_network_head_cannot_read_a_fabrique_api(login, network_head, team):
    response = login(network_head).get(f"/api/v1/{team.fabrique.slug}/needs/")
    assert response.status_code in (403, 404)
