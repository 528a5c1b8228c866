"""Erasure everywhere (every declared personal field checked), the subject-access export, retention."""

import datetime
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fabrique.audit.models import AuditEntry, AuditRedaction
from fabrique.core.schedule import daily_jobs
from fabrique.directory.models import Person
from fabrique.directory.services import interaction_create, person_create
from fabrique.needs.models import NeedReport
from fabrique.needs.services import need_report_submit
from fabrique.privacy.models import ErasureLog
from fabrique.privacy.registry import FREE, SUBJECT, fields_of
from fabrique.privacy.services import person_access_export, person_erase, retention_run
from fabrique.recruitment.models import ApplicationStage
from fabrique.recruitment.services import evaluation_save

from ..projects.factories import make_project
from ..recruitment.factories import make_application, make_call

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Ana Lopez", "ana.lopez@example.org", "+33612345678"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def everywhere(team):
    """Ana Lopez in the directory, as a reporter, as a candidate with a file and evaluations, quoted
    in a staff exchange and in a note of a need report."""
    person = person_create(
        fabrique=team.fabrique,
        actor=team.officer,
        first_name="Ana",
        last_name="Lopez",
        email=EMAIL,
        phone=PHONE,
        job_title="Coordinatrice",
        notes="Rencontrée au forum",
        purpose="need-reports",
        legal_basis="consent",
        consent_given=True,
        consent_source="formulaire papier",
        consent_date=datetime.date(2024, 2, 1),
    )
    interaction = interaction_create(
        fabrique=team.fabrique,
        actor=team.officer,
        kind="call",
        summary="Appel avec Ana Lopez sur la laverie",
        person=person,
    )
    report = need_report_submit(
        fabrique=team.fabrique,
        entered_by=team.officer,
        title="Pas de laverie solidaire",
        description="Signalé par Ana Lopez lors du forum",
        reporter_name=NAME,
        reporter_email=EMAIL,
        reporter_phone=PHONE,
        reporter_organization_name="Collectif des voisins",
    )
    call = make_call(make_project(team.fabrique), evaluators=[team.officer])
    application = make_application(call, first_name="Ana", last_name="Lopez", email=EMAIL, phone=PHONE)
    application.document.save("dossier.pdf", ContentFile(b"%PDF-1.4 dossier"), save=True)
    application.document_name = "dossier.pdf"
    application.save()
    criterion = call.criteria.first()
    evaluation_save(
        application=application,
        evaluator=team.officer,
        scores={criterion.pk: (3, "Ana a de l'expérience")},
        comment="Ana Lopez connaît bien le quartier",
    )
    return person, interaction, report, application


def _values_containing(fabrique, needles):
    """Every FREE or SUBJECT column of the fabrique (and the audit log) still holding a needle."""
    found = []
    for classification in (SUBJECT, FREE):
        for label, names in fields_of(classification).items():
            model = apps.get_model(label)
            for row in model._base_manager.all():
                for name in names:
                    value = json.dumps(getattr(row, name), ensure_ascii=False, default=str) if name else ""
                    for needle in needles:
                        if needle.lower() in value.lower():
                            found.append(f"{label}.{name} #{row.pk}")
    return found


def test_erasure_removes_the_person_everywhere(team, everywhere):
    person, interaction, report, application = everywhere
    file_name = application.document.name
    storage = application.document.storage
    assert storage.exists(file_name)
    # before: the person is in many places
    assert _values_containing(team.fabrique, [NAME, EMAIL])

    log = person_erase(person=person, actor=team.admin)

    # every declared personal field (SUBJECT and FREE) of every model: no trace of the name or e-mail
    left = _values_containing(team.fabrique, [NAME, EMAIL, PHONE, "Lopez"])
    assert left == [], [
        (e, AuditEntry.objects.filter(pk=int(e.split("#")[1])).values_list("action", "target_repr").first())
        for e in left
        if "audit" in e
    ]
    person.refresh_from_db()
    for name in fields_of(SUBJECT)["directory.person"]:
        assert getattr(person, name) == "", name
    report.refresh_from_db()
    for name in fields_of(SUBJECT)["needs.needreport"]:
        assert getattr(report, name) == "", name
    assert report.title == "Pas de laverie solidaire"  # the need itself stays
    application.refresh_from_db()
    for name in fields_of(SUBJECT)["recruitment.application"]:
        assert not getattr(application, name), name
    assert not storage.exists(file_name)  # the file is gone from the storage
    assert application.evaluations.get().comment == ""
    # the log of what was erased, without the data
    assert log.summary["reports"] == [report.reference]
    assert log.summary["applications"] == [application.pk]
    assert "Lopez" not in json.dumps(log.summary)
    # the audit entries were masked through recorded redactions, never deleted
    assert AuditRedaction.objects.filter(fabrique=team.fabrique, pending=False).exists()
    assert not AuditRedaction.objects.filter(pending=True).exists()
    assert AuditEntry.objects.filter(action="directory.person.created", target_id=str(person.pk)).exists()
    assert AuditEntry.objects.filter(action="directory.person.erased").exists()


