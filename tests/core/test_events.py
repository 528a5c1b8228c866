"""The seam: audited actions are events whose handlers run as tasks after the commit."""

import pytest
from django.core import mail
from django.db import transaction

from fabrique.audit.services import audit_log
from fabrique.core import events
from fabrique.core.delivery import deliver_once, render_subject
from fabrique.core.models import DeliveryKey
from fabrique.core.tasks import MAX_ATTEMPTS, RetryScheduled, retry_delay, run_handler, run_handlers

CALLS: list[tuple[str, int]] = []


def record(entry) -> None:
    CALLS.append((entry.action, entry.pk))


def explode(entry) -> None:
    raise RuntimeError("le serveur de messagerie ne répond pas")


def send_twice_safe(entry) -> None:
    deliver_once(f"event:{entry.pk}:test", lambda: mail.send_mail("Sujet", "Corps", None, ["a@example.org"]))


@pytest.fixture(autouse=True)
def _registry():
    saved = list(events._HANDLERS)
    CALLS.clear()
    yield
    events._HANDLERS[:] = saved
    events._handlers_for.cache_clear()


def _log(fabrique, actor, action="tests.thing.done"):
    with transaction.atomic():
        return audit_log(actor=actor, fabrique=fabrique, target=fabrique, action=action)


def test_patterns_select_handlers():
    events.on_action("needs.need.*")(record)
    events.on_action("needs.need.retained")(explode)
    mine = [p for p in events.handlers_for("needs.need.retained") if p.startswith("tests.")]
    assert mine == ["tests.core.test_events.record", "tests.core.test_events.explode"]  # in order
    assert "tests.core.test_events.record" not in events.handlers_for("needs.needreport.created")
    with pytest.raises(ValueError):
        events.on_action("x")(lambda entry: None)


def test_handlers_run_after_commit_only(fabrique, officer, django_capture_on_commit_callbacks):
    events.on_action("tests.thing.*")(record)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        entry = _log(fabrique, officer)
        assert CALLS == []  # nothing before the commit
    assert len(callbacks) == 1 and [("tests.thing.done", entry.pk)] == CALLS

    CALLS.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        audit_log(actor=officer, fabrique=fabrique, target=fabrique, action="tests.thing.done")
        raise RuntimeError("the service fails after writing")
    assert CALLS == []  # a rolled-back action is no event


def test_a_failing_handler_never_breaks_the_action(fabrique, officer, django_capture_on_commit_callbacks):
    events.on_action("tests.thing.done")(explode)
    events.on_action("tests.thing.done")(record)
    with django_capture_on_commit_callbacks(execute=True):
        entry = _log(fabrique, officer)
    assert [("tests.thing.done", entry.pk)] == CALLS  # the other handler ran, the action stands


def test_idempotency_key_a_task_run_twice_sends_once(fabrique, officer):
    events.on_action("tests.thing.done")(send_twice_safe)
    entry = _log(fabrique, officer)
    path = "tests.core.test_events.send_twice_safe"
    mail.outbox.clear()
    run_handler.call(entry_id=entry.pk, handler=path, fabrique_id=fabrique.pk)
    run_handler.call(entry_id=entry.pk, handler=path, fabrique_id=fabrique.pk)
    assert len(mail.outbox) == 1
    assert DeliveryKey.objects.filter(key=f"event:{entry.pk}:test").count() == 1


def test_a_failed_send_leaves_no_key(fabrique, officer):
    def fail():
        raise ConnectionError("SMTP")

    with pytest.raises(ConnectionError):
        deliver_once("k1", fail)
    assert not DeliveryKey.objects.filter(key="k1").exists()  # the retry will send
    assert deliver_once("k1", lambda: None) is True


def test_unregistered_handlers_are_refused(fabrique, officer):
    entry = _log(fabrique, officer)
    with pytest.raises(LookupError):
        run_handler.call(entry_id=entry.pk, handler="os.remove", fabrique_id=None)


