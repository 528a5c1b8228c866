from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "fabrique.support"
    label = "support"
    verbose_name = _("accompagnement")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label

        labels = {
            "support.supportplan.active": _("Reprise — accompagnement"),
            "support.supportplan.stopped": _("Interruption — accompagnement"),
            "support.supportplan.completed": _("Fin — accompagnement (entreprise créée)"),
            # the project transitions done by the support and outcome services
            "projects.project.in_support": _("Début de l'accompagnement — projet"),
            "projects.project.enterprise_created": _("Création de l'entreprise — projet"),
        }
        for action, label in labels.items():
            register_action_label(action, label)

        from .indicators import register_all as register_indicators

        register_indicators()
