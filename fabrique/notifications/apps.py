from typing import cast

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "fabrique.notifications"
    label = "notifications"
    verbose_name = _("notifications")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label

        from . import convocations, handlers, outside  # noqa: F401 - registers the event handlers and daily jobs

        register_action_label(
            "notifications.preference.updated", cast(str, _("Préférence de notification modifiée"))
        )
        register_action_label("notifications.follow.created", cast(str, _("Suivi commencé")))
        register_action_label("notifications.follow.deleted", cast(str, _("Suivi arrêté")))
