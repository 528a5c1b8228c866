"""E-mails to reporters (only with their consent) and to candidates."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from fabrique.audit.services import audit_log
from fabrique.needs.models import Need, NeedStage
from fabrique.needs.services import need_create_from_report, need_report_attach, need_report_submit
from tests.needs.conftest import report_data


@pytest.fixture
def need(team, settings):
    settings.FABRIQUE_SITE_URL = "https://fabrique.example.org"
    fabrique = team.fabrique
    first = need_report_submit(
        fabrique=fabrique, **report_data(reporter_email="oui@example.org", consent_notifications=True)
    )
    need = need_create_from_report(report=first, actor=team.officer)
    need_report_attach(
        report=need_report_submit(fabrique=fabrique, **report_data(reporter_email="non@example.org")),
        need=need,
        actor=team.officer,
    )
    Need.objects.filter(pk=need.pk).update(stage=NeedStage.QUALIFYING)
    need.refresh_from_db()
    mail.outbox.clear()
    return need


def test_not_retained_with_the_reason_only_to_consenting_reporters(
    team, need, django_capture_on_commit_callbacks
):
    from fabrique.committees.services import decision_record

    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            fabrique=team.fabrique,
            actor=team.admin,
            target=need,
            outcome="not_retained",
            reason_code="too_few",
            reasons="Deux familles concernées.",
        )
    (message,) = [m for m in mail.outbox if "n'est pas retenu" in m.subject]
    assert message.to == ["oui@example.org"] and message.subject.startswith(team.fabrique.name)
    assert "trop peu de personnes concernées — Deux familles concernées." in message.body
    assert "https://fabrique.example.org/f/nantes/" in message.body  # the personal follow-up link
    assert "&#x27;" not in message.subject and message.alternatives


@pytest.mark.parametrize(
    ("action", "words"),
    [("needs.need.retained", "est retenu"), ("needs.need.in_study", "une étude est ouverte")],
)
def test_retained_and_study_opened(team, need, action, words, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_log(actor=team.officer, fabrique=team.fabrique, target=need, action=action)
    assert [m.to for m in mail.outbox if words in m.subject] == [["oui@example.org"]]


def test_enterprise_created(team, need, django_capture_on_commit_callbacks):
    from fabrique.projects.models import Project

    project = Project.objects.create(fabrique=team.fabrique, title="Crèche du soir")
    project.needs.add(need)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_log(
            actor=team.officer,
            fabrique=team.fabrique,
            target=project,
            action="projects.project.enterprise_created",
        )
    (message,) = mail.outbox
    assert message.to == ["oui@example.org"] and "Crèche du soir" in message.body


def test_candidates_shortlisted_and_call_cancelled(team, django_capture_on_commit_callbacks):
    from fabrique.projects.services import project_create
    from fabrique.recruitment.services import application_submit, call_cancel, call_create, call_publish

    project = project_create(fabrique=team.fabrique, actor=team.admin, **{"title": "Recyclerie"})
    call = call_publish(
        call=call_create(
            project=project,
            actor=team.admin,
            **{
                "title": "Appel recyclerie",
                "description": "D",
                "profile_sought": "P",
                "deadline": timezone.localdate() + datetime.timedelta(days=10),
            },
        ),
        actor=team.admin,
    )
    application = application_submit(
        call=call,
        **{
            "first_name": "Awa",
            "last_name": "Diallo",
            "email": "awa@example.org",
            "consent_processing": True,
            "motivation": "M",
        },
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_log(
            actor=team.officer,
            fabrique=team.fabrique,
            target=application,
            action="recruitment.application.under_review",
        )
    assert [m.subject for m in mail.outbox] == [
        f"{team.fabrique.name} — votre candidature est retenue pour l'examen"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        call_cancel(call=call, actor=team.admin, reason="Projet suspendu")
    cancelled = [m for m in mail.outbox if "est annulé" in m.subject]
    assert [m.to for m in cancelled] == [["awa@example.org"]]
