"""Writes of webhooks: endpoints (audited, admins only), deliveries and their attempts.

Signature (docs/webhooks.md): header `Fabrique-Signature: t=<unix time>,v1=<hex>` where
`<hex> = HMAC-SHA256(secret, "<t>." + body)`. The receiver recomputes it over the raw body and
refuses a timestamp older than 5 minutes.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import time
import uuid
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from typing_extensions import Unpack

from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError
from fabrique.core.services import check_fields

from . import outbound
from .events import EVENT_TYPES, PING, envelope
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique

SIGNATURE_HEADER = "Fabrique-Signature"
SECRET_PREFIX = "whsec_"
MIN_SECRET_LENGTH = 24
# delays before the 2nd … 6th automatic attempts of one delivery
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=8),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def disable_after() -> int:
    """Consecutive failed attempts (all deliveries of the endpoint) before it is disabled."""
    return int(getattr(settings, "FABRIQUE_WEBHOOK_DISABLE_AFTER", 15))


class EndpointFields(TypedDict, total=False):
    url: str
    description: str
    event_types: list[str]
    is_active: bool


def generate_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _clean(fields: EndpointFields) -> EndpointFields:
    errors: dict[str, list[str]] = {}
    if "url" in fields:
        try:
            outbound.check_destination(fields["url"])
        except outbound.UnsafeURL as exc:
            errors["url"] = [str(exc)]
    if "event_types" in fields:
        unknown = [code for code in fields["event_types"] if code not in EVENT_TYPES]
        if unknown or not fields["event_types"]:
            errors["event_types"] = [_("Choisissez au moins un événement parmi ceux proposés.")]
        else:
            fields["event_types"] = [code for code in EVENT_TYPES if code in fields["event_types"]]
    if errors:
        raise ValidationError(errors)
    return fields


def _check_secret(secret: str) -> str:
    secret = secret.strip()
    if len(secret) < MIN_SECRET_LENGTH or len(secret) > 200 or not secret.isprintable():
        raise ValidationError(
            {
                "secret": [
                    _("Le secret doit compter de %(min)s à 200 caractères imprimables.")
                    % {"min": MIN_SECRET_LENGTH}
                ]
            }
        )
    return secret


def _audit_values(endpoint: WebhookEndpoint) -> dict[str, object]:
    # never the secret
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "is_active": endpoint.is_active,
    }


def endpoint_create(
    *, fabrique: Fabrique, actor: User, secret: str = "", **fields: Unpack[EndpointFields]
) -> WebhookEndpoint:
    """Register an endpoint; `secret` empty: one is generated. The caller shows it once."""
    check_fields(fields, EndpointFields)
    fields = _clean(fields)
    secret = _check_secret(secret) if secret else generate_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint(fabrique=fabrique, created_by=actor, secret=secret, **fields)
        endpoint.full_clean()
        endpoint.save()
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=endpoint,
            action="webhooks.webhookendpoint.created",
            new=_audit_values(endpoint),
        )
    return endpoint


def endpoint_update(
    *, endpoint: WebhookEndpoint, actor: User, **fields: Unpack[EndpointFields]
) -> WebhookEndpoint:
    """Change the address, description, events or the active flag. Turning an endpoint back on
    clears its failure count."""
    check_fields(fields, EndpointFields)
    fields = _clean(fields)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        old = _audit_values(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        if locked.is_active and not old["is_active"]:
            locked.consecutive_failures = 0
            locked.disabled_at = None
            locked.disabled_reason = ""
        new = _audit_values(locked)
        if new == old:
            return locked
        locked.full_clean()
        locked.save()
        changed = [k for k in new if new[k] != old[k]]
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="webhooks.webhookendpoint.updated",
            old={k: old[k] for k in changed},
            new={k: new[k] for k in changed},
        )
    return locked


def endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> WebhookEndpoint:
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.deleted_at = timezone.now()
        locked.is_active = False
        locked.save(update_fields=["deleted_at", "is_active", "updated_at"])
        WebhookDelivery.objects.filter(endpoint=locked, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.CANCELLED
        )
        audit_log(
            actor=actor, fabrique=locked.fabrique, target=locked, action="webhooks.webhookendpoint.deleted"
        )
    return locked


def secret_rotate(*, endpoint: WebhookEndpoint, actor: User, secret: str = "") -> str:
    """A new secret (generated, or the one given); the old one stops signing at once."""
    secret = _check_secret(secret) if secret else generate_secret()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.secret = secret
        locked.save(update_fields=["secret", "updated_at"])
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="webhooks.webhookendpoint.secret_rotated",
        )
    return secret


# --- deliveries ---------------------------------------------------------------------------------------


def _enqueue(delivery: WebhookDelivery) -> None:
    from .tasks import deliver_webhook

    def enqueue() -> None:
        task = deliver_webhook
        if delivery.run_after > timezone.now() and _can_defer():
            task = task.using(run_after=delivery.run_after)
        task.enqueue(delivery_id=delivery.pk, fabrique_id=delivery.fabrique_id)

    transaction.on_commit(enqueue, robust=True)


def deliveries_create(
    *, fabrique: Fabrique, event_id: str, event_type: str, body: str, audit_entry_id: int | None
) -> list[WebhookDelivery]:
    """One first attempt per active endpoint of the fabrique subscribed to `event_type` (at most
    once per event and endpoint: a handler run twice creates nothing new)."""
    created = []
    endpoints = (
        WebhookEndpoint.objects.filter(fabrique=fabrique, is_active=True, event_types__contains=event_type)
        if _json_contains_supported()
        else [
            e
            for e in WebhookEndpoint.objects.filter(fabrique=fabrique, is_active=True)
            if event_type in e.event_types
        ]
    )
    for endpoint in endpoints:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    fabrique=fabrique,
                    endpoint=endpoint,
                    event_id=event_id,
                    event_type=event_type,
                    audit_entry_id=audit_entry_id,
                    body=body,
                )
                _enqueue(delivery)
        except IntegrityError:
            continue
        created.append(delivery)
    return created


def _can_defer() -> bool:
    """Retries wait in the queue (database backend); the in-process backend of tests cannot defer."""
    from .tasks import deliver_webhook

    return bool(getattr(deliver_webhook.get_backend(), "supports_defer", False))


def _json_contains_supported() -> bool:
    from django.db import connection

    return bool(connection.features.supports_json_field_contains)


def delivery_replay(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Send the same event again by hand (same id and body, new timestamp and signature)."""
    endpoint = delivery.endpoint
    if endpoint.deleted_at is not None:
        raise DomainError(_("Ce webhook a été supprimé."))
    with transaction.atomic():
        replay = WebhookDelivery.objects.create(
            fabrique=delivery.fabrique,
            endpoint=endpoint,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            audit_entry_id=delivery.audit_entry_id,
            body=delivery.body,
            manual=True,
        )
        audit_log(
            actor=actor,
            fabrique=delivery.fabrique,
            target=endpoint,
            action="webhooks.webhookendpoint.replayed",
            new={"event_id": delivery.event_id, "event_type": delivery.event_type},
        )
        _enqueue(replay)
    return replay


