"""Permission matrix of the project pages."""

from .rules import E, Rule, V, foreign_pk, pk

MATRIX = {
    "backoffice:project_list": Rule(V),
    "backoffice:project_create": Rule(E, post=True),
    # 20 + the hand-over box (open offer or origin: one query)
    "backoffice:project_detail": Rule(V, params=pk("project"), foreign=foreign_pk("project"), queries=22),
    "backoffice:project_update": Rule(E, params=pk("project"), foreign=foreign_pk("project"), post=True),
    "backoffice:project_stop": Rule(E, params=pk("project"), foreign=foreign_pk("project"), post=True),
    "backoffice:project_direct_approach": Rule(
        E, params=pk("project"), foreign=foreign_pk("project"), post=True
    ),
    "backoffice:project_partner_add": Rule(E, params=pk("project"), foreign=foreign_pk("project"), post=True),
    "backoffice:study_partner_add": Rule(E, params=pk("study"), foreign=foreign_pk("study"), post=True),
    "backoffice:partner_remove": Rule(E, params=pk("partnership"), foreign=foreign_pk("partnership")),
}


def populate(side, label: str) -> None:
    from fabrique.directory.models import Organization, OrganizationKind
    from fabrique.projects.partners import partner_add
    from fabrique.projects.services import project_create

    side.objects["project"] = project_create(
        fabrique=side.team.fabrique,
        actor=side.team.admin,
        title=f"Projet {label}",
        summary=f"Résumé interne {label}",
        public_summary=f"Présentation publique {label}",
        is_public=True,
        officer=side.team.officer,
    )
    partner = Organization.objects.create(
        fabrique=side.team.fabrique, name=f"Partenaire {label}", kind=OrganizationKind.ASSOCIATION
    )
    side.objects["partnership"] = partner_add(
        target=side.objects["project"], organization=partner, role="funder", actor=side.team.admin
    )
