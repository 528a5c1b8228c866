"""Directory: organisations, people and the contact history."""

from __future__ import annotations

from fabrique.directory import services as s
from fabrique.directory.models import InteractionKind
from tests.audit.harness import case
from tests.directory.factories import make_organization, make_person


def _organization(t):
    return make_organization(t.fabrique, t.officer, name="La Ruche solidaire", siren="")


def _person(t):
    return make_person(t.fabrique, t.officer, email="camille.martin@example.org")


def _interaction(t):
    return s.interaction_create(
        fabrique=t.fabrique,
        actor=t.officer,
        kind=InteractionKind.CALL,
        summary="Appel de suivi",
        person=_person(t),
    )


CASES = [
    case(s.organization_create, _organization, "directory.organization.created", {"name", "kind"}),
    case(
        s.organization_update,
        lambda t: s.organization_update(organization=_organization(t), actor=t.officer, name="La Ruche"),
        "directory.organization.updated",
        {"name"},
    ),
    case(
        s.organization_delete,
        lambda t: s.organization_delete(organization=_organization(t), actor=t.officer),
        "directory.organization.deleted",
        {"name"},
    ),
    case(s.person_create, _person, "directory.person.created", {"last_name", "purpose", "legal_basis"}),
    case(
        s.person_update,
        lambda t: s.person_update(person=_person(t), actor=t.officer, job_title="Directrice"),
        "directory.person.updated",
        {"job_title"},
    ),
    case(
        s.person_delete,
        lambda t: s.person_delete(person=_person(t), actor=t.officer),
        "directory.person.deleted",
        {"last_name"},
    ),
    case(
        s.person_anonymize,
        lambda t: s.person_anonymize(person=_person(t), actor=t.officer),
        "directory.person.anonymized",
        {"erased_fields", "erased_interactions"},
    ),
    case(s.interaction_create, _interaction, "directory.interaction.created", {"kind", "summary", "person"}),
    case(
        s.interaction_delete,
        lambda t: s.interaction_delete(interaction=_interaction(t), actor=t.officer),
        "directory.interaction.deleted",
        {"summary"},
    ),
]
