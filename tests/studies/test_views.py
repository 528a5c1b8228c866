import html

import pytest
from django.urls import reverse

from fabrique.committees.models import Decision
from fabrique.needs.models import NeedStage
from fabrique.network.selectors import network_figures
from fabrique.studies.models import BenchmarkEntry, Scenario, Study, StudyStage, Workshop
from tests.committees.factories import make_awaiting_study, make_need, make_study
from tests.directory.factories import make_person

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(team, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


# --- opening ---------------------------------------------------------------------------------------------------


def test_open_a_study_from_a_needs_page(team, login):
    need = make_need(team.fabrique, title="Mobilité des seniors isolés")
    client = login(team.officer)
    page = text(client.get(url(team, "study_create") + f"?need={need.pk}"))
    # the need is preselected in the retained needs' autocomplete (a chip), not a checkbox of every need
    assert f'name="needs" value="{need.pk}"' in page and 'data-types="retained_need"' in page
    assert "Mobilité des seniors isolés" in page.split('name="needs"')[1].split(">")[0]  # the chip's label
    assert 'value="Mobilité des seniors isolés"' in page  # title prefilled from the need
    response = client.post(
        url(team, "study_create"),
        {"needs": [need.pk], "title": "Mobilité des seniors", "due_on": "2031-01-31"},
    )
    study = Study.objects.get()
    assert response.status_code == 302 and response.url == url(team, "study_detail", pk=study.pk)
    need.refresh_from_db()
    assert need.stage == NeedStage.IN_STUDY
    detail = text(client.get(response.url))
    assert "Mobilité des seniors isolés" in detail  # link back to the need
    assert "Historique" in detail and "Création — étude d'opportunité" in detail


def test_opening_on_a_need_not_retained_shows_a_french_error(team, login):
    need = make_need(team.fabrique, title="Laverie solidaire", stage=NeedStage.QUALIFYING)
    client = login(team.officer)
    assert "Laverie solidaire" in text(client.get(url(team, "study_create") + f"?need={need.pk}"))
    response = client.post(url(team, "study_create"), {"needs": [need.pk], "title": "Laverie"})
    assert response.status_code == 200
    assert "n'est pas retenu" in text(response)
    assert not Study.objects.exists()
    response = client.post(url(team, "study_create"), {"title": "Sans besoin"})
    assert "Choisissez au moins un besoin retenu à étudier." in text(response)
    assert not Study.objects.exists()


def test_reader_cannot_open_and_another_fabrique_study_is_404(team, other_team, login):
    need = make_need(team.fabrique)
    assert (
        login(team.reader).post(url(team, "study_create"), {"needs": [need.pk], "title": "X"}).status_code
        == 403
    )
    assert not Study.objects.exists()
    foreign = make_study(other_team.fabrique, other_team.officer)
    assert login(team.admin).get(url(team, "study_detail", pk=foreign.pk)).status_code == 404
    assert login(team.reader).get(url(team, "study_update", pk=foreign.pk)).status_code == 404


# --- the study document ----------------------------------------------------------------------------------------


def test_workshop_form(team, other_team, login):
    study = make_study(team.fabrique, team.officer)
    person = make_person(team.fabrique, team.admin, last_name="Benali")
    client = login(team.officer)
    response = client.post(
        url(team, "workshop_create", pk=study.pk), {"kind": "creativity", "title": "", "date": ""}
    )
    assert response.status_code == 200 and "Ce champ est obligatoire." in text(response)
    foreign = make_person(other_team.fabrique, other_team.admin)
    response = client.post(
        url(team, "workshop_create", pk=study.pk),
        {"kind": "creativity", "title": "Idéation", "date": "2030-03-12", "participants": [foreign.pk]},
    )
    assert f"Aucun élément ne correspond à « {foreign.pk} »" in text(response)  # another fabrique's contact
    assert not Workshop.objects.exists()
    response = client.post(
        url(team, "workshop_create", pk=study.pk),
        {
            "kind": "creativity",
            "title": "Idéation",
            "date": "2030-03-12",
            "participants": [person.pk],
            "other_participants": "Élue de quartier",
        },
    )
    assert response.status_code == 302
    workshop = Workshop.objects.get()
    response = client.post(
        url(team, "workshop_update", pk=study.pk, workshop_pk=workshop.pk),
        {
            "kind": "workshop",
            "title": "Atelier d'idéation",
            "date": "2030-03-12",
            "participants": [person.pk],
        },
    )
    workshop.refresh_from_db()
    assert workshop.title == "Atelier d'idéation"
    assert "Benali" in text(client.get(url(team, "study_detail", pk=study.pk)))


def test_scenario_form(team, login):
    study = make_study(team.fabrique, team.officer)
    client = login(team.officer)
    response = client.post(
        url(team, "scenario_create", pk=study.pk), {"title": "Garage", "jobs_estimate": "-1"}
    )
    assert response.status_code == 200
    assert "Le nombre d'emplois ne peut pas être négatif." in text(response)  # scenario_create's rule
    assert not Scenario.objects.exists()
    response = client.post(
        url(team, "scenario_create", pk=study.pk),
        {
            "title": "Garage solidaire",
            "jobs_estimate": "2.5",
            "is_preferred": "on",
            "revenue_sources": "Réparations",
        },
    )
    assert response.status_code == 302 and response.url.endswith("#pistes")
    scenario = Scenario.objects.get()
    assert scenario.is_preferred and str(scenario.jobs_estimate) == "2.5"
    client.post(
        url(team, "scenario_update", pk=study.pk, scenario_pk=scenario.pk),
        {"title": "Garage solidaire itinérant"},
    )
    scenario.refresh_from_db()
    assert scenario.title == "Garage solidaire itinérant" and not scenario.is_preferred


def test_benchmark_form(team, login):
    study = make_study(team.fabrique, team.officer)
    client = login(team.officer)
    response = client.post(
        url(team, "benchmark_create", pk=study.pk), {"name": "Garage", "url": "pas une url"}
    )
    assert "Saisissez une URL valide." in text(response)
    assert not BenchmarkEntry.objects.exists()
    client.post(
        url(team, "benchmark_create", pk=study.pk), {"name": "Garage solidaire", "url": "exemple.org"}
    )
    assert BenchmarkEntry.objects.get().url == "https://exemple.org"


def test_a_scenario_of_another_study_is_404(team, login):
    study = make_study(team.fabrique, team.officer)
    other = make_study(
        team.fabrique, team.officer, title="Autre étude", needs=[make_need(team.fabrique, title="x")]
    )
    from fabrique.studies.services import scenario_create

    scenario = scenario_create(study=other, actor=team.officer, title="Piste")
    response = login(team.officer).get(url(team, "scenario_update", pk=study.pk, scenario_pk=scenario.pk))
    assert response.status_code == 404


# --- submission and decision -----------------------------------------------------------------------------------


def test_submit_then_staff_decision(team, login):
    study = make_study(team.fabrique, team.officer)
    client = login(team.officer)
    assert client.get(url(team, "study_submit", pk=study.pk)).status_code == 200
    response = client.post(url(team, "study_submit", pk=study.pk), follow=True)
    assert "Décrivez au moins une piste" in text(response)
    study.refresh_from_db()
    assert study.stage == StudyStage.IN_PROGRESS

    study = make_awaiting_study(team.fabrique, team.officer, title="Épicerie")
    decide = url(team, "study_decide", pk=study.pk)
    client = login(team.committee)
    response = client.post(decide, {"outcome": "no_go"})
    assert response.status_code == 200 and "Choisissez le motif" in text(response)
    response = client.post(decide, {"outcome": "no_go", "reason_code": "other"})
    assert "Expliquez le motif" in text(response)
    assert not Decision.objects.exists()
    response = client.post(
        decide, {"outcome": "no_go", "reason_code": "other", "reasons": "Marché trop étroit."}
    )
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.stage == StudyStage.NO_GO and "Marché trop étroit." in study.no_go_reasons
    decision = Decision.objects.get()
    assert decision.meeting is None and decision.decided_by == team.committee
    assert "Décision de l'équipe" in text(client.get(url(team, "study_detail", pk=study.pk)))


def test_staff_go_creates_the_project(team, login):
    study = make_awaiting_study(team.fabrique, team.officer)
    response = login(team.officer).post(url(team, "study_decide", pk=study.pk), {"outcome": "go"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.stage == StudyStage.GO
    assert study.projects.count() == 1
    page = text(login(team.reader).get(url(team, "study_detail", pk=study.pk)))
    assert str(study.projects.get()) in page  # forward link to the project


def test_reader_cannot_decide_or_submit(team, login):
    study = make_awaiting_study(team.fabrique, team.officer)
    client = login(team.reader)
    assert client.post(url(team, "study_decide", pk=study.pk), {"outcome": "go"}).status_code == 403
    assert client.post(url(team, "study_submit", pk=study.pk)).status_code == 403
    page = text(client.get(url(team, "study_detail", pk=study.pk)))
    assert url(team, "study_update", pk=study.pk) not in page  # no edit button for a reader
    study.refresh_from_db()
    assert study.stage == StudyStage.AWAITING_DECISION


# --- print, PDF, list, network ---------------------------------------------------------------------------------


def test_study_print_and_pdf(team, login):
    study = make_awaiting_study(team.fabrique, team.officer, title="Épicerie itinérante")
    client = login(team.reader)
    page = text(client.get(url(team, "study_print", pk=study.pk)))
    assert "Épicerie itinérante" in page and "Esquisse" not in page and "Proposition de valeur" in page
    response = client.get(url(team, "study_pdf", pk=study.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_study_list_filters(team, login):
    make_study(team.fabrique, team.officer, title="Mobilité")
    make_awaiting_study(team.fabrique, team.officer, title="Épicerie")
    client = login(team.reader)
    page = text(client.get(url(team, "study_list") + "?stage=awaiting_decision"))
    assert "Épicerie" in page and "Mobilité" not in page
    page = text(client.get(url(team, "study_list") + "?q=mobil"))
    assert "Mobilité" in page and "Épicerie" not in page


def test_network_columns_count_concluded_studies(team):
    figures = network_figures()
    assert "Études conclues" in [str(c) for c in figures["columns"]]
    assert "Séances de créativité tenues" in [str(c) for c in figures["columns"]]
