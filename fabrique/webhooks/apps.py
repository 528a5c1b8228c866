from typing import cast

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "fabrique.webhooks"
    label = "webhooks"
    verbose_name = _("webhooks")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label

        from . import handlers  # noqa: F401 - registers the event handler

        for action, label in (
            ("webhooks.webhookendpoint.created", _("Webhook ajouté")),
            ("webhooks.webhookendpoint.updated", _("Webhook modifié")),
            ("webhooks.webhookendpoint.deleted", _("Webhook supprimé")),
            ("webhooks.webhookendpoint.secret_rotated", _("Secret du webhook régénéré")),
            ("webhooks.webhookendpoint.disabled", _("Webhook désactivé après des échecs")),
            ("webhooks.webhookendpoint.replayed", _("Livraison de webhook rejouée")),
            ("webhooks.webhookendpoint.pinged", _("Webhook testé")),
        ):
            register_action_label(action, cast(str, label))
