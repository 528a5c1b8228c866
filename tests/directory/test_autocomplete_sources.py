"""The autocomplete sources that replaced bounded selects (issue 10): support plans, funders with an
agreement, funders of a funder report. Each answers at most RECORD_SEARCH_LIMIT rows, only of the
member's fabrique, only of its scope; the forms that use them take an id or a typed name and refuse in
French what is outside the scope."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fabrique.directory.autocomplete import RECORD_SEARCH_LIMIT
from fabrique.directory.models import OrganizationKind
from fabrique.funding.models import FundingAgreement
from fabrique.reporting.filters import ReportingFilterForm
from fabrique.support.models import SupportPlan
from tests.support.conftest import make_organization, make_project

pytestmark = pytest.mark.django_db


def search(client, fabrique, kind: str, query: str) -> list[dict]:
    url = reverse("backoffice:record_search", kwargs={"fabrique_slug": fabrique.slug})
    return client.get(url, {"q": query, "types": kind}).json()["results"]


def plan(fabrique, title: str, reference: str = "") -> SupportPlan:
    project = make_project(fabrique, title=title)
    if reference:
        project.reference = reference
        project.save(update_fields=["reference"])
    return SupportPlan.objects.create(fabrique=fabrique, project=project, started_on=timezone.localdate())


def agreement(fabrique, funder, title: str = "Programme") -> FundingAgreement:
    return FundingAgreement.objects.create(
        fabrique=fabrique,
        funder=funder,
        title=title,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        amount_granted=Decimal("1000"),
    )


def test_support_plans_are_searched_by_project_bounded_and_of_the_fabrique(login, team, other_team):
    for i in range(RECORD_SEARCH_LIMIT + 3):
        plan(team.fabrique, f"Épicerie solidaire {i}")
    mine = plan(team.fabrique, "Garage solidaire", reference="P-2026-0042")
    plan(other_team.fabrique, "Épicerie étrangère")
    client = login(team.reader)
    found = search(client, team.fabrique, "plan", "epicerie")  # accents ignored
    assert len(found) == RECORD_SEARCH_LIMIT
    assert not any("étrangère" in r["label"] for r in found)
    assert [r["value"] for r in search(client, team.fabrique, "plan", "P-2026-0042")] == [str(mine.pk)]
    assert search(client, team.fabrique, "plan", "garage")[0]["label"] == (
        "Accompagnement de Garage solidaire (P-2026-0042)"
    )
    # the other fabrique's member does not find this fabrique's plans
    assert search(login(other_team.reader), other_team.fabrique, "plan", "garage") == []


def test_agreement_form_takes_a_support_plan_by_name_and_refuses_another_fabrique(login, team, other_team):
    funder = make_organization(team.fabrique, "Région", kind=OrganizationKind.FUNDER)
    mine = plan(team.fabrique, "Garage solidaire")
    foreign = plan(other_team.fabrique, "Garage voisin")
    client = login(team.officer)
    url = reverse("backoffice:agreement_create", kwargs={"fabrique_slug": team.fabrique.slug})
    page = client.get(url).content.decode()
    assert 'data-types="plan"' in page and "Garage solidaire" not in page
    data = {
        "funder": str(funder.pk),
        "title": "Soutien au garage",
        "scope": "support_plan",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "amount_granted": "1000",
        "amount_paid": "0",
        "status": "signed",
    }
    response = client.post(url, {**data, "support_plan": str(foreign.pk)})
    assert response.status_code == 200 and not FundingAgreement.objects.exists()
    response = client.post(url, {**data, "support_plan": "garage"})
    assert response.status_code == 302, response.content.decode()
    assert FundingAgreement.objects.get().support_plan == mine


def test_funder_sources_answer_their_own_scope(login, team, other_team):
    with_agreement = make_organization(team.fabrique, "Fondation Laverie", kind=OrganizationKind.ASSOCIATION)
    agreement(team.fabrique, with_agreement)
    marked = make_organization(team.fabrique, "Laverie Finance", kind=OrganizationKind.FUNDER)
    make_organization(team.fabrique, "Laverie du coin", kind=OrganizationKind.ASSOCIATION)
    foreign = make_organization(other_team.fabrique, "Laverie Capital", kind=OrganizationKind.FUNDER)
    agreement(other_team.fabrique, foreign)
    client = login(team.reader)

    def found(kind: str) -> set[str]:
        return {r["value"] for r in search(client, team.fabrique, kind, "laverie")}

    assert found("agreement_funder") == {str(with_agreement.pk)}
    assert found("report_funder") == {str(with_agreement.pk), str(marked.pk)}


def test_funder_sources_are_bounded(login, team):
    for i in range(RECORD_SEARCH_LIMIT + 3):
        agreement(team.fabrique, make_organization(team.fabrique, f"Fonds Laverie {i}", kind="funder"))
    client = login(team.reader)
    assert len(search(client, team.fabrique, "agreement_funder", "laverie")) == RECORD_SEARCH_LIMIT
    assert len(search(client, team.fabrique, "report_funder", "laverie")) == RECORD_SEARCH_LIMIT


def test_reporting_funder_filter_is_an_autocomplete_resolved_without_javascript(login, team, other_team):
    funder = make_organization(team.fabrique, "Banque des Territoires", kind=OrganizationKind.FUNDER)
    agreement(team.fabrique, funder)
    foreign = make_organization(other_team.fabrique, "Banque voisine", kind=OrganizationKind.FUNDER)
    agreement(other_team.fabrique, foreign)
    client = login(team.reader)
    url = reverse("backoffice:reporting_dashboard", kwargs={"fabrique_slug": team.fabrique.slug})
    page = client.get(url).content.decode()
    assert 'data-types="agreement_funder"' in page and "Banque des Territoires" not in page
    page = client.get(url, {"funder": str(funder.pk)}).content.decode()
    assert f'data-initial="[{{&quot;value&quot;: &quot;{funder.pk}&quot;' in page  # the chosen funder shown
    page = client.get(url, {"funder": "inconnue"}).content.decode()
    assert "Aucun élément ne correspond à « inconnue »." in page

    def chosen(value: str):
        return ReportingFilterForm({"funder": value}, fabrique=team.fabrique).filters().funder_id

    assert chosen("banque terr") == funder.pk  # a typed name, resolved on the server
    assert chosen(str(foreign.pk)) is None  # another fabrique's funder: refused, no filter


def test_funder_report_form_takes_a_funder_by_name(login, team):
    funder = make_organization(team.fabrique, "Banque des Territoires", kind=OrganizationKind.FUNDER)
    make_organization(team.fabrique, "Banque alimentaire", kind=OrganizationKind.ASSOCIATION)
    client = login(team.officer)
    url = reverse("backoffice:funder_report_create", kwargs={"fabrique_slug": team.fabrique.slug})
    page = client.get(url).content.decode()
    assert 'data-types="report_funder"' in page and "Banque des Territoires" not in page
    data = {"title": "Bilan", "period_start": "2026-01-01", "period_end": "2026-06-30"}
    response = client.post(url, {**data, "funder": "banque alimentaire"})
    assert "Aucun élément ne correspond à « banque alimentaire »." in response.content.decode()
    response = client.post(url, {**data, "funder": "banque"})
    assert response.status_code == 302
    from fabrique.funding.models import FunderReport

    assert FunderReport.objects.get().funder == funder


def test_every_source_answers_in_a_fixed_number_of_queries(login, team):
    """Each source of the record search (people, organisations, needs, studies, plans, funders, agenda)
    answers at most RECORD_SEARCH_LIMIT rows in the same number of queries with ten times more data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fabrique.demo.network import extend_fabrique
    from fabrique.directory.autocomplete import KINDS

    small = {"organizations": 4, "people": 4, "needs": 4, "reports": 4, "studies": 2, "projects": 2}
    client = login(team.reader)

    def measure() -> dict[str, tuple[int, int]]:
        found = {}
        for kind in KINDS:
            with CaptureQueriesContext(connection) as queries:
                answer = search(client, team.fabrique, kind, "e")
            assert len(answer) <= RECORD_SEARCH_LIMIT, kind
            found[kind] = (len(queries), len(answer))
        return found

    extend_fabrique(team.fabrique, volumes=small, seed=1, actor=team.officer)
    for i in range(2):
        plan(team.fabrique, f"Épicerie {i}")
    before = measure()
    extend_fabrique(team.fabrique, volumes={k: 9 * v for k, v in small.items()}, seed=2, actor=team.officer)
    for i in range(2, 30):
        plan(team.fabrique, f"Épicerie {i}")
    after = measure()
    assert {k: q for k, (q, _n) in before.items()} == {k: q for k, (q, _n) in after.items()}
    assert after["plan"][1] == RECORD_SEARCH_LIMIT and after["need"][1] == RECORD_SEARCH_LIMIT