def endpoint_ping(*, endpoint: WebhookEndpoint, actor: User) -> WebhookDelivery:
    """A test event (`webhook.ping`), sent even when the endpoint is disabled."""
    if endpoint.deleted_at is not None:
        raise DomainError(_("Ce webhook a été supprimé."))
    event_id = str(uuid.uuid4())
    body = envelope(
        event_id=event_id,
        event_type=PING,
        occurred_at=timezone.now(),
        fabrique=endpoint.fabrique,
        data={"endpoint": {"id": endpoint.pk}},
    )
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            fabrique=endpoint.fabrique,
            endpoint=endpoint,
            event_id=event_id,
            event_type=PING,
            body=body,
            manual=True,
        )
        audit_log(
            actor=actor, fabrique=endpoint.fabrique, target=endpoint, action="webhooks.webhookendpoint.pinged"
        )
        _enqueue(delivery)
    return delivery


def _headers(delivery: WebhookDelivery, secret: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Fabrique-Webhooks/1",
        "Fabrique-Event": delivery.event_type,
        "Fabrique-Event-Id": delivery.event_id,
        "Fabrique-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(secret=secret, timestamp=int(time.time()), body=body),
    }


def delivery_attempt(*, delivery_id: int) -> str:
    """Run one attempt (the task `deliver_webhook`): POST, log the outcome on the row, schedule the
    next attempt on failure, count consecutive failures and disable the endpoint past the limit.
    Returns the row's final status. A row already attempted is left alone (a task run twice)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint", "fabrique")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery.status if delivery else "missing"
        endpoint = delivery.endpoint
        if endpoint.deleted_at is not None or (not endpoint.is_active and delivery.event_type != PING):
            delivery.status = DeliveryStatus.CANCELLED
            delivery.save(update_fields=["status"])
            return delivery.status
        # a worker killed during the call leaves the row pending: the task runs again and sends
        # again (at least once); receivers de-duplicate on the event id (docs/webhooks.md)
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
        secret = endpoint.secret
    body = delivery.body.encode()
    error = ""
    response: outbound.Response | None = None
    started = time.monotonic()
    try:
        response = outbound.post(endpoint.url, body=body, headers=_headers(delivery, secret, body))
    except outbound.UnsafeURL as exc:
        error = str(exc)
    except OSError as exc:
        error = _("Pas de réponse : %(error)s") % {
            "error": type(exc).__name__ + (f" ({exc})" if str(exc) else "")
        }
    ok = response is not None and 200 <= response.status < 300
    if response is not None and not ok:
        error = (
            _("Redirection non suivie (code %(code)s).")
            if 300 <= response.status < 400
            else _("Code HTTP %(code)s.")
        ) % {"code": response.status}
    return _record(delivery, response, error, ok, started)


def _record(
    delivery: WebhookDelivery, response: outbound.Response | None, error: str, ok: bool, started: float
) -> str:
    with transaction.atomic():
        delivery.status = DeliveryStatus.SUCCESS if ok else DeliveryStatus.FAILED
        delivery.response_status = response.status if response else None
        delivery.duration_ms = response.duration_ms if response else int((time.monotonic() - started) * 1000)
        delivery.response_excerpt = response.excerpt[:500] if response else ""
        delivery.error = error[:300]
        delivery.save(update_fields=["status", "response_status", "duration_ms", "response_excerpt", "error"])
        endpoint = WebhookEndpoint.all_objects.select_for_update().get(pk=delivery.endpoint_id)
        if delivery.event_type == PING:
            return delivery.status
        if ok:
            if endpoint.consecutive_failures:
                endpoint.consecutive_failures = 0
                endpoint.save(update_fields=["consecutive_failures", "updated_at"])
            return delivery.status
        endpoint.consecutive_failures += 1
        endpoint.save(update_fields=["consecutive_failures", "updated_at"])
        if endpoint.is_active and endpoint.consecutive_failures >= disable_after():
            _disable(endpoint, reason=error)
            return delivery.status
        if endpoint.is_active and not delivery.manual and delivery.attempt < MAX_ATTEMPTS and _can_defer():
            retry = WebhookDelivery.objects.create(
                fabrique_id=delivery.fabrique_id,
                endpoint=endpoint,
                event_id=delivery.event_id,
                event_type=delivery.event_type,
                audit_entry_id=delivery.audit_entry_id,
                body=delivery.body,
                attempt=delivery.attempt + 1,
                run_after=timezone.now() + RETRY_DELAYS[delivery.attempt - 1],
            )
            _enqueue(retry)
    return delivery.status


def _disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    """Past the limit of consecutive failures: the endpoint stops receiving, its pending attempts
    are cancelled, and the fabrique's admins are told (notification kind `webhook_disabled`)."""
    endpoint.is_active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = (
        _("%(count)s échecs consécutifs ; dernier : %(error)s")
        % {"count": endpoint.consecutive_failures, "error": reason}
    )[:300]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).exclude(
        event_type=PING
    ).update(status=DeliveryStatus.CANCELLED)
    audit_log(
        actor=None,
        fabrique=endpoint.fabrique,
        target=endpoint,
        action="webhooks.webhookendpoint.disabled",
        old={"is_active": True},
        new={"is_active": False, "consecutive_failures": endpoint.consecutive_failures},
    )