def test_retries_with_backoff_on_the_database_backend(fabrique, officer, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    events.on_action("tests.thing.done")(explode)
    entry = _log(fabrique, officer)
    DBTaskResult.objects.all().delete()  # the event's own task row (written with the action)
    path = "tests.core.test_events.explode"
    with pytest.raises(RetryScheduled):
        run_handler.call(entry_id=entry.pk, handler=path, fabrique_id=fabrique.pk, attempt=1)
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2 and retry.status == "READY"
    assert retry.run_after > retry.enqueued_at + retry_delay(1) * 0.9
    assert retry_delay(2) > retry_delay(1)
    # the last attempt raises the real error (a final failure, listed for admins)
    with pytest.raises(RuntimeError):
        run_handler.call(entry_id=entry.pk, handler=path, fabrique_id=fabrique.pk, attempt=MAX_ATTEMPTS)
    assert DBTaskResult.objects.count() == 1


def test_subjects_are_plain_text(fabrique):
    fabrique.name = "L'Atelier d'Ici"
    subject = render_subject("needs/email/report_confirmation_subject.txt", {"fabrique": fabrique})
    assert "&#x27;" not in subject and "L'Atelier d'Ici" in subject


def test_one_task_row_per_event_written_in_the_actions_transaction(fabrique, officer, settings):
    """Database backend: all the handlers of an entry in one row, inserted in the action's own
    transaction (committed with it, rolled back with it: no extra commit, no event lost)."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    events.on_action("tests.thing.*")(record)
    events.on_action("tests.thing.done")(explode)
    with transaction.atomic():
        entry = audit_log(actor=officer, fabrique=fabrique, target=fabrique, action="tests.thing.done")
        (row,) = DBTaskResult.objects.all()  # already there, before the commit
    assert row.task_path == "fabrique.core.tasks.run_handlers"
    assert row.args_kwargs["kwargs"] == {
        "entry_id": entry.pk,
        "handlers": ["tests.core.test_events.record", "tests.core.test_events.explode"],
        "fabrique_id": fabrique.pk,
        "attempt": 1,
    }
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(actor=officer, fabrique=fabrique, target=fabrique, action="tests.thing.done")
        raise RuntimeError("the service fails after writing")
    assert DBTaskResult.objects.count() == 1  # the rolled-back action left no task


def test_the_outbox_row_costs_one_insert_and_no_savepoint(fabrique, officer, settings):
    """The request's price of an event: one INSERT in its transaction, no SAVEPOINT/RELEASE round trips."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    events.on_action("tests.thing.*")(record)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        entry = audit_log(actor=officer, fabrique=fabrique, target=fabrique, action="tests.thing.done")
    seam = [
        q["sql"] for q in queries.captured_queries if "dbtaskresult" in q["sql"] or "SAVEPOINT" in q["sql"]
    ]
    assert len(seam) == 1 and seam[0].startswith("INSERT"), seam
    assert entry.pk


def test_a_task_that_cannot_be_written_in_the_transaction_is_enqueued_after_the_commit(
    fabrique, officer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A failure before the INSERT (here the task's validation) never breaks the action: the event is
    enqueued once the action commits."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    events.on_action("tests.thing.*")(record)
    calls = []

    def refuse_once(self, task):
        calls.append(task)
        if len(calls) == 1:
            raise ValueError("refused")

    monkeypatch.setattr(DatabaseBackend, "validate_task", refuse_once)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        entry = audit_log(actor=officer, fabrique=fabrique, target=fabrique, action="tests.thing.done")
        assert not DBTaskResult.objects.exists()
    (row,) = DBTaskResult.objects.all()
    assert row.args_kwargs["kwargs"]["entry_id"] == entry.pk


def test_only_the_failed_handlers_are_retried(fabrique, officer, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    events.on_action("tests.thing.done")(record)
    events.on_action("tests.thing.done")(explode)
    entry = _log(fabrique, officer)
    DBTaskResult.objects.all().delete()
    paths = ["tests.core.test_events.record", "tests.core.test_events.explode"]
    with pytest.raises(RetryScheduled):
        run_handlers.call(entry_id=entry.pk, handlers=paths, fabrique_id=fabrique.pk, attempt=1)
    assert [("tests.thing.done", entry.pk)] == CALLS  # the other handler ran
    (retry,) = DBTaskResult.objects.all()
    assert retry.args_kwargs["kwargs"]["handlers"] == ["tests.core.test_events.explode"]
    assert retry.args_kwargs["kwargs"]["attempt"] == 2 and retry.run_after > retry.enqueued_at
    with pytest.raises(RuntimeError):
        run_handlers.call(
            entry_id=entry.pk, handlers=paths[1:], fabrique_id=fabrique.pk, attempt=MAX_ATTEMPTS
        )
    with pytest.raises(LookupError):  # an unregistered path is never called
        run_handlers.call(entry_id=entry.pk, handlers=["os.remove"], fabrique_id=None, attempt=MAX_ATTEMPTS)
