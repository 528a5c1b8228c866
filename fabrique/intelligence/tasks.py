"""Tasks of territorial intelligence (run by `fabrique worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_indicator_import(
    *, batch_id: int, actor_id: int | None = None, fabrique_id: int | None = None
) -> str:
    """Import a large indicator file in the background (`services.import_batch_queue`)."""
    from .services import import_batch_run_background

    return import_batch_run_background(batch_id=batch_id, actor_id=actor_id)
