import pytest
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.directory.models import Interaction, Organization, Person
from fabrique.directory.services import person_anonymize
from tests.workstreams.factories import make_workstream

from .factories import make_commune, make_organization, make_person

pytestmark = pytest.mark.django_db


def url(team, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


ORG_FORM = {
    "name": "Tiers-lieu du Breil",
    "kind": "association",
    "siren": "",
    "roles": ["reporter", "partner"],
    "address": "1 rue de la Mairie",
    "postal_code": "",
    "commune": "",
    "website": "",
    "email": "",
    "phone": "",
    "description": "",
}


def test_list_search_filter_and_count(team, other_team, login):
    make_organization(team.fabrique, team.officer, name="Les Écossolies", siren="552100554")
    make_organization(team.fabrique, team.officer, name="La Ruche", kind="cooperative", roles=["funder"])
    make_organization(other_team.fabrique, other_team.officer, name="Secret de Vendée")
    client = login(team.reader)
    response = client.get(url(team, "organization_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Les Écossolies" in body and "La Ruche" in body
    assert "Secret de Vendée" not in body
    assert "2 structures" in body
    assert 'data-label="Nom"' in body  # readable on a phone
    assert "Ajouter une structure" not in body  # reader: no edit button
    response = client.get(url(team, "organization_list"), {"q": "ecossolies"})
    assert "Les Écossolies" in response.content.decode() and "La Ruche" not in response.content.decode()
    assert "1 structure" in response.content.decode()
    response = client.get(url(team, "organization_list"), {"kind": "cooperative", "role": "funder"})
    assert [o.name for o in response.context["organizations"]] == ["La Ruche"]


def test_list_paginates(team, login):
    for i in range(27):
        make_organization(team.fabrique, team.officer, name=f"Structure {i:02d}")
    client = login(team.officer)
    response = client.get(url(team, "organization_list"), {"q": "structure"})
    assert len(response.context["organizations"]) == 25
    assert response.context["total"] == 27
    body = response.content.decode()
    assert "Page 1 sur 2" in body and "q=structure&amp;page=2" in body
    response = client.get(url(team, "organization_list"), {"q": "structure", "page": 2})
    assert len(response.context["organizations"]) == 2


def test_lists_count_the_page_rows_only_and_keep_their_order_on_deep_pages(team, login):
    """Issue 10: the people counts are read for the page's rows (one grouped query, not a count over
    every organisation), and a deep page (ids first, then the rows) keeps the list's order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fabrique.directory.services import person_delete

    orgs = [make_organization(team.fabrique, team.officer, name=f"Structure {i:02d}") for i in range(27)]
    for i in range(3):
        make_person(team.fabrique, team.officer, last_name=f"Nom{i}", organization=orgs[0])
    gone = make_person(team.fabrique, team.officer, last_name="Parti", organization=orgs[0])
    person_delete(person=gone, actor=team.officer)
    make_person(team.fabrique, team.officer, last_name="Seul", organization=orgs[26])
    client = login(team.officer)
    response = client.get(url(team, "organization_list"), {"q": "structure"})
    counts = {o.name: o.people_count for o in response.context["organizations"]}
    assert counts["Structure 00"] == 3 and counts["Structure 01"] == 0  # the deleted contact is not counted
    with CaptureQueriesContext(connection) as first:
        client.get(url(team, "organization_list"), {"q": "structure"})
    with CaptureQueriesContext(connection) as second:
        response = client.get(url(team, "organization_list"), {"q": "structure", "page": 2})
    assert [(o.name, o.people_count) for o in response.context["organizations"]] == [
        ("Structure 25", 0),
        ("Structure 26", 1),
    ]
    assert len(second) == len(first)
    for i in range(30):
        make_person(team.fabrique, team.officer, last_name=f"Z{i:02d}", first_name="Alex")
    response = client.get(url(team, "person_list"), {"page": 2})
    names = [p.last_name for p in response.context["people"]]
    assert names == sorted(names) and names[-1] == "Z29" and len(names) == 34 - 25


def test_detail_shows_facts_people_workstreams_and_timeline(team, login):
    nantes = make_commune(postal_codes="44000")
    org = make_organization(
        team.fabrique,
        team.officer,
        name="Les Écossolies",
        siren="552100554",
        commune=nantes,
        postal_code="44000",
        phone="0240123456",
        roles=["funder"],
    )
    make_person(team.fabrique, team.officer, first_name="Hélène", last_name="Gaudin", organization=org)
    make_workstream(team.fabrique, team.officer, name="Réemploi", members=[org])
    client = login(team.reader)
    response = client.get(url(team, "organization_detail", pk=org.pk))
    body = response.content.decode()
    for text in (
        "552100554",
        "02 40 12 34 56",
        "Nantes",
        "Hélène Gaudin",
        "Réemploi",
        "financeur",
        "Historique",
        "Création — structure",
    ):
        assert text in body, text
    assert "Modifier" not in body  # reader
    response = login(team.officer).get(url(team, "organization_detail", pk=org.pk))
    assert "Modifier" in response.content.decode()
    assert "Ajouter un échange" in response.content.decode()


def test_create_with_a_bad_siren_shows_a_french_error_and_saves_nothing(team, login):
    client = login(team.officer)
    response = client.post(url(team, "organization_create"), {**ORG_FORM, "siren": "552100555"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Le numéro SIREN 552100555 n&#x27;est pas valide (clé de contrôle incorrecte)." in body
    assert "Le formulaire contient des erreurs" in body
    assert not Organization.all_objects.exists()
    assert not AuditEntry.objects.exists()


def test_create_and_update(team, login):
    client = login(team.officer)
    response = client.post(url(team, "organization_create"), {**ORG_FORM, "siren": "552 100 554"})
    org = Organization.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(team, "organization_detail", pk=org.pk)
    assert org.siren == "552100554"
    assert org.roles == ["reporter", "partner"]
    response = client.post(url(team, "organization_update", pk=org.pk), {**ORG_FORM, "name": "Le Breil"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Le Breil"
    entry = AuditEntry.objects.for_target(org).get(action="directory.organization.updated")
    assert entry.old_values["name"] == "Tiers-lieu du Breil"


def test_commune_by_insee_code_and_postal_code_consistency(team, login):
    nantes = make_commune(postal_codes="44000|44100|44200|44300")
    client = login(team.officer)
    response = client.post(
        url(team, "organization_create"), {**ORG_FORM, "commune": "44109", "postal_code": "44400"}
    )
    assert "Le code postal 44400 ne correspond pas à la commune Nantes" in response.content.decode()
    assert not Organization.objects.exists()
    response = client.post(
        url(team, "organization_create"), {**ORG_FORM, "commune": "44109", "postal_code": "44000"}
    )
    assert response.status_code == 302
    assert Organization.objects.get().commune == nantes


def test_duplicate_warning_then_confirmation(team, login):
    existing = make_organization(team.fabrique, team.officer, name="Tiers-lieu du Breil")
    client = login(team.officer)
    response = client.post(url(team, "organization_create"), ORG_FORM)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Doublon probable" in body
    assert url(team, "organization_detail", pk=existing.pk) in body
    assert "Je confirme qu&#x27;il ne s&#x27;agit pas d&#x27;un doublon" in body
    assert Organization.objects.count() == 1
    response = client.post(url(team, "organization_create"), {**ORG_FORM, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Organization.objects.count() == 2


def test_reader_cannot_post(team, login):
    org = make_organization(team.fabrique, team.officer)
    client = login(team.reader)
    assert client.post(url(team, "organization_create"), ORG_FORM).status_code == 403
    assert client.post(url(team, "organization_delete", pk=org.pk)).status_code == 403
    assert client.get(url(team, "organization_update", pk=org.pk)).status_code == 403
    assert Organization.objects.count() == 1


def test_partner_sees_nothing_of_the_directory(team, login):
    person = make_person(team.fabrique, team.officer)
    client = login(team.partner)
    assert client.get(url(team, "person_list")).status_code == 403
    assert client.get(url(team, "person_detail", pk=person.pk)).status_code == 403


def test_another_fabriques_objects_are_404(team, other_team, login):
    org = make_organization(other_team.fabrique, other_team.officer)
    person = make_person(other_team.fabrique, other_team.officer)
    client = login(team.admin)
    for name, pk in (
        ("organization_detail", org.pk),
        ("organization_update", org.pk),
        ("organization_delete", org.pk),
        ("person_detail", person.pk),
        ("person_anonymize", person.pk),
    ):
        assert client.get(url(team, name, pk=pk)).status_code == 404, name
    assert client.post(url(team, "organization_delete", pk=org.pk)).status_code == 404
    assert Organization.objects.filter(pk=org.pk).exists()


def test_delete_confirmation_then_soft_delete(team, login):
    org = make_organization(team.fabrique, team.officer, name="La Ruche")
    client = login(team.officer)
    response = client.get(url(team, "organization_delete", pk=org.pk))
    assert "Supprimer « La Ruche » ?" in response.content.decode()
    response = client.post(url(team, "organization_delete", pk=org.pk))
    assert response.status_code == 302
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert client.get(url(team, "organization_detail", pk=org.pk)).status_code == 404


PERSON_FORM = {
    "first_name": "Camille",
    "last_name": "Martin",
    "organization": "",
    "job_title": "",
    "email": "camille@example.org",
    "phone": "",
    "notes": "",
    "purpose": "workstreams",
    "legal_basis": "legitimate-interest",
    "consent_date": "",
    "consent_source": "",
    "retention_until": "2029-01-31",
}


def test_person_create_errors_in_french_and_duplicate_email(team, other_team, login):
    foreign = make_organization(other_team.fabrique, other_team.officer)
    client = login(team.officer)
    response = client.post(
        url(team, "person_create"),
        {**PERSON_FORM, "phone": "123", "organization": foreign.pk, "legal_basis": "consent"},
    )
    body = response.content.decode()
    assert "Le numéro de téléphone « 123 » n&#x27;est pas valide" in body
    # another fabrique's organisation is not a choice (the field is an autocomplete of the directory)
    assert f"Aucun élément ne correspond à « {foreign.pk} »" in body
    assert not Person.all_objects.exists()
    response = client.post(url(team, "person_create"), PERSON_FORM)
    assert response.status_code == 302
    response = client.post(url(team, "person_create"), {**PERSON_FORM, "first_name": "Dominique"})
    assert "Doublon probable" in response.content.decode()
    assert Person.objects.count() == 1


def test_person_detail_and_anonymize(team, login):
    person = make_person(
        team.fabrique, team.officer, first_name="Camille", last_name="Martin", email="camille@example.org"
    )
    client = login(team.officer)
    body = client.get(url(team, "person_detail", pk=person.pk)).content.decode()
    assert "camille@example.org" in body and "Données personnelles (RGPD)" in body and "Anonymiser" in body
    response = client.post(url(team, "person_anonymize", pk=person.pk))
    assert response.status_code == 302
    body = client.get(url(team, "person_detail", pk=person.pk)).content.decode()
    assert "Contact anonymisé" in body
    assert "camille@example.org" not in body  # not even in the timeline of the creation
    assert "Martin" not in body
    assert client.get(url(team, "person_update", pk=person.pk)).status_code == 404


def test_anonymize_is_refused_to_a_reader(team, login):
    person = make_person(team.fabrique, team.officer)
    assert login(team.reader).post(url(team, "person_anonymize", pk=person.pk)).status_code == 403
    person.refresh_from_db()
    assert not person.is_anonymized


def test_interactions(team, login):
    org = make_organization(team.fabrique, team.officer)
    person = make_person(team.fabrique, team.officer, organization=org)
    client = login(team.officer)
    response = client.post(
        url(team, "organization_interaction_create", organization_pk=org.pk),
        {"date": "2026-11-20", "kind": "meeting", "person": person.pk, "summary": "Visite"},
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert (interaction.organization, interaction.person, interaction.author) == (org, person, team.officer)
    assert "Visite" in client.get(url(team, "person_detail", pk=person.pk)).content.decode()
    response = client.post(
        url(team, "organization_interaction_create", organization_pk=org.pk),
        {"date": "", "kind": "meeting", "summary": ""},
    )
    assert response.status_code == 200 and Interaction.objects.count() == 1
    response = client.post(url(team, "interaction_delete", pk=interaction.pk), {"retour": "contact"})
    assert response["Location"] == url(team, "person_detail", pk=person.pk)
    assert not Interaction.objects.exists()


def test_dashboard_shows_directory_figures(team, login):
    make_organization(team.fabrique, team.officer)
    make_person(team.fabrique, team.officer)
    body = login(team.reader).get(url(team, "dashboard")).content.decode()
    assert url(team, "organization_list") in body
    assert url(team, "person_list") in body
    assert url(team, "workstream_list") in body


def test_network_columns_are_counts(team):
    import fabrique.backoffice.views.directory  # noqa: F401 - registers the columns
    import fabrique.backoffice.views.workstreams  # noqa: F401
    from fabrique.network.selectors import network_figures

    make_organization(team.fabrique, team.officer)
    make_person(team.fabrique, team.officer)
    figures = network_figures()
    columns = [str(c) for c in figures["columns"]]
    [row] = [r for r in figures["rows"] if r["fabrique"] == team.fabrique]
    values = dict(zip(columns, row["values"], strict=True))
    assert values["Structures de l'annuaire"] == 1
    assert values["Chantiers actifs"] == 0


def test_anonymized_person_timeline_hides_values(team, login):
    person = make_person(team.fabrique, team.officer, last_name="Visible")
    person_anonymize(person=person, actor=team.officer)
    response = login(team.reader).get(url(team, "person_detail", pk=person.pk))
    assert "Visible" not in response.content.decode()
    assert "Anonymisation — contact" in response.content.decode()
