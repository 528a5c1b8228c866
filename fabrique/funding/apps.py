from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "fabrique.funding"
    label = "funding"
    verbose_name = _("financeurs et conventions")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label

        labels = {
            "funding.fundingagreement.created": _("Création — convention de financement"),
            "funding.fundingagreement.updated": _("Modification — convention de financement"),
            "funding.fundingagreement.deadline_added": _("Échéance de compte rendu ajoutée"),
            "funding.fundingagreement.deadline_done": _("Échéance de compte rendu mise à jour"),
            "funding.funderreport.created": _("Création — rapport au financeur"),
            "funding.funderreport.updated": _("Modification — rapport au financeur"),
            "funding.funderreport.generated": _("Génération — rapport au financeur"),
        }
        for action, label in labels.items():
            register_action_label(action, str(label))
        from . import handlers  # noqa: F401  (the daily reminder of reporting deadlines)
        from .indicators import register_all

        register_all()
