"""Large indicator imports run in the background: queued by the confirm page, run by the worker with
their progress saved on the batch and shown on the page (which refreshes itself), parsed once, all or
nothing; a refusal is kept on the batch and the user is told."""

from pathlib import Path

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from fabrique.audit.models import AuditEntry
from fabrique.intelligence import importer, services
from fabrique.intelligence.models import BackgroundState, ImportBatch, ImportStage, Indicator, IndicatorValue
from fabrique.intelligence.services import (
    import_batch_cancel,
    import_batch_map,
    import_batch_queue,
    import_batch_upload,
)
from fabrique.intelligence.tasks import run_indicator_import
from fabrique.notifications.models import Notification

from .helpers import upload
from .test_import import INDICATOR, NO_CAR, NO_CAR_MAPPING

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(settings):
    settings.FABRIQUE_IMPORT_BACKGROUND_ROWS = 10  # the 24-row sample file counts as large
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def validated(team, media_root, reference_data):
    batch = import_batch_upload(fabrique=team.fabrique, actor=team.officer, uploaded_file=upload(NO_CAR))
    import_batch_map(batch=batch, actor=team.officer, mapping=NO_CAR_MAPPING, indicator_data=INDICATOR)
    batch.refresh_from_db()
    return batch


def _url(team, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def _run_queued(capture):
    """Run the queued import as the worker would, then the tasks of the events it produced."""
    (row,) = DBTaskResult.objects.filter(task_path="fabrique.intelligence.tasks.run_indicator_import")
    row.delete()
    with capture(execute=True):
        result = run_indicator_import.call(**row.args_kwargs["kwargs"])
    for other in DBTaskResult.objects.filter(status="READY"):
        other.delete()
        with capture(execute=True):
            other.task.call(**other.args_kwargs["kwargs"])
    return result


def test_a_large_file_is_imported_in_the_background_with_progress(
    team, large, validated, login, monkeypatch, django_capture_on_commit_callbacks
):
    client = login(team.officer)
    confirm = _url(team, "indicator_import_confirm", pk=validated.pk)
    assert "l'import se fera en arrière-plan" in client.get(confirm).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm, {"run": "1"})
    assert response.status_code == 302 and response["Location"] == confirm
    validated.refresh_from_db()
    assert validated.background == BackgroundState.QUEUED and validated.stage == ImportStage.VALIDATED
    assert not Indicator.objects.filter(fabrique=team.fabrique).exists()  # nothing imported by the request
    page = client.get(confirm).content.decode()
    assert "Import en attente" in page and 'http-equiv="refresh"' in page
    # the page does not parse nor check the file while the import runs (parsed once, by the worker)
    assert "Premières valeurs lues" not in page

    # the worker: progress saved as the rows are checked, then all the values in one transaction
    seen = []
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 5)
    saver = services._progress_saver

    def spy(batch_id):
        save = saver(batch_id)

        def record(done, total):
            save(done, total)
            seen.append(ImportBatch.objects.get(pk=batch_id).progress)

        return record

    monkeypatch.setattr(services, "_progress_saver", spy)
    assert _run_queued(django_capture_on_commit_callbacks) == "imported"
    assert [p["done"] for p in seen] == [0, 5, 10, 15, 20] and all(p["total"] == 24 for p in seen)
    validated.refresh_from_db()
    assert validated.stage == ImportStage.IMPORTED and validated.background == ""
    indicator = Indicator.objects.get(fabrique=team.fabrique)
    assert IndicatorValue.objects.filter(indicator=indicator, level="commune").count() == 24
    assert client.get(confirm)["Location"] == _url(team, "indicator_detail", pk=indicator.pk)
    (notification,) = Notification.objects.filter(recipient=team.officer, kind="import_done")
    assert notification.title.startswith("Import terminé") and str(indicator.pk) in notification.url
    actions = list(AuditEntry.objects.for_target(validated).order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["intelligence.importbatch.queued", "intelligence.importbatch.imported"]


def test_progress_is_shown_while_running(team, large, validated, login):
    ImportBatch.objects.filter(pk=validated.pk).update(
        background=BackgroundState.RUNNING, progress={"step": "check", "done": 12, "total": 24}
    )
    page = login(team.officer).get(_url(team, "indicator_import_confirm", pk=validated.pk)).content.decode()
    assert "Import en cours" in page and "Vérification des lignes : 12 sur 24." in page
    assert '<progress max="100" value="50"' in page and 'http-equiv="refresh"' in page


def test_a_refused_background_import_is_shown_and_nothing_is_imported(
    team, large, validated, login, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_queue(batch=validated, actor=team.officer)
    # the file changes on disk meanwhile: a value becomes text
    path = Path(validated.file.path)
    path.write_bytes(path.read_bytes().replace(b"44109;", b"44109x;", 1))
    assert _run_queued(django_capture_on_commit_callbacks) == "invalid"
    validated.refresh_from_db()
    assert validated.background == BackgroundState.FAILED and validated.stage == ImportStage.VALIDATED
    assert "rien n'a été importé" in validated.background_error
    assert not Indicator.objects.filter(fabrique=team.fabrique).exists()
    page = login(team.officer).get(_url(team, "indicator_import_confirm", pk=validated.pk)).content.decode()
    assert "L'import en arrière-plan a échoué" in page and "44109x" in page
    (notification,) = Notification.objects.filter(recipient=team.officer, kind="import_done")
    assert notification.title.startswith("Import en échec")


def test_queued_twice_or_cancelled_while_running_is_refused(team, large, validated):
    from fabrique.core.errors import DomainError

    import_batch_queue(batch=validated, actor=team.officer)
    with pytest.raises(DomainError, match="déjà en cours"):
        import_batch_queue(batch=validated, actor=team.officer)
    with pytest.raises(DomainError, match="en arrière-plan"):
        import_batch_cancel(batch=validated, actor=team.officer)


def test_a_small_file_is_still_imported_at_once(team, validated, login, settings):
    settings.FABRIQUE_IMPORT_BACKGROUND_ROWS = 5000
    client = login(team.officer)
    response = client.post(_url(team, "indicator_import_confirm", pk=validated.pk), {"run": "1"})
    indicator = Indicator.objects.get(fabrique=team.fabrique)
    assert response["Location"] == _url(team, "indicator_detail", pk=indicator.pk)
