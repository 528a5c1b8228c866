from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "fabrique.directory"
    label = "directory"
    verbose_name = _("annuaire")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label

        register_action_label("directory.person.anonymized", _("Anonymisation — contact"))

        from .indicators import register_all as register_indicators

        register_indicators()
