"""The duplicates queue's rankings are computed by the worker after the actions that change them, so that a
team member's first view reads them from the cache (`duplicate_queue_warm`), once for a burst of events."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from fabrique.needs import grouping
from fabrique.needs.grouping import LIVE_REPORTS, duplicate_queue_reports
from fabrique.needs.models import NeedReport, ReportStage
from fabrique.needs.services import need_create_from_report, need_report_attach

pytestmark = pytest.mark.django_db

WARM = "fabrique.core.tasks.warm_duplicate_queue"
TRANSPORT = "Pas de transport pour les personnes âgées vers le marché"
TRANSPORT_DESC = "Les seniors isolés sans voiture ne peuvent pas se rendre au marché ni chez le médecin."
CHILDCARE = "Pas de garde d'enfants le soir"
CHILDCARE_DESC = "Les parents en horaires décalés n'ont aucune solution de garde."


@pytest.fixture
def worker_backend(settings):
    """The database task backend, as in production: an event's handlers wait in a task row."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def world(worker_backend, team, make_report, carquefou):
    """Two needs with two reports each, and a received report that is the transport need again."""
    for title, description in ((TRANSPORT, TRANSPORT_DESC), (CHILDCARE, CHILDCARE_DESC)):
        need = need_create_from_report(
            report=make_report(title=title, description=description, commune=carquefou), actor=team.officer
        )
        need_report_attach(
            report=make_report(title=title, description=description, place="Carquefou centre"),
            need=need,
            actor=team.officer,
        )
    return make_report(title="Les seniors n'ont pas de transport pour le marché", commune=carquefou)


def run_worker(capture) -> list[str]:
    """Run the queued tasks as `fabrique worker` does, in its order, with the tasks they queue in turn;
    returns the paths of the tasks run."""
    ran = []
    while (row := DBTaskResult.objects.ready().first()) is not None:
        row.delete()
        with capture(execute=True):
            row.task.call(**row.args_kwargs["kwargs"])
        ran.append(row.task_path)
    return ran


def bo(fabrique, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug, **kwargs})


def forbid_scoring(monkeypatch) -> None:
    """From now on a ranking computed fails the test."""
    monkeypatch.setattr(grouping, "_rank", lambda **kw: pytest.fail("a ranking was computed in the request"))


def test_the_queues_first_view_after_new_reports_computes_no_ranking(
    client, team, fabrique, world, make_report, carquefou, monkeypatch, django_capture_on_commit_callbacks
):
    # given: the reports were recorded through the services, and the worker ran their events
    assert WARM in run_worker(django_capture_on_commit_callbacks)
    forbid_scoring(monkeypatch)
    client.force_login(team.reader)
    # when: a team member opens the queue, then compares its report with the need suggested
    page = client.get(bo(fabrique, "duplicate_queue"))
    compare = client.get(bo(fabrique, "duplicate_compare", pk=world.pk))
    # then: every ranking was read from the cache, and the report is shown with its probable need
    assert page.status_code == 200 and compare.status_code == 200
    assert [report.pk for report, _s in page.context["live"]] == [world.pk]
    assert page.context["live"][0][1].need.title == TRANSPORT
    assert compare.context["suggestions"][0].need.title == TRANSPORT
    # when: another report arrives (it changes what the queue shows) and the worker runs its event
    monkeypatch.undo()
    again = make_report(title="Transport des personnes âgées au marché", commune=carquefou)
    assert WARM in run_worker(django_capture_on_commit_callbacks)
    forbid_scoring(monkeypatch)
    # then: the next view computes nothing either, and shows both reports
    live = client.get(bo(fabrique, "duplicate_queue")).context["live"]
    assert [report.pk for report, _s in live] == [again.pk, world.pk]


def test_the_first_view_computes_the_rankings_the_worker_has_not(client, team, fabrique, world, monkeypatch):
    computed = []
    real_rank = grouping._rank

    def rank(**kwargs):
        computed.append(1)
        return real_rank(**kwargs)

    monkeypatch.setattr(grouping, "_rank", rank)
    # given: the events were not handled (no worker ran): nothing is cached
    client.force_login(team.reader)
    live = client.get(bo(fabrique, "duplicate_queue")).context["live"]
    # then: the page computes them itself, as before (the warming is a help, never a condition)
    assert computed and [report.pk for report, _s in live] == [world.pk]


