from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkstreamsConfig(AppConfig):
    name = "fabrique.workstreams"
    label = "workstreams"
    verbose_name = _("chantiers")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label

        register_action_label("workstreams.workstream.member_added", _("Ajout d'une structure — chantier"))
        register_action_label(
            "workstreams.workstream.member_removed", _("Retrait d'une structure — chantier")
        )

        from .indicators import register_all as register_indicators

        register_indicators()
