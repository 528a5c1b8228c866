"""Essaimage: publish a model sheet, search the library, reproduce a model (need or study), the source
fabrique sees the replication; documents; pages and access."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import DomainError
from fabrique.essaimage.models import Replication
from fabrique.essaimage.selectors import library, replication_places
from fabrique.essaimage.services import (
    model_document_add,
    model_replicate,
    model_sheet_publish,
    model_sheet_update,
)
from fabrique.needs.models import Need, NeedStage
from fabrique.notifications.models import Notification
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _memory_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def _publish(team, **extra):
    project = make_project(team.fabrique, title="Épicerie itinérante")
    fields = {
        "title": "Épicerie itinérante en camion",
        "need_answered": "Plus de commerce alimentaire dans les bourgs ruraux.",
        "theme": "food",
        "public": "elderly",
        "territory_kind": "rural",
        "economic_model": "Marge sur les ventes, aide au démarrage de l'intercommunalité.",
        **extra,
    }
    return model_sheet_publish(fabrique=team.fabrique, actor=team.officer, project=project, **fields)


def _client(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_publish_is_audited_and_validated(team):
    sheet = _publish(team)
    assert AuditEntry.objects.filter(action="essaimage.modelsheet.created", target_id=str(sheet.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        _publish(team, need_answered="  ")
    assert "Décrivez le besoin" in str(exc.value)


def test_library_search_by_theme_public_territory_and_words(team, other_team):
    food = _publish(team)
    urban = _publish(
        other_team, title="Garage solidaire", theme="mobility", territory_kind="urban", public=""
    )
    hidden = _publish(other_team, title="Brouillon", is_published=False)
    assert set(library()) == {food, urban}
    assert list(library(theme="food")) == [food]
    assert list(library(territory_kind="urban")) == [urban]
    assert list(library(public="elderly")) == [food]
    assert list(library(q="camion")) == [food]
    assert set(library(mine_of=other_team.fabrique)) == {urban, hidden}
    model_sheet_update(sheet=food, actor=team.officer, is_published=False)
    assert list(library()) == [urban]


def test_replicate_as_a_need_links_it_and_tells_the_source(
    team, other_team, django_capture_on_commit_callbacks
):
    sheet = _publish(team)
    with django_capture_on_commit_callbacks(execute=True):
        replication = model_replicate(
            sheet=sheet, fabrique=other_team.fabrique, actor=other_team.officer, kind="need"
        )
    need = replication.need
    assert need.fabrique == other_team.fabrique and need.stage == NeedStage.NEW
    assert "Épicerie itinérante en camion" in need.description and team.fabrique.name in need.description
    assert need.theme == "food" and need.public == "elderly"
    assert replication_places([sheet]) == {sheet.pk: [other_team.fabrique.name]}
    assert list(library())[0].replication_count == 1
    # audited on both sides, the source's team notified
    assert AuditEntry.objects.filter(
        action="essaimage.replication.created", fabrique=other_team.fabrique
    ).exists()
    assert AuditEntry.objects.filter(
        action="essaimage.modelsheet.replicated", fabrique=team.fabrique
    ).exists()
    assert Notification.objects.filter(
        fabrique=team.fabrique, kind="replication", recipient=team.officer
    ).exists()


def test_replicate_as_a_study_on_a_retained_need(team, other_team):
    sheet = _publish(team)
    retained = Need.objects.create(
        fabrique=other_team.fabrique, title="Commerce rural", stage=NeedStage.RETAINED
    )
    replication = model_replicate(
        sheet=sheet, fabrique=other_team.fabrique, actor=other_team.officer, kind="study", need=retained
    )
    assert replication.study.fabrique == other_team.fabrique
    assert list(replication.study.needs.all()) == [retained]
    retained.refresh_from_db()
    assert retained.stage == NeedStage.IN_STUDY
    with pytest.raises(ValidationError):
        model_replicate(sheet=sheet, fabrique=other_team.fabrique, actor=other_team.officer, kind="study")


def test_replication_refusals(team, other_team):
    sheet = _publish(team)
    with pytest.raises(DomainError, match="vient de votre fabrique"):
        model_replicate(sheet=sheet, fabrique=team.fabrique, actor=team.officer, kind="need")
    model_sheet_update(sheet=sheet, actor=team.officer, is_published=False)
    sheet.refresh_from_db()
    with pytest.raises(DomainError, match="n'est plus dans la bibliothèque"):
        model_replicate(sheet=sheet, fabrique=other_team.fabrique, actor=other_team.officer, kind="need")
    assert not Replication.objects.exists()


def test_documents_are_checked_and_served_to_the_network(team, other_team):
    sheet = _publish(team)
    with pytest.raises(ValidationError):
        model_document_add(
            sheet=sheet, actor=team.officer, title="Faux", file=ContentFile(b"MZ", name="virus.pdf")
        )
    document = model_document_add(
        sheet=sheet, actor=team.officer, title="Statuts", file=ContentFile(PDF, name="s.pdf")
    )
    url = reverse(
        "backoffice:model_document",
        kwargs={"fabrique_slug": other_team.fabrique.slug, "pk": sheet.pk, "document_pk": document.pk},
    )
    response = _client(other_team.reader).get(url)
    assert response.status_code == 200 and response.content == PDF
    model_sheet_update(sheet=sheet, actor=team.officer, is_published=False)
    assert _client(other_team.reader).get(url).status_code == 404  # withdrawn: no longer shared


def test_pages_publish_search_reproduce_and_see_where(team, other_team):
    project = make_project(team.fabrique, title="Garage solidaire")
    source = _client(team.officer)
    publish_url = reverse(
        "backoffice:model_sheet_publish", kwargs={"fabrique_slug": team.fabrique.slug, "pk": project.pk}
    )
    form = source.get(publish_url).content.decode()
    assert "Garage solidaire" in form  # prefilled from the project
    response = source.post(
        publish_url, {"title": "Garage solidaire", "need_answered": "", "is_published": "on"}
    )
    assert "Ce champ est obligatoire." in response.content.decode() and not project.model_sheets.exists()
    source.post(
        publish_url,
        {
            "title": "Garage solidaire",
            "need_answered": "Réparer sa voiture à bas prix",
            "theme": "mobility",
            "is_published": "on",
        },
    )
    sheet = project.model_sheets.get()
    other = _client(other_team.officer)
    library_url = reverse("backoffice:library", kwargs={"fabrique_slug": other_team.fabrique.slug})
    page = other.get(library_url + "?theme=mobility").content.decode()
    assert "Garage solidaire" in page and team.fabrique.name in page
    replicate_url = reverse(
        "backoffice:model_replicate", kwargs={"fabrique_slug": other_team.fabrique.slug, "pk": sheet.pk}
    )
    response = other.post(replicate_url, {"kind": "need", "title": "Garage solidaire chez nous"})
    assert response.status_code == 302
    need = Need.objects.get(fabrique=other_team.fabrique, title="Garage solidaire chez nous")
    assert response["Location"].endswith(f"/besoins/{need.pk}/")
    detail = source.get(
        reverse("backoffice:model_sheet_detail", kwargs={"fabrique_slug": team.fabrique.slug, "pk": sheet.pk})
    ).content.decode()
    assert other_team.fabrique.name in detail and "un besoin" in detail
    assert "Déjà reproduit à 1 endroit" in other.get(library_url).content.decode()
    # a reader sees the library but cannot reproduce
    assert _client(other_team.reader).get(replicate_url).status_code == 403


def test_reproduce_as_a_study_chooses_the_retained_need_by_autocomplete(team, other_team):
    """The retained need is never a <select>: the page carries the scoped autocomplete, a typed title
    is resolved on the server, and a need of another fabrique (or not retained) is refused in French."""
    sheet = _publish(team)
    retained = Need.objects.create(
        fabrique=other_team.fabrique, title="Épicerie rurale", stage=NeedStage.RETAINED
    )
    Need.objects.create(
        fabrique=other_team.fabrique, title="Épicerie à qualifier", stage=NeedStage.QUALIFYING
    )
    foreign = Need.objects.create(fabrique=team.fabrique, title="Épicerie voisine", stage=NeedStage.RETAINED)
    other = _client(other_team.officer)
    replicate_url = reverse(
        "backoffice:model_replicate", kwargs={"fabrique_slug": other_team.fabrique.slug, "pk": sheet.pk}
    )
    page = other.get(replicate_url).content.decode()
    assert 'data-types="retained_need"' in page and "Épicerie rurale" not in page
    response = other.post(replicate_url, {"kind": "study", "need": str(foreign.pk)})
    assert "Choisissez un besoin retenu de votre fabrique." in response.content.decode()
    response = other.post(replicate_url, {"kind": "study", "need": "épicerie à qualifier"})
    assert "Aucun élément ne correspond" in response.content.decode()
    assert not Replication.objects.exists()
    response = other.post(replicate_url, {"kind": "study", "need": "épicerie"})
    assert response.status_code == 302
    assert Replication.objects.get().study.needs.get() == retained


def test_library_search_ignores_accents(team, other_team):
    sheet = _publish(team)
    assert list(library(q="epicerie itinerante")) == [sheet]
    assert list(library(q="BOURGS ruraux")) == [sheet]  # the need answered
    assert list(library(q="épicerie fixe")) == []
