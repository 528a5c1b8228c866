import pytest
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.directory.models import Organization, Person
from fabrique.workstreams.models import Workstream
from tests.directory.factories import make_commune, make_organization, make_person
from tests.workstreams.factories import make_workstream

pytestmark = pytest.mark.django_db


def api(team, name, **kwargs):
    return reverse(f"api:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


@pytest.fixture
def client_for(client):
    def _client(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _client


def test_list_is_scoped_paginated_and_searchable(team, other_team, client_for):
    make_organization(team.fabrique, team.officer, name="Les Écossolies", siren="552100554")
    make_organization(team.fabrique, team.officer, name="La Ruche")
    make_organization(other_team.fabrique, other_team.officer, name="Secret de Vendée")
    client = client_for(team.reader)
    data = client.get(api(team, "organization-list")).json()
    assert data["count"] == 2
    assert sorted(o["name"] for o in data["results"]) == ["La Ruche", "Les Écossolies"]
    data = client.get(api(team, "organization-list"), {"q": "ecossolies"}).json()
    assert [o["siren"] for o in data["results"]] == ["552100554"]


def test_create_goes_through_the_service(team, client_for):
    make_commune(postal_codes="44000")
    client = client_for(team.officer)
    response = client.post(
        api(team, "organization-list"),
        {
            "name": "Tiers-lieu",
            "kind": "association",
            "siren": "552 100 554",
            "commune": "44109",
            "postal_code": "44000",
            "roles": ["reporter", "funder"],
            "phone": "02 40 12 34 56",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["siren"] == "552100554" and body["commune"] == "44109" and body["commune_name"] == "Nantes"
    assert body["phone"] == "+33240123456"
    org = Organization.objects.get()
    assert AuditEntry.objects.for_target(org).get().actor == team.officer


def test_validation_errors_are_400_in_french(team, client_for):
    client = client_for(team.officer)
    response = client.post(
        api(team, "organization-list"),
        {"name": "X", "kind": "association", "siren": "552100555"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["siren"] == [
        "Le numéro SIREN 552100555 n'est pas valide (clé de contrôle incorrecte)."
    ]
    make_commune("44143", "Rezé", postal_codes="44400")
    response = client.post(
        api(team, "organization-list"),
        {"name": "X", "kind": "association", "commune": "44143", "postal_code": "44000"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "ne correspond pas à la commune Rezé" in response.json()["postal_code"][0]
    response = client.post(
        api(team, "organization-list"), {"kind": "association"}, content_type="application/json"
    )
    assert response.json()["name"] == ["Ce champ est obligatoire."]
    assert not Organization.all_objects.exists()


def test_duplicates_need_a_confirmation(team, client_for):
    existing = make_organization(team.fabrique, team.officer, name="La Ruche")
    client = client_for(team.officer)
    payload = {"name": "LA RUCHE", "kind": "association"}
    response = client.post(api(team, "organization-list"), payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "probable_duplicate"
    assert body["duplicates"] == [{"id": existing.pk, "label": "La Ruche"}]
    response = client.post(
        api(team, "organization-list"),
        {**payload, "confirm_not_duplicate": True},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_update_and_soft_delete(team, client_for):
    org = make_organization(team.fabrique, team.officer, name="La Ruche")
    client = client_for(team.officer)
    response = client.patch(
        api(team, "organization-detail", pk=org.pk),
        {"description": "Tiers-lieu"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["description"] == "Tiers-lieu"
    assert AuditEntry.objects.for_target(org).filter(action="directory.organization.updated").exists()
    assert client.delete(api(team, "organization-detail", pk=org.pk)).status_code == 204
    assert Organization.all_objects.get(pk=org.pk).is_deleted
    assert client.get(api(team, "organization-detail", pk=org.pk)).status_code == 404


def test_roles_and_tenants(team, other_team, client_for, client):
    ours = make_person(team.fabrique, team.officer)
    theirs = make_organization(other_team.fabrique, other_team.officer)
    assert client.get(api(team, "person-list")).status_code in (401, 403)  # anonymous
    assert client_for(team.partner).get(api(team, "person-list")).status_code == 403
    reader = client_for(team.reader)
    assert reader.get(api(team, "person-detail", pk=ours.pk)).status_code == 200
    assert (
        reader.post(
            api(team, "organization-list"), {"name": "X", "kind": "other"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert reader.delete(api(team, "person-detail", pk=ours.pk)).status_code == 403
    admin = client_for(team.admin)
    assert admin.get(api(team, "organization-detail", pk=theirs.pk)).status_code == 404
    assert admin.get(api(other_team, "organization-list")).status_code == 404


def test_people_organization_is_scoped(team, other_team, client_for):
    theirs = make_organization(other_team.fabrique, other_team.officer)
    ours = make_organization(team.fabrique, team.officer)
    client = client_for(team.officer)
    payload = {
        "last_name": "Martin",
        "purpose": "workstreams",
        "legal_basis": "legitimate-interest",
        "email": "camille@example.org",
    }
    response = client.post(
        api(team, "person-list"), {**payload, "organization": theirs.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and "organization" in response.json()
    response = client.post(
        api(team, "person-list"), {**payload, "organization": ours.pk}, content_type="application/json"
    )
    assert response.status_code == 201
    assert Person.objects.get().organization == ours
    response = client.post(
        api(team, "person-list"), {**payload, "phone": "123"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "n'est pas valide" in response.json()["phone"][0]


def test_workstreams_api(team, other_team, client_for):
    ours = make_organization(team.fabrique, team.officer)
    theirs = make_organization(other_team.fabrique, other_team.officer)
    make_workstream(other_team.fabrique, other_team.officer, name="Secret")
    client = client_for(team.officer)
    response = client.post(
        api(team, "workstream-list"),
        {"name": "Mobilité", "members": [ours.pk, theirs.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "members" in response.json()
    response = client.post(
        api(team, "workstream-list"),
        {"name": "Mobilité", "members": [ours.pk], "lead": team.officer.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "mobilite" and response.json()["members"] == [ours.pk]
    data = client.get(api(team, "workstream-list")).json()
    assert [w["name"] for w in data["results"]] == ["Mobilité"]
    ws = Workstream.objects.get(fabrique=team.fabrique)
    response = client.patch(
        api(team, "workstream-detail", pk=ws.pk),
        {"lead": other_team.officer.pk},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_schema_documents_the_endpoints(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/{fabrique_slug}/organizations/" in text and "annuaire" in text and "chantiers" in text
