from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "fabrique.intelligence"
    label = "intelligence"
    verbose_name = _("intelligence territoriale")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label

        from . import insights  # noqa: F401 - registers the event handlers and the nightly refresh

        labels = {
            "intelligence.importbatch.created": _("Fichier d'indicateur déposé"),
            "intelligence.importbatch.validated": _("Colonnes du fichier associées"),
            "intelligence.importbatch.uploaded": _("Association des colonnes à refaire"),
            "intelligence.importbatch.imported": _("Indicateur importé"),
            "intelligence.importbatch.cancelled": _("Import abandonné"),
            "intelligence.importbatch.queued": _("Import lancé en arrière-plan"),
            "intelligence.importbatch.failed": _("Import en arrière-plan en échec"),
            "intelligence.indicator.created": _("Indicateur créé"),
            "intelligence.indicator.updated": _("Indicateur modifié"),
            "intelligence.indicator.imported": _("Valeurs de l'indicateur importées"),
            "intelligence.indicator.deleted": _("Indicateur supprimé"),
            "intelligence.diagnosiszone.created": _("Zone de diagnostic créée"),
            "intelligence.diagnosiszone.updated": _("Zone de diagnostic modifiée"),
            "intelligence.diagnosiszone.deleted": _("Zone de diagnostic supprimée"),
            "intelligence.priorityweights.created": _("Pondération des priorités définie"),
            "intelligence.priorityweights.updated": _("Pondération des priorités modifiée"),
        }
        for action, label in labels.items():
            register_action_label(action, label)
