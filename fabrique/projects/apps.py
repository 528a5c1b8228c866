from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "fabrique.projects"
    label = "projects"
    verbose_name = _("projets")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label
        from fabrique.committees.registry import register_involved

        from .models import Project

        # the leader's structure and the project's partners
        register_involved(
            Project,
            lambda p: (
                ({p.leader_organization_id} - {None})
                | set(
                    p.partnerships.filter(deleted_at__isnull=True).values_list("organization_id", flat=True)
                )
            ),
        )

        for action, label in {
            "projects.project.seeking_leader": _("Retour à la recherche d'un porteur — projet"),
            "projects.project.leader_selected": _("Porteur choisi — projet"),
            "projects.project.in_support": _("Début de l'accompagnement — projet"),
            "projects.project.created": _("Création — projet"),
            "projects.project.stopped": _("Arrêt — projet"),
            "projects.project.partner_added": _("Ajout d'un partenaire — projet"),
            "projects.project.partner_removed": _("Retrait d'un partenaire — projet"),
            "studies.study.partner_added": _("Ajout d'un partenaire — étude"),
            "studies.study.partner_removed": _("Retrait d'un partenaire — étude"),
        }.items():
            register_action_label(action, label)

        from .indicators import register_all as register_indicators

        register_indicators()
