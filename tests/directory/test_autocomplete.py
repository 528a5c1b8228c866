"""People, organisations and needs are chosen by autocomplete: the form never lists the table, the search
answers at most RECORD_SEARCH_LIMIT rows of the member's own fabrique, and without JavaScript a typed
name is resolved on the server (or refused in French when it is ambiguous)."""

import pytest
from django.urls import reverse

from fabrique.directory.autocomplete import RECORD_SEARCH_LIMIT
from fabrique.needs.models import NeedReport

from .factories import make_organization, make_person

pytestmark = pytest.mark.django_db


def url(fabrique, name: str) -> str:
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug})


def test_search_is_bounded_and_stays_in_the_fabrique(login, team, other_team):
    for i in range(RECORD_SEARCH_LIMIT + 5):
        make_person(team.fabrique, last_name=f"Lemoine {i}")
    make_person(other_team.fabrique, last_name="Lemoine étranger")
    client = login(team.reader)
    results = client.get(url(team.fabrique, "record_search"), {"q": "lemoine", "types": "person"}).json()[
        "results"
    ]
    assert len(results) == RECORD_SEARCH_LIMIT
    assert not any("étranger" in r["label"] for r in results)
    assert (
        client.get(url(team.fabrique, "record_search"), {"q": "x", "types": "nothing"}).json()["results"]
        == []
    )


def test_staff_report_form_lists_no_person_and_takes_an_id_or_a_name(login, team):
    person = make_person(team.fabrique, first_name="Inès", last_name="Quéméner")
    make_person(team.fabrique, first_name="Paul", last_name="Durand")
    make_person(team.fabrique, first_name="Léa", last_name="Durand")
    organization = make_organization(team.fabrique, name="La Ruche solidaire")
    client = login(team.officer)
    page = client.get(url(team.fabrique, "report_create")).content.decode()
    assert "Quéméner" not in page  # no <option> per contact
    assert 'data-types="person"' in page

    base = {"title": "Pas de laverie", "source": "phone", "reported_on": "2026-03-12"}
    response = client.post(
        url(team.fabrique, "report_create"),
        {**base, "reporter_person": str(person.pk), "reporter_organization": "ruche solidaire"},
    )
    assert response.status_code == 302
    report = NeedReport.objects.get()
    assert (report.reporter_person, report.reporter_organization) == (person, organization)

    response = client.post(url(team.fabrique, "report_create"), {**base, "reporter_person": "durand"})
    assert response.status_code == 200
    assert "désigne plusieurs éléments" in response.content.decode()
    assert NeedReport.objects.count() == 1


def test_scoped_searches_answer_only_their_rows(login, team, other_team):
    """The scoped kinds (retained needs, open needs, studies, funders) answer the rows the form accepts,
    of the member's fabrique only; a form refuses an id outside its scope in French."""
    from fabrique.directory.models import OrganizationKind
    from fabrique.needs.models import NeedStage
    from tests.committees.factories import make_need, make_study

    retained = make_need(team.fabrique, title="Laverie retenue", stage=NeedStage.RETAINED)
    qualifying = make_need(team.fabrique, title="Laverie en qualification", stage=NeedStage.QUALIFYING)
    closed = make_need(team.fabrique, title="Laverie close", stage=NeedStage.CLOSED)
    make_need(other_team.fabrique, title="Laverie étrangère", stage=NeedStage.RETAINED)
    study = make_study(team.fabrique, team.officer, title="Laverie solidaire du Château", needs=[retained])
    funder = make_organization(team.fabrique, name="Fondation Laverie", kind=OrganizationKind.FUNDER)
    make_organization(team.fabrique, name="Association Laverie", kind=OrganizationKind.ASSOCIATION)
    client = login(team.reader)

    def found(kind: str, query: str = "laverie") -> set[str]:
        answer = client.get(url(team.fabrique, "record_search"), {"q": query, "types": kind}).json()
        return {r["value"] for r in answer["results"]}

    retained.refresh_from_db()  # the study moved it to "in study"
    assert found("need") == {str(n.pk) for n in (retained, qualifying, closed)}
    assert found("open_need") == {str(retained.pk), str(qualifying.pk)}
    assert found("study") == {str(study.pk)}
    assert found("funder") == {str(funder.pk)}

    other = make_need(team.fabrique, title="Mobilité retenue", stage=NeedStage.RETAINED)
    assert found("retained_need") == set()  # the studied need is no longer retained
    assert found("retained_need", "mobilité") == {str(other.pk)}
    client = login(team.officer)
    response = client.post(url(team.fabrique, "study_create"), {"needs": str(qualifying.pk), "title": "x"})
    assert response.status_code == 200 and "retenu" in response.content.decode()
    response = client.post(
        url(team.fabrique, "study_create"), {"needs": f"{other.pk};", "title": "Mobilité", "due_on": ""}
    )
    assert response.status_code == 302
