"""Core: relaunching a task that failed for good."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from fabrique.core import taskadmin as s
from tests.audit.harness import case


def _relaunched(t):
    failed = DBTaskResult.objects.create(
        task_path="fabrique.core.tasks.run_handler",
        args_kwargs={"args": [], "kwargs": {"entry_id": 7, "handler": "a.b", "fabrique_id": t.fabrique.pk}},
        backend_name="default",
        status="FAILED",
        exception_class_path="builtins.RuntimeError",
        traceback="Traceback\n  ...\nRuntimeError: le serveur SMTP refuse\n",
    )
    s.task_relaunch(fabrique=t.fabrique, task_id=str(failed.pk), actor=t.admin)
    return t.fabrique


CASES = [case(s.task_relaunch, _relaunched, "core.task.relaunched", {"task", "error"}, actor="admin")]
