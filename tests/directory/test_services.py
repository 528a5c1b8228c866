import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import DomainError
from fabrique.directory.errors import ProbableDuplicate
from fabrique.directory.models import (
    EcosystemRole,
    Interaction,
    InteractionKind,
    LegalBasis,
    Organization,
    OrganizationKind,
    Person,
    Purpose,
)
from fabrique.directory.services import (
    interaction_create,
    organization_create,
    organization_delete,
    organization_update,
    person_anonymize,
    person_create,
    person_update,
)

from .factories import make_commune, make_organization, make_person

pytestmark = pytest.mark.django_db


def entries(target, action=None):
    qs = AuditEntry.objects.for_target(target)
    return list(qs.filter(action=action) if action else qs)


# --- organisations ---------------------------------------------------------------------------------------


def test_organization_create_normalises_and_logs(team):
    nantes = make_commune(postal_codes="44000|44100|44200|44300")
    org = organization_create(
        fabrique=team.fabrique,
        actor=team.officer,
        name="  Les Écossolies ",
        kind=OrganizationKind.SUPPORT_NETWORK,
        siren="552 100 554",
        commune=nantes,
        postal_code="44200",
        phone="02 40 12 34 56",
        email="Contact@Ecossolies.FR",
        roles=[EcosystemRole.FUNDER, EcosystemRole.REPORTER, EcosystemRole.FUNDER],
    )
    org.refresh_from_db()
    assert org.name == "Les Écossolies"
    assert org.normalized_name == "ecossolies"
    assert org.siren == "552100554"
    assert org.phone == "+33240123456"
    assert org.email == "contact@ecossolies.fr"
    assert org.roles == ["reporter", "funder"]
    [entry] = entries(org)
    assert entry.action == "directory.organization.created"
    assert entry.actor == team.officer
    assert entry.fabrique == team.fabrique
    assert entry.new_values["siren"] == "552100554"
    assert entry.new_values["commune"] == str(nantes)


