"""List search ignores accents and case: "creche" finds "Crèche", "ecole" finds "École", through the
stored folded column (core.models.SearchText) written on save, by the network generator's bulk
inserts and when a person's name is masked in free text."""

import pytest
from django.test import Client
from django.urls import reverse

from fabrique.core.models import fill_search_text
from fabrique.demo.network import extend_fabrique
from fabrique.needs.models import Need, NeedReport, NeedStage
from fabrique.privacy.services import mask_free_text
from fabrique.projects.models import Project
from fabrique.studies.models import Study
from tests.committees.factories import make_study

pytestmark = pytest.mark.django_db


def _listed(client, fabrique, name: str, query: str) -> str:
    url = reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug})
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_list_searches_ignore_accents_and_case(team, other_team):
    fabrique = team.fabrique
    need = Need.objects.create(
        fabrique=fabrique, title="Crèche à horaires décalés", reference="B-T001", stage=NeedStage.RETAINED
    )
    Need.objects.create(fabrique=fabrique, title="Laverie solidaire", reference="B-T002")
    Need.objects.create(fabrique=other_team.fabrique, title="Crèche voisine", reference="B-T003")
    NeedReport.objects.create(fabrique=fabrique, title="L'École ferme le mercredi", reference="S-T001")
    NeedReport.objects.create(fabrique=fabrique, title="Pas de laverie", reference="S-T002")
    make_study(team.fabrique, team.officer, title="Étude crèche inter-entreprises", needs=[need])
    Project.objects.create(fabrique=fabrique, title="Épicerie du Château", reference="P-T001")
    client = Client()
    client.force_login(team.reader, backend="django.contrib.auth.backends.ModelBackend")

    needs = _listed(client, fabrique, "need_list", "creche DECALES")
    assert "Crèche à horaires décalés" in needs and "Laverie" not in needs and "voisine" not in needs
    reports = _listed(client, fabrique, "report_list", "ecole")
    assert "L&#x27;École ferme le mercredi" in reports and "Pas de laverie" not in reports
    assert "Étude crèche inter-entreprises" in _listed(client, fabrique, "study_list", "etude creche")
    assert "Épicerie du Château" in _listed(client, fabrique, "project_list", "epicerie chateau")
    assert "Crèche à horaires" in _listed(client, fabrique, "need_list", "b-t001")  # a reference


def test_the_column_follows_every_write(team):
    need = Need.objects.create(fabrique=team.fabrique, title="Crèche", reference="B-T001")
    assert need.search_text == "b t001 creche"
    need.title = "Maison de santé"
    need.save(update_fields=["title"])  # a partial save rewrites the column too
    assert Need.objects.filter(search_text__contains="sante").get() == need

    # the network generator's bulk inserts fill it
    extend_fabrique(
        team.fabrique,
        volumes={"organizations": 1, "people": 1, "needs": 3, "reports": 3, "studies": 1, "projects": 1},
        seed=1,
        actor=team.officer,
    )
    for model in (Need, NeedReport, Study, Project):
        rows = model.objects.filter(fabrique=team.fabrique)
        assert rows.exists() and not rows.filter(search_text="").exists(), model

    # the data migration's helper rebuilds it for rows written without it
    Need.objects.filter(pk=need.pk).update(search_text="")
    fill_search_text(Need, Need.search_fields)
    assert Need.objects.get(pk=need.pk).search_text == "b t001 maison de sante"


def test_masking_a_name_rewrites_the_search_column(team):
    report = NeedReport.objects.create(
        fabrique=team.fabrique, title="Laverie", description="Signalé par Hélène Quéméner au CCAS"
    )
    assert "quemener" in report.search_text
    mask_free_text(fabrique=team.fabrique, needles=["Hélène Quéméner"])
    report.refresh_from_db()
    assert "Quéméner" not in report.description
    assert "quemener" not in report.search_text and "helene" not in report.search_text
    assert "laverie" in report.search_text


def test_commune_filters_are_autocompletes_resolved_without_javascript(team):
    """The commune filter of the lists never lists the communes (35,000): the commune autocomplete,
    whose value ("commune:44109"), name or code is resolved on the server."""
    from fabrique.territories.models import Commune

    nantes = Commune.objects.get(code="44109", kind=Commune.Kind.CURRENT)
    Need.objects.create(fabrique=team.fabrique, title="Laverie nantaise", reference="B-T001", commune=nantes)
    Need.objects.create(fabrique=team.fabrique, title="Laverie ailleurs", reference="B-T002")
    client = Client()
    client.force_login(team.reader, backend="django.contrib.auth.backends.ModelBackend")
    for name in ("need_list", "report_list", "project_list", "organization_list"):
        url = reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug})
        page = client.get(url).content.decode()
        assert 'data-types="commune"' in page and ">Nantes<" not in page, name
        assert "territory-autocomplete.js" in page, name
    url = reverse("backoffice:need_list", kwargs={"fabrique_slug": team.fabrique.slug})
    for value in ("commune:44109", "Nantes", "44109"):
        page = client.get(url, {"commune": value}).content.decode()
        assert "Laverie nantaise" in page and "Laverie ailleurs" not in page, value
    page = client.get(url, {"commune": "Nulle-Part-sur-Mer"}).content.decode()
    assert "Aucune commune ne correspond à « Nulle-Part-sur-Mer »." in page


def test_pipeline_list_search_ignores_accents(team):
    Need.objects.create(fabrique=team.fabrique, title="Laverie du Château", reference="B-T001")
    Study.objects.create(fabrique=team.fabrique, title="Étude laverie", reference="E-T001")
    Project.objects.create(fabrique=team.fabrique, title="Laverie solidaire", reference="P-T001")
    client = Client()
    client.force_login(team.reader, backend="django.contrib.auth.backends.ModelBackend")
    page = _listed(client, team.fabrique, "pipeline_list", "chateau")
    assert "Laverie du Château" in page and "Laverie solidaire" not in page
    assert "Étude laverie" in _listed(client, team.fabrique, "pipeline_list", "etude")
    # its commune filter is the commune autocomplete too
    from fabrique.territories.models import Commune

    Need.objects.filter(title="Laverie du Château").update(
        commune=Commune.objects.get(code="44109", kind=Commune.Kind.CURRENT)
    )
    url = reverse("backoffice:pipeline_list", kwargs={"fabrique_slug": team.fabrique.slug})
    page = client.get(url).content.decode()
    assert 'data-types="commune"' in page and ">Nantes<" not in page
    page = client.get(url, {"commune": "commune:44109"}).content.decode()
    assert "Laverie du Château" in page and "Laverie solidaire" not in page
