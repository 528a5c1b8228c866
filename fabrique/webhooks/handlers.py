"""Events → webhook deliveries, and the admins' notification when an endpoint is disabled."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from fabrique.audit.models import AuditEntry
from fabrique.core.events import on_action
from fabrique.fabriques.models import Permission

from .events import WATCHED_ACTIONS, event_body, event_id_of, event_type_of
from .models import WebhookEndpoint


def webhook_event(entry: AuditEntry) -> None:
    """An audited action a webhook may carry: one delivery per subscribed active endpoint."""
    if entry.fabrique is None:
        return
    event_type = event_type_of(entry)
    if event_type is None:
        return
    if not WebhookEndpoint.objects.filter(fabrique=entry.fabrique, is_active=True).exists():
        return
    model = entry.target_type.model_class()
    if model is None:
        return
    manager = getattr(model, "all_objects", model._default_manager)
    target = manager.filter(pk=entry.target_id).first()
    if target is None:
        return
    from .services import deliveries_create

    deliveries_create(
        fabrique=entry.fabrique,
        event_id=event_id_of(entry.pk),
        event_type=event_type,
        body=event_body(entry, event_type, target),
        audit_entry_id=entry.pk,
    )


for _pattern in WATCHED_ACTIONS:
    on_action(_pattern)(webhook_event)


@on_action("webhooks.webhookendpoint.disabled")
def endpoint_disabled(entry: AuditEntry) -> None:
    from fabrique.notifications.selectors import members_with
    from fabrique.notifications.services import notify

    endpoint = WebhookEndpoint.all_objects.filter(pk=entry.target_id).first()
    if endpoint is None or entry.fabrique is None:
        return
    notify(
        fabrique=entry.fabrique,
        recipients=[m.user for m in members_with(fabrique=entry.fabrique, permission=Permission.MANAGE)],
        kind="webhook_disabled",
        title=_("Webhook désactivé après des échecs répétés : %(url)s") % {"url": endpoint.url},
        body=endpoint.disabled_reason,
        url=reverse(
            "backoffice:webhook_detail", kwargs={"fabrique_slug": entry.fabrique.slug, "pk": endpoint.pk}
        ),
        key=f"event:{entry.pk}",
    )
