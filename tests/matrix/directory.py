"""Permission-matrix part of the directory (back-office pages and API).

API list endpoints read with VIEW and write with EDIT, which one Rule cannot say: their POST is
checked in tests/api/ instead of here.
"""

from fabrique.directory.models import InteractionKind
from fabrique.directory.services import interaction_create
from tests.directory.factories import make_organization, make_person

from .rules import E, Rule, V, foreign_pk, pk


def populate(side, label: str) -> None:
    team = side.team
    organization = make_organization(
        team.fabrique, team.admin, name=f"Structure {label}", email="contact@ex.test"
    )
    person = make_person(
        team.fabrique,
        team.admin,
        last_name=f"Contact {label}",
        email=f"contact-{team.fabrique.slug}@ex.test",
        organization=organization,
    )
    interaction = interaction_create(
        fabrique=team.fabrique,
        actor=team.admin,
        kind=InteractionKind.CALL,
        summary=f"Appel {label}",
        person=person,
    )
    side.objects.update(organization=organization, person=person, interaction=interaction)


ORG = (pk("organization"), foreign_pk("organization"))
PERSON = (pk("person"), foreign_pk("person"))

MATRIX = {
    "backoffice:organization_list": Rule(V),
    "backoffice:organization_create": Rule(E, post=True),
    # one query per section of what the organisation is involved in (reports, projects, studies,
    # partnerships, applications, committees, referrals, funding...), none per row
    "backoffice:organization_detail": Rule(V, *ORG, queries=22),
    "backoffice:organization_update": Rule(E, *ORG, post=True),
    "backoffice:organization_delete": Rule(E, *ORG),
    "backoffice:organization_interaction_create": Rule(
        E, pk("organization", "organization_pk"), foreign_pk("organization", "organization_pk"), post=True
    ),
    "backoffice:person_list": Rule(V),
    "backoffice:person_create": Rule(E, post=True),
    "backoffice:person_detail": Rule(V, *PERSON),
    "backoffice:person_update": Rule(E, *PERSON, post=True),
    "backoffice:person_delete": Rule(E, *PERSON),
    "backoffice:person_anonymize": Rule(E, *PERSON),
    # the subject-access ZIP: the person, exchanges, reports, applications (prefetched), history
    "backoffice:person_access_export": Rule(E, *PERSON),
    "backoffice:person_interaction_create": Rule(
        E, pk("person", "person_pk"), foreign_pk("person", "person_pk"), post=True
    ),
    "backoffice:interaction_delete": Rule(E, pk("interaction"), foreign_pk("interaction")),
    "api:organization-list": Rule(V),
    "api:organization-detail": Rule(V, *ORG),
    "api:person-list": Rule(V),
    "api:person-detail": Rule(V, *PERSON),
}
