"""The projects' figures (registered from ProjectsConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fabrique.core.indicators import Indicator, register

from .filters import LEADER_FOUND
from .models import Project, ProjectStage


def register_all() -> None:
    register(
        Indicator(
            key="projects.seeking_leader",
            label=_("projets en recherche de porteur"),
            definition=_("Projets à l'étape « recherche de porteur »."),
            rows=lambda: Project.objects.filter(stage=ProjectStage.SEEKING_LEADER),
            url_name="backoffice:project_list",
            url_query={"stage": ProjectStage.SEEKING_LEADER},
        ),
        Indicator(
            key="projects.transmitted",
            label=_("projets transmis à un porteur"),
            column_label=_("Projets transmis (porteur trouvé)"),
            definition=_(
                "Projets confiés à un porteur (personne ou structure), quoi qu'il soit advenu ensuite."
            ),
            rows=lambda: Project.objects.filter(LEADER_FOUND),
            url_name="backoffice:project_list",
            url_query={"leader": "found"},
            network=True,
        ),
    )
