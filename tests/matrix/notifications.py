from .rules import M, Rule, V, foreign_pk, pk


def _follow(side):
    return {"model": "needs.need", "pk": side.objects["need"].pk}


MATRIX = {
    "backoffice:notification_list": Rule(V),
    "backoffice:notification_mark_read": Rule(V, post=True),
    "backoffice:notification_preferences": Rule(V, post=True),
    "backoffice:my_tasks": Rule(V),
    "backoffice:follow": Rule(V, params=lambda w: _follow(w.a), foreign=lambda w: _follow(w.b), post=True),
    "backoffice:failed_tasks": Rule(M),
    "backoffice:meeting_ics": Rule(V, params=pk("meeting"), foreign=foreign_pk("meeting")),
    "backoffice:study_ics": Rule(V, params=pk("study_awaiting"), foreign=foreign_pk("study_awaiting")),
    "backoffice:support_plan_ics": Rule(V, params=pk("support_plan"), foreign=foreign_pk("support_plan")),
    "backoffice:enterprise_ics": Rule(V, params=pk("enterprise"), foreign=foreign_pk("enterprise")),
    "backoffice:calendar_feed": Rule(V, post=True),
    "backoffice:task_relaunch": Rule(
        M,
        params=lambda w: {"task_id": w.a.failed_task.pk},
        foreign=lambda w: {"task_id": w.b.failed_task.pk},
        post=True,
    ),
}


def populate(side, label):
    from django_tasks_db.models import DBTaskResult

    from fabrique.notifications.services import notify

    team = side.team
    side.objects["failed_task"] = DBTaskResult.objects.create(
        task_path="fabrique.core.tasks.run_handler",
        args_kwargs={
            "args": [],
            "kwargs": {"entry_id": 0, "handler": "x.y", "fabrique_id": team.fabrique.pk},
        },
        backend_name="default",
        status="FAILED",
        exception_class_path="builtins.RuntimeError",
        traceback=f"RuntimeError: serveur {label}",
    )
    notify(
        fabrique=team.fabrique,
        recipients=[team.admin, team.officer, team.committee, team.reader],
        kind="assigned",
        title=f"Notification {label}",
        url="",
        key=f"matrix:{label}",
    )