def test_a_burst_of_events_warms_once(
    team, fabrique, world, make_report, carquefou, monkeypatch, django_capture_on_commit_callbacks
):
    run_worker(django_capture_on_commit_callbacks)
    warmed = []
    real_warm = grouping.duplicate_queue_warm

    def warm(*, fabrique):
        warmed.append(fabrique.pk)
        return real_warm(fabrique=fabrique)

    monkeypatch.setattr(grouping, "duplicate_queue_warm", warm)
    # given: a burst of reports (an import), each one an event with its own task row
    burst = [
        make_report(title=f"Transport des seniors vers le marché {k}", commune=carquefou)
        for k in range(LIVE_REPORTS + 2)
    ]
    events = DBTaskResult.objects.filter(task_path="fabrique.core.tasks.run_handlers").count()
    assert events >= len(burst)
    # when: the worker handles them
    ran = run_worker(django_capture_on_commit_callbacks)
    # then: one warming for all of them, after them
    assert ran.count(WARM) == 1 and ran[-1] == WARM and warmed == [fabrique.pk]
    # and it read the queue's latest received reports (the burst's)
    assert {r.pk for r in duplicate_queue_reports(fabrique=fabrique)} <= {r.pk for r in burst}
    # when: an event comes after the warming started, it asks for another one
    make_report(title="Encore un signalement", commune=carquefou)
    assert run_worker(django_capture_on_commit_callbacks).count(WARM) == 1
    assert warmed == [fabrique.pk, fabrique.pk]


def test_a_warming_is_queued_once_until_it_starts(fabrique, worker_backend):
    from fabrique.needs.grouping import duplicate_queue_warm, duplicate_queue_warm_request

    assert duplicate_queue_warm_request(fabrique_id=fabrique.pk) is True
    assert duplicate_queue_warm_request(fabrique_id=fabrique.pk) is False  # one is waiting
    assert DBTaskResult.objects.filter(task_path=WARM).count() == 1
    assert duplicate_queue_warm(fabrique=fabrique) == 0  # no received report yet
    assert duplicate_queue_warm_request(fabrique_id=fabrique.pk) is True  # started: the next event asks


def test_a_warming_that_cannot_be_queued_lets_the_next_event_ask(fabrique, monkeypatch):
    from types import SimpleNamespace

    from fabrique.core import tasks
    from fabrique.needs.grouping import duplicate_queue_warm_request

    def broken(**kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr(tasks, "warm_duplicate_queue", SimpleNamespace(enqueue=broken))
    with pytest.raises(RuntimeError):  # the handler fails: it is retried
        duplicate_queue_warm_request(fabrique_id=fabrique.pk)
    monkeypatch.undo()
    assert duplicate_queue_warm_request(fabrique_id=fabrique.pk) is True


def test_a_calibration_taken_into_use_warms_the_queue_again(fabrique, worker_backend, monkeypatch):
    """The rankings cached under the former pair model are no longer read: the worker computes them again."""
    from fabrique.core.tasks import refresh_pair_model_adaptation

    models = iter([None, (0.5, 0.4)])  # the shipped model, then the fabrique's calibration
    monkeypatch.setattr(grouping, "pair_model_adaptation_refresh_due", lambda **kw: True)
    monkeypatch.setattr(grouping, "ranking_model", lambda **kw: next(models))
    monkeypatch.setattr(
        grouping, "pair_model_adaptation_refresh", lambda **kw: type("Row", (), {"used": True})
    )
    assert refresh_pair_model_adaptation.call(fabrique_id=fabrique.pk) == "used"
    assert DBTaskResult.objects.filter(task_path=WARM).count() == 1
    # an unchanged model queues nothing
    DBTaskResult.objects.all().delete()
    monkeypatch.setattr(grouping, "ranking_model", lambda **kw: None)
    grouping.duplicate_queue_warm(fabrique=fabrique)  # clears the mark of the first warming
    assert refresh_pair_model_adaptation.call(fabrique_id=fabrique.pk) == "used"
    assert not DBTaskResult.objects.filter(task_path=WARM).exists()


def test_the_view_and_the_warming_read_the_same_reports(fabrique, make_report):
    reports = [make_report(title=f"Signalement {k}") for k in range(LIVE_REPORTS + 3)]
    NeedReport.objects.filter(pk=reports[-1].pk).update(stage=ReportStage.DISMISSED)
    expected = [r.pk for r in reversed(reports[:-1])][:LIVE_REPORTS]
    assert [r.pk for r in duplicate_queue_reports(fabrique=fabrique)] == expected


def test_a_backfill_has_the_queue_warmed_again(
    worker_backend, fabrique, world, django_capture_on_commit_callbacks
):
    from fabrique.needs.grouping import report_features_backfill

    run_worker(django_capture_on_commit_callbacks)  # the events of the world: warmed once
    # after an engine update, `backfill_report_features --force` recomputes every report's features: the
    # rankings cached read the former ones, so the worker computes them again before the team's next view
    assert report_features_backfill(fabrique=fabrique, force=True) == NeedReport.objects.count()
    assert run_worker(django_capture_on_commit_callbacks) == [WARM]
