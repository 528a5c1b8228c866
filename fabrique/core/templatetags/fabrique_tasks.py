"""Template filters of the failed tasks page."""

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from fabrique.core.taskadmin import task_error as _task_error

register = template.Library()


@register.filter
def task_error(result: DBTaskResult[Any, Any]) -> str:
    return _task_error(result)


@register.filter
def task_label(result: DBTaskResult[Any, Any]) -> str:
    """The handler's name (or the task's) and its attempt."""
    kwargs = result.args_kwargs.get("kwargs", {})
    names = kwargs.get("handlers") or [kwargs.get("handler") or result.task_path]
    return _("%(names)s (événement n° %(entry)s, essai %(attempt)s)") % {
        "names": ", ".join(str(name).rsplit(".", 1)[-1] for name in names),
        "entry": kwargs.get("entry_id", "—"),
        "attempt": kwargs.get("attempt", 1),
    }
