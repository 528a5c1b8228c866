"""Partners of studies and projects: organisations of the directory with a role (issue 14)."""

from html import unescape

import pytest
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.committees.registry import involved_organization_ids
from fabrique.core.errors import DomainError
from fabrique.projects.models import PartnerRole, Partnership
from fabrique.projects.partners import partner_add, partner_remove, partners_of

from .factories import make_organization, make_project, make_study

pytestmark = pytest.mark.django_db


def url(name, team, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def test_add_and_remove_a_partner_is_audited_on_the_project(team):
    project = make_project(team.fabrique, title="Garage solidaire")
    org = make_organization(team.fabrique, name="Fondation Mobilité")
    partnership = partner_add(
        target=project, organization=org, role=PartnerRole.FUNDER, note="finance l'étude", actor=team.officer
    )
    assert list(partners_of(project)) == [partnership]
    added = AuditEntry.objects.get(action="projects.project.partner_added")
    assert added.target_id == str(project.pk)
    assert added.new_values == {
        "partenaire": "Fondation Mobilité (financeur)",
        "précisions": "finance l'étude",
    }

    partner_remove(partnership=partnership, actor=team.officer)
    assert list(partners_of(project)) == []
    assert Partnership.all_objects.get(pk=partnership.pk).is_deleted
    removed = AuditEntry.objects.get(action="projects.project.partner_removed")
    assert removed.old_values == {"partenaire": "Fondation Mobilité (financeur)"}


def test_an_organisation_may_hold_two_roles_but_not_the_same_one_twice(team):
    study = make_study(team.fabrique)
    org = make_organization(team.fabrique, name="Mairie de Rezé")
    partner_add(target=study, organization=org, role=PartnerRole.PUBLIC_AUTHORITY, actor=team.officer)
    partner_add(target=study, organization=org, role=PartnerRole.HOST, actor=team.officer)
    with pytest.raises(DomainError, match="déjà partenaire"):
        partner_add(target=study, organization=org, role=PartnerRole.HOST, actor=team.officer)
    assert partners_of(study).count() == 2


def test_a_partner_of_another_fabrique_or_an_unknown_role_is_refused(team, other_team):
    project = make_project(team.fabrique)
    foreign = make_organization(other_team.fabrique, name="Ailleurs")
    with pytest.raises(DomainError, match="annuaire de la fabrique"):
        partner_add(target=project, organization=foreign, role=PartnerRole.CLIENT, actor=team.officer)
    org = make_organization(team.fabrique)
    with pytest.raises(DomainError, match="Rôle de partenaire inconnu"):
        partner_add(target=project, organization=org, role="sponsor", actor=team.officer)
    assert not Partnership.all_objects.exists()
    assert not AuditEntry.objects.filter(action__endswith="partner_added").exists()


def test_partners_are_involved_for_conflicts_of_interest(team):
    study = make_study(team.fabrique)
    project = make_project(team.fabrique)
    org = make_organization(team.fabrique, name="Réseau Cocagne")
    partner_add(target=study, organization=org, role=PartnerRole.NETWORK, actor=team.officer)
    partnership = partner_add(
        target=project, organization=org, role=PartnerRole.TECHNICAL, actor=team.officer
    )
    assert org.pk in involved_organization_ids(study)
    assert org.pk in involved_organization_ids(project)
    partner_remove(partnership=partnership, actor=team.officer)
    assert org.pk not in involved_organization_ids(project)


def test_the_project_page_lists_partners_and_adds_one_by_name(team, login):
    project = make_project(team.fabrique, title="Épicerie mobile")
    make_organization(team.fabrique, name="Banque alimentaire 44")
    client = login(team.officer)
    response = client.post(
        url("project_partner_add", team, pk=project.pk),
        {"organization": "Banque alimentaire 44", "role": "technical", "note": "fournit les denrées"},
    )
    assert response.status_code == 302
    page = unescape(client.get(url("project_detail", team, pk=project.pk)).content.decode())
    assert "Banque alimentaire 44" in page and "partenaire technique" in page
    assert "fournit les denrées" in page and "Ajout d'un partenaire — projet" in page


def test_the_add_form_says_what_is_wrong_in_french(team, login):
    study = make_study(team.fabrique)
    client = login(team.officer)
    response = client.post(
        url("study_partner_add", team, pk=study.pk), {"organization": "Inconnue", "role": ""}
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Aucun élément ne correspond à « Inconnue »" in page
    assert "Ce champ est obligatoire" in page
    assert not Partnership.all_objects.exists()


def test_the_organisation_page_lists_what_it_is_partner_of(team, login):
    study = make_study(team.fabrique, title="Étude mobilité rurale")
    org = make_organization(team.fabrique, name="Wimoov")
    partner_add(target=study, organization=org, role=PartnerRole.PRESCRIBER, actor=team.officer)
    page = unescape(login(team.reader).get(url("organization_detail", team, pk=org.pk)).content.decode())
    assert "Partenariats (études et projets)" in page
    assert "Étude mobilité rurale" in page and "prescripteur" in page


def test_removing_asks_for_confirmation_then_removes(team, login):
    project = make_project(team.fabrique)
    org = make_organization(team.fabrique, name="Le Relais")
    partnership = partner_add(target=project, organization=org, role=PartnerRole.CLIENT, actor=team.officer)
    client = login(team.officer)
    page = unescape(client.get(url("partner_remove", team, pk=partnership.pk)).content.decode())
    assert "Retirer « Le Relais » (client ou bénéficiaire)" in page
    assert client.post(url("partner_remove", team, pk=partnership.pk)).status_code == 302
    assert not partners_of(project).exists()
