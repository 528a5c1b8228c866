"""Reads of webhooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique


def endpoints_of(*, fabrique: Fabrique) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(fabrique=fabrique).order_by("-created_at", "-id")


def deliveries_of(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")
