"""The generation of a funder report, run by `fabrique worker` (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def generate_funder_report(*, version_id: int, fabrique_id: int | None = None) -> str:
    from .services import funder_report_version_execute

    return str(funder_report_version_execute(version_id=version_id).status)
