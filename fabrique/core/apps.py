from typing import cast

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fabrique.core"
    label = "core"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from fabrique.audit.labels import register_action_label

        from . import checks  # noqa: F401 - registers the system checks

        register_action_label("core.task.relaunched", cast(str, _("Tâche relancée")))
