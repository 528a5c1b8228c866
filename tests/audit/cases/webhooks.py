"""Webhooks: the fabrique's endpoints, their secrets, test pings and replays."""

from __future__ import annotations

from fabrique.webhooks import services as s
from tests.audit.harness import case


def _endpoint(t):
    return s.endpoint_create(
        fabrique=t.fabrique,
        actor=t.admin,
        url="http://127.0.0.1:9/crochet",
        description="Tableau de bord régional",
        event_types=["report.created", "need.created"],
    )


def _rotated(t):
    endpoint = _endpoint(t)
    s.secret_rotate(endpoint=endpoint, actor=t.admin)
    return endpoint


def _pinged(t):
    endpoint = _endpoint(t)
    s.endpoint_ping(endpoint=endpoint, actor=t.admin)
    return endpoint


def _replayed(t):
    endpoint = _endpoint(t)
    delivery = s.endpoint_ping(endpoint=endpoint, actor=t.admin)
    s.delivery_replay(delivery=delivery, actor=t.admin)
    return endpoint


CASES = [
    case(s.endpoint_create, _endpoint, "webhooks.webhookendpoint.created", {"url"}, actor="admin"),
    case(
        s.endpoint_update,
        lambda t: s.endpoint_update(
            endpoint=_endpoint(t), actor=t.admin, description="Observatoire régional"
        ),
        "webhooks.webhookendpoint.updated",
        {"description"},
        actor="admin",
    ),
    case(
        s.endpoint_delete,
        lambda t: s.endpoint_delete(endpoint=_endpoint(t), actor=t.admin),
        "webhooks.webhookendpoint.deleted",
        actor="admin",
    ),
    case(s.secret_rotate, _rotated, "webhooks.webhookendpoint.secret_rotated", actor="admin"),
    case(s.endpoint_ping, _pinged, "webhooks.webhookendpoint.pinged", actor="admin"),
    case(s.delivery_replay, _replayed, "webhooks.webhookendpoint.replayed", actor="admin"),
]
