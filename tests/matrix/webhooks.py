from .rules import M, Rule, foreign_pk, pk


def _delivery(side):
    return {"pk": side.objects["webhook"].pk, "delivery_pk": side.objects["webhook_delivery"].pk}


MATRIX = {
    "backoffice:webhook_list": Rule(M, queries=12),
    "backoffice:webhook_create": Rule(M, post=True, queries=12),
    "backoffice:webhook_detail": Rule(M, params=pk("webhook"), foreign=foreign_pk("webhook"), queries=14),
    "backoffice:webhook_update": Rule(
        M, params=pk("webhook"), foreign=foreign_pk("webhook"), post=True, queries=14
    ),
    "backoffice:webhook_secret": Rule(
        M, params=pk("webhook"), foreign=foreign_pk("webhook"), post=True, queries=14
    ),
    "backoffice:webhook_ping": Rule(
        M, params=pk("webhook"), foreign=foreign_pk("webhook"), post=True, queries=14
    ),
    "backoffice:webhook_delete": Rule(
        M, params=pk("webhook"), foreign=foreign_pk("webhook"), post=True, queries=14
    ),
    "backoffice:webhook_replay": Rule(
        M, params=lambda w: _delivery(w.a), foreign=lambda w: _delivery(w.b), post=True, queries=15
    ),
}


def populate(side, label):
    from fabrique.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

    team = side.team
    # created directly: the matrix must not resolve names nor call out
    endpoint = WebhookEndpoint.objects.create(
        fabrique=team.fabrique,
        url=f"https://hooks.example.org/{label}",
        description=f"Webhook {label}",
        event_types=["need.created", "report.created"],
        secret=f"whsec_{label}_0123456789abcdefghij",
        created_by=team.admin,
    )
    side.objects["webhook"] = endpoint
    for attempt, status in enumerate(
        (DeliveryStatus.FAILED, DeliveryStatus.FAILED, DeliveryStatus.SUCCESS), 1
    ):
        delivery = WebhookDelivery.objects.create(
            fabrique=team.fabrique,
            endpoint=endpoint,
            event_id=f"evt-{label}",
            event_type="need.created",
            body="{}",
            attempt=attempt,
            status=status,
            response_status=500 if status == DeliveryStatus.FAILED else 200,
            duration_ms=12,
            response_excerpt=f"réponse {label}",
        )
    side.objects["webhook_delivery"] = delivery
