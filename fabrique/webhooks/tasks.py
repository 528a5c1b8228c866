"""The webhook delivery task: one attempt of one delivery row (retries are new rows, each its own
task deferred by `RETRY_DELAYS`)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(*, delivery_id: int, fabrique_id: int | None = None) -> str:
    from .services import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)