def test_erasure_shows_in_the_api_and_search(team, everywhere, login):
    person = everywhere[0]
    person_erase(person=person, actor=team.admin)
    client = login(team.admin)
    body = client.get(f"/api/v1/{team.fabrique.slug}/directory/people/{person.pk}/").content.decode()
    assert "Lopez" not in body and EMAIL not in body
    from fabrique.directory.selectors import person_probable_duplicates

    assert not person_probable_duplicates(fabrique=team.fabrique, email=EMAIL).exists()
    assert not Person.objects.filter(search_name__icontains="lopez").exists()


def test_audit_triggers_allow_only_a_recorded_redaction(team, everywhere):
    import importlib

    person = everywhere[0]
    module = importlib.import_module("fabrique.audit.migrations.0003_audit_redaction")
    with transaction.atomic():
        module.install_triggers(connection)
        entry = AuditEntry.objects.filter(target_id=str(person.pk), action="directory.person.created").get()
        # a plain UPDATE is refused
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditentry SET note = 'x' WHERE id = %s", [entry.pk])
        # a redaction that would change a fact (the action) is refused even when recorded
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditRedaction.objects.create(entry=entry, reason="test", pending=True)
            with connection.cursor() as cursor:
                cursor.execute("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
        # deleting stays impossible
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
        # the erasure goes through
        person_erase(person=person, actor=team.admin)
        entry.refresh_from_db()
        assert "Ana" not in json.dumps(entry.new_values) and "Lopez" not in entry.target_repr
        assert entry.action == "directory.person.created"


def test_subject_access_export(team, everywhere):
    person, interaction, report, application = everywhere
    data = person_access_export(person=person, actor=team.admin)
    archive = zipfile.ZipFile(io.BytesIO(data))
    content = json.loads(archive.read("donnees.json"))
    assert content["contact"]["email"] == EMAIL and content["contact"]["last_name"] == "Lopez"
    assert content["echanges"][0]["summary"].startswith("Appel avec Ana Lopez")
    assert content["signalements"][0]["reference"] == report.reference
    assert content["candidatures"][0]["motivation"]
    assert (
        content["candidatures"][0]["appreciations"][0]["commentaire"] == "Ana Lopez connaît bien le quartier"
    )
    assert archive.read(content["candidatures"][0]["fichier"]) == b"%PDF-1.4 dossier"
    assert AuditEntry.objects.filter(action="directory.person.access_exported").exists()


def test_retention_job_erases_expired_contacts_and_candidates_and_logs_it(
    team, everywhere, django_capture_on_commit_callbacks
):
    person, interaction, report, application = everywhere
    assert "privacy.retention" in daily_jobs()
    today = timezone.localdate()
    # not yet due: nothing happens
    assert retention_run(today=today) == {"contacts": 0, "candidates": 0}
    Person.objects.filter(pk=person.pk).update(retention_until=today - datetime.timedelta(days=1))
    other = make_application(application.call, first_name="Léo", last_name="Martin", email="leo@example.org")
    type(other).objects.filter(pk=other.pk).update(
        stage=ApplicationStage.NOT_SELECTED, stage_changed_at=timezone.now() - datetime.timedelta(days=800)
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = retention_run(today=today)
    assert counts == {"contacts": 1, "candidates": 1}
    other.refresh_from_db()
    assert other.email == "" and other.last_name == ""
    logs = ErasureLog.objects.filter(fabrique=team.fabrique, reason="retention")
    assert {log.category for log in logs} == {"contact", "candidate", "reporter"}
    # the reporter erased with the contact is logged too (events seam)
    assert ErasureLog.objects.filter(category="reporter", target_id=str(report.pk)).exists()
    assert NeedReport.objects.get(pk=report.pk).reporter_email == ""
