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
}


def populate(side, label: str) -> None:
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
