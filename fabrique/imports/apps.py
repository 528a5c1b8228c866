from typing import cast

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "fabrique.imports"
    label = "imports"
    verbose_name = _("imports")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label

        for action, label in {
            "imports.importbatch.uploaded": _("Fichier à importer déposé"),
            "imports.importbatch.mapped": _("Correspondance des colonnes choisie"),
            "imports.importbatch.applied": _("Import appliqué"),
            "imports.importbatch.undone": _("Import annulé"),
            "imports.importpreset.created": _("Modèle de correspondance enregistré"),
        }.items():
            register_action_label(action, cast(str, label))
