import pytest
from django.urls import reverse

from fabrique.workstreams.models import Workstream
from tests.directory.factories import make_organization

from .factories import make_workstream

pytestmark = pytest.mark.django_db


def url(team, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def form(**overrides):
    return {
        "name": "Habitat inclusif",
        "code": "",
        "status": "active",
        "lead": "",
        "members": [],
        "colour": "",
        "description": "",
        **overrides,
    }


def test_list_and_detail(team, other_team, login):
    org = make_organization(team.fabrique, team.officer, name="La Ruche")
    ws = make_workstream(team.fabrique, team.officer, name="Alimentation", lead=team.officer, members=[org])
    make_workstream(other_team.fabrique, other_team.officer, name="Secret de Vendée")
    client = login(team.reader)
    body = client.get(url(team, "workstream_list")).content.decode()
    assert "Alimentation" in body and "Secret" not in body and "1 chantier" in body
    assert "Créer un chantier" not in body
    body = client.get(url(team, "workstream_detail", pk=ws.pk)).content.decode()
    assert "La Ruche" in body and str(team.officer) in body and "Historique" in body
    assert "Retirer" not in body
    # the menu shows the workstreams
    assert f'href="{url(team, "workstream_list")}"' in body


def test_create_update_delete(team, login):
    org = make_organization(team.fabrique, team.officer)
    client = login(team.officer)
    response = client.post(
        url(team, "workstream_create"), form(lead=team.officer.pk, members=[org.pk], colour="#aabbcc")
    )
    ws = Workstream.objects.get()
    assert response["Location"] == url(team, "workstream_detail", pk=ws.pk)
    assert ws.code == "habitat-inclusif" and list(ws.members.all()) == [org]
    response = client.post(url(team, "workstream_update", pk=ws.pk), form(name="Habitat", code="habitat"))
    assert response.status_code == 302
    ws.refresh_from_db()
    assert (ws.name, ws.code, list(ws.members.all())) == ("Habitat", "habitat", [])
    response = client.post(url(team, "workstream_delete", pk=ws.pk))
    assert response.status_code == 302 and not Workstream.objects.exists()


def test_form_errors_are_french_and_save_nothing(team, other_team, login):
    theirs = make_organization(other_team.fabrique, other_team.officer)
    make_workstream(team.fabrique, team.officer, code="habitat")
    client = login(team.officer)
    response = client.post(
        url(team, "workstream_create"), form(members=[theirs.pk], lead=other_team.officer.pk, colour="bleu")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in body
    assert "#RRVVBB" in body
    response = client.post(url(team, "workstream_create"), form(code="habitat"))
    assert "Un chantier de la fabrique porte déjà le code « habitat »." in response.content.decode()
    assert Workstream.objects.count() == 1


def test_reader_cannot_post_and_other_fabrique_is_404(team, other_team, login):
    ws = make_workstream(team.fabrique, team.officer)
    theirs = make_workstream(other_team.fabrique, other_team.officer)
    assert login(team.reader).post(url(team, "workstream_create"), form()).status_code == 403
    client = login(team.admin)
    assert client.get(url(team, "workstream_detail", pk=theirs.pk)).status_code == 404
    assert client.post(url(team, "workstream_delete", pk=theirs.pk)).status_code == 404
    assert client.get(url(team, "workstream_detail", pk=ws.pk)).status_code == 200


def test_member_add_and_remove_pages(team, other_team, login):
    org = make_organization(team.fabrique, team.officer, name="La Ruche")
    theirs = make_organization(other_team.fabrique, other_team.officer)
    ws = make_workstream(team.fabrique, team.officer)
    client = login(team.officer)
    assert "Ajouter au chantier" in client.get(url(team, "workstream_detail", pk=ws.pk)).content.decode()
    response = client.post(url(team, "workstream_member_add", pk=ws.pk), {"organization": theirs.pk})
    assert response.status_code == 200 and not ws.members.exists()
    response = client.post(url(team, "workstream_member_add", pk=ws.pk), {"organization": org.pk})
    assert response.status_code == 302 and list(ws.members.all()) == [org]
    remove = url(team, "workstream_member_remove", pk=ws.pk, organization_pk=org.pk)
    assert "Retirer « La Ruche »" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert not ws.members.exists()
    assert client.get(remove).status_code == 404  # no longer a member