def test_reporting_territory_filter_is_the_territory_autocomplete(login, team):
    """The reporting page's territory filter lists no commune: the territory autocomplete (communes,
    EPCIs, QPVs), whose value or typed name or code is resolved on the server."""
    from fabrique.core.indicators import Territory
    from fabrique.territories.models import Commune

    nantes = Commune.objects.get(code="44109", kind=Commune.Kind.CURRENT)
    client = login(team.reader)
    url = reverse("backoffice:reporting_dashboard", kwargs={"fabrique_slug": team.fabrique.slug})
    page = client.get(url).content.decode()
    assert 'data-types="commune,epci,qpv"' in page and f'value="commune:{nantes.code}"' not in page
    page = client.get(url, {"territory": "commune:44109"}).content.decode()
    assert "Nantes (44)" in page  # the chosen territory, labelled for the widget

    def chosen(value: str):
        form = ReportingFilterForm({"territory": value}, fabrique=team.fabrique)
        return form.filters().territory, form.errors.get("territory")

    assert chosen("commune:44109") == (Territory("commune", "44109"), None)
    assert chosen("Nantes") == (Territory("commune", "44109"), None)
    assert chosen(f"epci:{nantes.epci_id}") == (Territory("epci", nantes.epci_id), None)
    territory, errors = chosen("Nulle-Part-sur-Mer")
    assert territory is None and "Aucun territoire ne correspond" in errors[0]
