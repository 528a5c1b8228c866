"""The failed tasks page: final failures of the fabrique only, with their error; "relancer"."""

from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from fabrique.audit.models import AuditEntry


def _failed(fabrique, exception="builtins.RuntimeError", error="RuntimeError: le serveur SMTP refuse"):
    return DBTaskResult.objects.create(
        task_path="fabrique.core.tasks.run_handler",
        args_kwargs={
            "args": [],
            "kwargs": {"entry_id": 7, "handler": "a.b", "fabrique_id": fabrique.pk, "attempt": 5},
        },
        backend_name="default",
        status="FAILED",
        exception_class_path=exception,
        traceback=f"Traceback\n  ...\n{error}\n",
    )


def test_admins_see_final_failures_and_relaunch_them(
    team, other_team, login, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    final = _failed(team.fabrique)
    _failed(team.fabrique, exception="fabrique.core.tasks.RetryScheduled", error="RetryScheduled: en attente")
    _failed(other_team.fabrique, error="RuntimeError: ZZ autre fabrique")
    client = login(team.admin)
    url = reverse("backoffice:failed_tasks", kwargs={"fabrique_slug": team.fabrique.slug})
    page = client.get(url).content.decode()
    assert "le serveur SMTP refuse" in page and "en attente" not in page and "ZZ autre" not in page
    relaunch = reverse(
        "backoffice:task_relaunch", kwargs={"fabrique_slug": team.fabrique.slug, "task_id": final.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(relaunch).status_code == 302
    assert not DBTaskResult.objects.filter(pk=final.pk).exists()
    again = DBTaskResult.objects.get(status="READY")
    assert again.args_kwargs["kwargs"]["attempt"] == 1 and again.args_kwargs["kwargs"]["entry_id"] == 7
    assert AuditEntry.objects.filter(action="core.task.relaunched", fabrique=team.fabrique).exists()
    assert client.post(relaunch).status_code == 302  # already relaunched: a message, nothing else
    assert DBTaskResult.objects.filter(status="READY").count() == 1
