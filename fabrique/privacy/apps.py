from typing import cast

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "fabrique.privacy"
    label = "privacy"
    verbose_name = _("données personnelles")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label

        from . import handlers  # noqa: F401 - registers the daily retention job

        for action, label in {
            "directory.person.erased": _("Données personnelles effacées (droit à l'effacement)"),
            "directory.person.access_exported": _("Données personnelles exportées (droit d'accès)"),
            "recruitment.application.erased": _("Données du candidat effacées"),
        }.items():
            register_action_label(action, cast(str, label))
