"""Webhook endpoints registered by a fabrique's admins, and the log of every delivery attempt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.core.models import TenantModel

from .events import EVENT_TYPE_CHOICES


class WebhookEndpoint(TenantModel):
    """An address of the fabrique's choosing that receives the chosen event types, signed with
    `secret` (HMAC-SHA256, docs/webhooks.md). The secret is kept in clear: signing needs it; it is
    shown once, when it is set, and never again."""

    url = models.URLField(_("adresse (URL)"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("événements envoyés"), default=list)
    secret = models.CharField(max_length=200, editable=False)
    is_active = models.BooleanField(_("actif"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(_("désactivé le"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(_("raison de la désactivation"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.description or self.url

    def event_type_labels(self) -> list[str]:
        labels = dict(EVENT_TYPE_CHOICES)
        return [str(labels.get(code, code)) for code in self.event_types]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("en attente")
    SUCCESS = "success", _("réussie")
    FAILED = "failed", _("en échec")
    CANCELLED = "cancelled", _("annulée (webhook désactivé)")


class WebhookDelivery(models.Model):
    """One attempt to deliver one event to one endpoint. A retry or a replay is a new row with the
    same `event_id` and body: the log keeps every attempt (status, duration, response excerpt)."""

    fabrique = models.ForeignKey("fabriques.Fabrique", on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(_("identifiant de l'événement"), max_length=64, db_index=True)
    event_type = models.CharField(_("événement"), max_length=60)
    audit_entry_id = models.BigIntegerField(null=True, blank=True)
    body = models.TextField(max_length=100_000)  # the JSON payload exactly as it is sent (and replayed)
    attempt = models.PositiveSmallIntegerField(_("tentative"), default=1)
    manual = models.BooleanField(_("rejouée à la main"), default=False)
    status = models.CharField(
        _("état"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, db_index=True)
    run_after = models.DateTimeField(_("prévue le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("code HTTP"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), null=True, blank=True)
    response_excerpt = models.CharField(_("début de la réponse"), max_length=500, blank=True)
    error = models.CharField(_("erreur"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("livraison de webhook")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-created_at"])]
        constraints = [
            # one first automatic attempt per event and endpoint: a handler run twice delivers once
            models.UniqueConstraint(
                fields=["endpoint", "event_id"],
                condition=models.Q(attempt=1, manual=False),
                name="webhook_delivery_first_attempt_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} #{self.attempt}"
