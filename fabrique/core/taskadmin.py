"""Failed tasks, for admins: the list (with the error) and "relancer"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique


def failed_tasks(*, fabrique: Fabrique) -> QuerySet[DBTaskResult[Any, Any]]:
    """Final failures of the fabrique's tasks (a failed attempt whose retry is scheduled is not one)."""
    return (
        DBTaskResult.objects.failed()
        .filter(args_kwargs__kwargs__fabrique_id=fabrique.pk)
        .exclude(exception_class_path="fabrique.core.tasks.RetryScheduled")
        .order_by("-finished_at")
    )


def task_error(result: DBTaskResult[Any, Any]) -> str:
    """The last line of the traceback: the error as the admin reads it."""
    lines = [line for line in (result.traceback or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else result.exception_class_path


def task_relaunch(*, fabrique: Fabrique, task_id: str, actor: User) -> DBTaskResult[Any, Any]:
    """Enqueue the failed task again (first attempt, full retries); the failed row is replaced."""
    with transaction.atomic():
        result = failed_tasks(fabrique=fabrique).select_for_update().filter(pk=task_id).first()
        if result is None:
            raise DomainError(_("Cette tâche n'est pas (ou plus) en échec."))
        kwargs = (
            {**result.args_kwargs["kwargs"], "attempt": 1}
            if "attempt" in result.args_kwargs["kwargs"]
            else result.args_kwargs["kwargs"]
        )
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=fabrique,
            action="core.task.relaunched",
            new={"task": result.task_path.rsplit(".", 1)[-1], "error": task_error(result)[:200]},
        )
        task = result.task
        result.delete()
        transaction.on_commit(lambda: task.enqueue(*result.args_kwargs["args"], **kwargs))
    return result