def test_the_audit_row_is_in_the_same_transaction(team, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("log unavailable")

    monkeypatch.setattr("fabrique.core.services.audit_log", broken)
    with pytest.raises(RuntimeError):
        make_organization(team.fabrique, team.officer)
    assert not Organization.all_objects.exists()


def test_bad_siren_saves_nothing(team):
    with pytest.raises(ValidationError) as exc:
        make_organization(team.fabrique, team.officer, siren="552100555")
    assert exc.value.message_dict["siren"] == [
        "Le numéro SIREN 552100555 n'est pas valide (clé de contrôle incorrecte)."
    ]
    assert not Organization.all_objects.exists()
    assert not AuditEntry.objects.exists()


def test_bad_phone_and_postal_code(team):
    with pytest.raises(ValidationError) as exc:
        make_organization(team.fabrique, team.officer, phone="123", postal_code="440")
    assert set(exc.value.message_dict) == {"phone", "postal_code"}


def test_postal_code_must_match_the_commune(team):
    reze = make_commune("44143", "Rezé", postal_codes="44400")
    with pytest.raises(ValidationError) as exc:
        make_organization(team.fabrique, team.officer, commune=reze, postal_code="44000")
    assert exc.value.message_dict["postal_code"] == [
        "Le code postal 44000 ne correspond pas à la commune Rezé (44400)."
    ]
    assert make_organization(team.fabrique, team.officer, commune=reze, postal_code="44400").pk


def test_unknown_role_is_refused(team):
    with pytest.raises(ValidationError) as exc:
        make_organization(team.fabrique, team.officer, roles=["funder", "king"])
    assert "roles" in exc.value.message_dict


def test_organization_update_logs_old_and_new_values(team):
    org = make_organization(team.fabrique, team.officer, name="La Ruche", phone="0240123456")
    organization_update(organization=org, actor=team.admin, name="La Ruche solidaire", phone="02 40 12 34 56")
    org.refresh_from_db()
    assert org.name == "La Ruche solidaire"
    assert org.normalized_name == "ruche solidaire"
    [entry] = entries(org, "directory.organization.updated")
    assert entry.actor == team.admin
    # the phone did not change (same number written differently): only the name is logged
    # derived search keys (normalized_name) are not logged: only what a person changed
    assert entry.old_values == {"name": "La Ruche"}
    assert entry.new_values == {"name": "La Ruche solidaire"}


def test_organization_update_without_change_logs_nothing(team):
    org = make_organization(team.fabrique, team.officer, name="La Ruche")
    organization_update(organization=org, actor=team.admin, name="La Ruche")
    assert not entries(org, "directory.organization.updated")


def test_organization_update_refuses_unknown_fields(team):
    org = make_organization(team.fabrique, team.officer)
    with pytest.raises(TypeError):
        organization_update(organization=org, actor=team.admin, fabrique=None)


def test_organization_update_with_bad_siren_changes_nothing(team):
    org = make_organization(team.fabrique, team.officer, name="La Ruche")
    with pytest.raises(ValidationError):
        organization_update(organization=org, actor=team.admin, name="Autre", siren="552100555")
    org.refresh_from_db()
    assert org.name == "La Ruche"
    assert not entries(org, "directory.organization.updated")


def test_soft_delete_hides_the_row_and_logs_it(team):
    org = make_organization(team.fabrique, team.officer)
    organization_delete(organization=org, actor=team.admin)
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert Organization.all_objects.get(pk=org.pk).deleted_at is not None
    [entry] = entries(org, "directory.organization.deleted")
    assert entry.old_values["name"] == org.name


# --- duplicates -------------------------------------------------------------------------------------------


def test_same_siren_is_a_probable_duplicate(team):
    first = make_organization(team.fabrique, team.officer, name="Peugeot", siren="552100554")
    with pytest.raises(ProbableDuplicate) as exc:
        organization_create(
            fabrique=team.fabrique, actor=team.officer, name="Autre nom", kind="company", siren="552 100 554"
        )
    assert exc.value.duplicates == [first]
    assert "Doublon probable" in exc.value.message
    # confirmed: saved (an agency of the same legal unit)
    second = organization_create(
        fabrique=team.fabrique,
        actor=team.officer,
        name="Autre nom",
        kind="company",
        siren="552100554",
        allow_duplicate=True,
    )
    assert second.pk != first.pk


def test_same_normalised_name_in_the_same_commune_is_a_probable_duplicate(team):
    nantes = make_commune()
    reze = make_commune("44143", "Rezé")
    first = make_organization(team.fabrique, team.officer, name="SAS La Ruche", commune=nantes)
    with pytest.raises(ProbableDuplicate):
        organization_create(
            fabrique=team.fabrique, actor=team.officer, name="la ruche", kind="association", commune=nantes
        )
    # unknown commune: cannot tell them apart
    with pytest.raises(ProbableDuplicate):
        organization_create(fabrique=team.fabrique, actor=team.officer, name="LA RUCHE", kind="association")
    # another commune: a different structure
    other = organization_create(
        fabrique=team.fabrique, actor=team.officer, name="La Ruche", kind="association", commune=reze
    )
    assert other.pk != first.pk


def test_duplicates_ignore_other_fabriques_and_deleted_rows(team, other_team):
    make_organization(other_team.fabrique, other_team.officer, name="La Ruche", siren="552100554")
    gone = make_organization(team.fabrique, team.officer, name="La Ruche", siren="552100554")
    organization_delete(organization=gone, actor=team.officer)
    assert organization_create(
        fabrique=team.fabrique, actor=team.officer, name="La Ruche", kind="association", siren="552100554"
    ).pk


def test_update_checks_duplicates_only_when_the_identity_changes(team):
    make_organization(team.fabrique, team.officer, name="La Ruche")
    other = make_organization(team.fabrique, team.officer, name="Le Bocal")
    with pytest.raises(ProbableDuplicate):
        organization_update(organization=other, actor=team.officer, name="La Ruche")
    twin = make_organization(team.fabrique, team.officer, name="La Ruche")  # confirmed duplicate
    organization_update(organization=twin, actor=team.officer, description="Tiers-lieu")
    twin.refresh_from_db()
    assert twin.description == "Tiers-lieu"


# --- people -----------------------------------------------------------------------------------------------


def test_person_create_defaults_and_audit(team):
    person = make_person(
        team.fabrique,
        team.officer,
        first_name="Élise",
        last_name="Durand",
        email="Elise@Example.org",
        phone="06 12 34 56 78",
    )
    assert person.email == "elise@example.org"
    assert person.phone == "+33612345678"
    assert person.search_name == "elise durand"
    today = timezone.localdate()
    assert person.retention_until.year == today.year + 3
    [entry] = entries(person, "directory.person.created")
    assert entry.new_values["last_name"] == "Durand"


def test_person_of_another_fabriques_organization_is_refused(team, other_team):
    foreign = make_organization(other_team.fabrique, other_team.officer)
    with pytest.raises(ValidationError) as exc:
        make_person(team.fabrique, team.officer, organization=foreign)
    assert "organization" in exc.value.message_dict
    assert not Person.all_objects.exists()


def test_consent_rules(team):
    with pytest.raises(ValidationError) as exc:
        make_person(team.fabrique, team.officer, legal_basis=LegalBasis.CONSENT)
    assert "consent_given" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_person(team.fabrique, team.officer, consent_given=True)
    assert "consent_date" in exc.value.message_dict
    person = make_person(
        team.fabrique,
        team.officer,
        legal_basis=LegalBasis.CONSENT,
        consent_given=True,
        consent_date=datetime.date(2026, 3, 12),
        consent_source="Formulaire de l'atelier",
    )
    assert person.consent_given


def test_same_email_is_a_probable_duplicate(team, other_team):
    first = make_person(team.fabrique, team.officer, email="camille@example.org")
    with pytest.raises(ProbableDuplicate) as exc:
        person_create(
            fabrique=team.fabrique,
            actor=team.officer,
            last_name="Autre",
            email="CAMILLE@example.org",
            purpose=Purpose.OTHER,
            legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        )
    assert exc.value.duplicates == [first]
    # another fabrique may know the same person
    assert make_person(
        other_team.fabrique, other_team.officer, email="camille@example.org", allow_duplicate=False
    ).pk


def test_same_name_in_the_same_organization_is_a_probable_duplicate(team):
    org = make_organization(team.fabrique, team.officer)
    make_person(team.fabrique, team.officer, first_name="Camille", last_name="Martin", organization=org)
    with pytest.raises(ProbableDuplicate):
        make_person(
            team.fabrique,
            team.officer,
            first_name="camille",
            last_name="MARTIN",
            organization=org,
            allow_duplicate=False,
        )
    assert make_person(
        team.fabrique, team.officer, first_name="Camille", last_name="Martin", allow_duplicate=False
    ).pk


def test_person_update_keeps_the_search_name_current(team):
    person = make_person(team.fabrique, team.officer, first_name="Camille", last_name="Martin")
    person_update(person=person, actor=team.officer, last_name="Lefèvre")
    person.refresh_from_db()
    assert person.search_name == "camille lefevre"
    [entry] = entries(person, "directory.person.updated")
    assert entry.old_values == {"last_name": "Martin"}
    assert entry.new_values == {"last_name": "Lefèvre"}


def test_anonymize_erases_personal_data_and_keeps_the_row(team):
    org = make_organization(team.fabrique, team.officer)
    person = make_person(
        team.fabrique,
        team.officer,
        first_name="Camille",
        last_name="Martin",
        email="camille@example.org",
        phone="0612345678",
        job_title="Directrice",
        notes="Rencontrée au forum",
        organization=org,
    )
    interaction_create(
        fabrique=team.fabrique,
        actor=team.officer,
        kind=InteractionKind.CALL,
        summary="Camille rappelle lundi",
        person=person,
    )
    person_anonymize(person=person, actor=team.admin)
    person.refresh_from_db()
    assert person.is_anonymized
    assert (
        person.first_name,
        person.last_name,
        person.email,
        person.phone,
        person.job_title,
        person.notes,
    ) == ("", "", "", "", "", "")
    assert person.organization == org  # the history of the organisation stays right
    assert Person.objects.filter(pk=person.pk).exists()
    assert "Camille" not in Interaction.objects.get(person=person).summary
    [entry] = entries(person, "directory.person.anonymized")
    assert entry.actor == team.admin
    assert "Camille" not in str(entry.new_values) + entry.target_repr
    assert entry.old_values == {}
    # idempotent, and the row can no longer change
    person_anonymize(person=person, actor=team.admin)
    assert len(entries(person, "directory.person.anonymized")) == 1
    with pytest.raises(DomainError):
        person_update(person=person, actor=team.admin, last_name="Martin")


def test_interaction_with_a_person_is_also_filed_under_their_organization(team, other_team):
    org = make_organization(team.fabrique, team.officer)
    person = make_person(team.fabrique, team.officer, organization=org)
    interaction = interaction_create(
        fabrique=team.fabrique,
        actor=team.officer,
        kind=InteractionKind.MEETING,
        summary="Premier rendez-vous",
        person=person,
    )
    assert interaction.organization == org
    assert interaction.author == team.officer
    foreign = make_organization(other_team.fabrique, other_team.officer)
    with pytest.raises(ValidationError):
        interaction_create(
            fabrique=team.fabrique,
            actor=team.officer,
            kind=InteractionKind.CALL,
            summary="x",
            organization=foreign,
        )
    with pytest.raises(ValidationError):
        interaction_create(fabrique=team.fabrique, actor=team.officer, kind=InteractionKind.CALL, summary="x")
