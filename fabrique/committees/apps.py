from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "fabrique.committees"
    label = "committees"
    verbose_name = _("comités")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label
        from fabrique.fabriques.services import SETUP_HOOKS, register_setup_hook

        from .services import committee_types_setup_defaults

        if committee_types_setup_defaults not in SETUP_HOOKS:
            register_setup_hook(committee_types_setup_defaults)

        for action, label in {
            "committees.decision.created": _("Décision enregistrée"),
            "committees.meeting.held": _("Séance tenue"),
            "committees.meeting.cancelled": _("Séance annulée"),
            "committees.meeting.planned": _("Séance replanifiée"),
            "committees.meeting.item_added": _("Ajout d'un point à l'ordre du jour"),
            "committees.meeting.item_removed": _("Retrait d'un point de l'ordre du jour"),
            "committees.meeting.item_decided": _("Décision sur un point de l'ordre du jour"),
        }.items():
            register_action_label(action, label)

        from .indicators import register_all as register_indicators

        register_indicators()
