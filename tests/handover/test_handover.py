"""Hand-over of a need or a project between two fabriques: offer, refusal, withdrawal, acceptance
(the object moves with its history, reports and documents; a read-only trace stays with the sender),
audit on both sides, notifications and the reporters' e-mail, tenant invariants, the pages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.audit.selectors import audit_timeline
from fabrique.core.errors import DomainError
from fabrique.handover.models import HandOver, HandOverStatus
from fabrique.handover.services import handover_accept, handover_offer, handover_refuse, handover_withdraw
from fabrique.needs.models import Criterion, CriterionScore, Need, NeedReport, NeedStage
from fabrique.needs.services import (
    criteria_setup_defaults,
    need_create_from_report,
    need_report_submit,
    need_score_set,
)
from fabrique.notifications.models import Notification
from fabrique.projects.models import ProjectStage
from fabrique.workstreams.models import Workstream
from tests.directory.factories import make_person
from tests.projects.factories import make_project, make_study

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _memory_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.FABRIQUE_SITE_URL = "https://fabrique.example.org"


def _need(team, *, title="Pas de mobilité le dimanche", consent=True, document=False):
    extra = {"evidence_document": ContentFile(PDF, name="preuve.pdf")} if document else {}
    report = need_report_submit(
        fabrique=team.fabrique,
        title=title,
        description="Aucun bus le dimanche.",
        reporter_name="Camille Martin",
        reporter_email="camille@example.org",
        consent_processing=True,
        consent_notifications=consent,
        **extra,
    )
    person = make_person(team.fabrique, team.officer)
    NeedReport.objects.filter(pk=report.pk).update(reporter_person=person)
    need = need_create_from_report(report=report, actor=team.officer, title=title)
    workstream, _created = Workstream.objects.get_or_create(
        fabrique=team.fabrique, code="mobilite", defaults={"name": "Mobilité"}
    )
    Need.objects.filter(pk=need.pk).update(workstream=workstream, officer=team.officer)
    need.refresh_from_db()
    return need


def _offer(team, other_team, target, reason="Ce territoire est le vôtre."):
    return handover_offer(
        fabrique=team.fabrique,
        actor=team.admin,
        target=target,
        to_fabrique=other_team.fabrique,
        reason=reason,
    )


def test_offer_is_audited_on_both_sides_and_tells_the_receiving_admins(
    team, other_team, django_capture_on_commit_callbacks
):
    need = _need(team)
    with django_capture_on_commit_callbacks(execute=True):
        handover = _offer(team, other_team, need)
    entries = AuditEntry.objects.filter(action="handover.handover.offered")
    assert {e.fabrique_id for e in entries} == {team.fabrique.pk, other_team.fabrique.pk}
    assert AuditEntry.objects.filter(action="needs.need.handover_offered", target_id=str(need.pk)).exists()
    received = Notification.objects.filter(fabrique=other_team.fabrique, kind="handover")
    assert {n.recipient for n in received} == {other_team.admin}
    assert handover.status == HandOverStatus.OFFERED and handover.sender_reference == need.reference


def test_offer_refusals_in_french(team, other_team):
    need = _need(team)
    with pytest.raises(ValidationError) as exc:
        _offer(team, other_team, need, reason="  ")
    assert "Indiquez le motif." in str(exc.value)
    with pytest.raises(ValidationError):
        handover_offer(
            fabrique=team.fabrique, actor=team.admin, target=need, to_fabrique=team.fabrique, reason="x"
        )
    with pytest.raises(DomainError, match="administrateur"):
        handover_offer(
            fabrique=team.fabrique,
            actor=team.officer,
            target=need,
            to_fabrique=other_team.fabrique,
            reason="x",
        )
    _offer(team, other_team, need)
    with pytest.raises(DomainError, match="déjà proposé"):
        _offer(team, other_team, need)
    studied = _need(team, title="À l'étude")
    Need.objects.filter(pk=studied.pk).update(stage=NeedStage.IN_STUDY)
    studied.refresh_from_db()
    with pytest.raises(DomainError, match="ni à l'étude"):
        _offer(team, other_team, studied)
    # another fabrique's need cannot be offered by this one
    foreign = _need(other_team, title="Chez l'autre")
    with pytest.raises(DomainError, match="n'appartient pas"):
        _offer(team, other_team, foreign)


def test_refusal_needs_a_reason_and_moves_nothing(team, other_team, django_capture_on_commit_callbacks):
    need = _need(team)
    handover = _offer(team, other_team, need)
    with pytest.raises(ValidationError):
        handover_refuse(handover=handover, actor=other_team.admin, reason="")
    with pytest.raises(DomainError):
        handover_refuse(handover=handover, actor=team.admin, reason="pas à vous")  # the sender cannot answer
    with django_capture_on_commit_callbacks(execute=True):
        handover_refuse(handover=handover, actor=other_team.admin, reason="Hors de notre territoire aussi.")
    need.refresh_from_db()
    assert need.fabrique == team.fabrique
    handover.refresh_from_db()
    assert (
        handover.status == HandOverStatus.REFUSED
        and handover.answer_reason == "Hors de notre territoire aussi."
    )
    assert AuditEntry.objects.filter(action="handover.handover.refused").count() == 2
    assert Notification.objects.filter(
        fabrique=team.fabrique, kind="handover", recipient=team.officer
    ).exists()
    with pytest.raises(DomainError, match="déjà reçu une réponse"):
        handover_accept(handover=handover, actor=other_team.admin)


def test_withdrawal_by_the_sender(team, other_team):
    handover = _offer(team, other_team, _need(team))
    with pytest.raises(DomainError):
        handover_withdraw(handover=handover, actor=other_team.admin)
    handover_withdraw(handover=handover, actor=team.admin)
    assert HandOver.objects.get(pk=handover.pk).status == HandOverStatus.WITHDRAWN


def test_acceptance_moves_the_need_with_history_reports_documents(
    team, other_team, django_capture_on_commit_callbacks
):
    criteria_setup_defaults(fabrique=team.fabrique)
    criteria_setup_defaults(fabrique=other_team.fabrique)
    need = _need(team, document=True)
    criterion = Criterion.objects.filter(fabrique=team.fabrique).order_by("order").first()
    need_score_set(need=need, criterion=criterion, score=2, comment="Avéré", actor=team.officer)
    report = need.reports.get()
    old_need_ref, old_report_ref = need.reference, report.reference
    handover = _offer(team, other_team, need)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handover = handover_accept(handover=handover, actor=other_team.admin, reason="Bienvenue")
    need.refresh_from_db()
    report.refresh_from_db()
    # moved, renumbered, detached from the sender's chantier, officer and directory
    assert need.fabrique == other_team.fabrique and report.fabrique == other_team.fabrique
    assert need.workstream is None and need.officer is None and report.reporter_person is None
    assert report.reporter_email == "camille@example.org"  # the report keeps its own contact fields
    assert report.evidence_document.name  # its document follows
    assert handover.receiver_reference == need.reference
    assert handover.trace["besoin"]["référence"] == old_need_ref
    assert f"{old_report_ref} → {report.reference}" in handover.trace["besoin"]["signalements"]
    # the score is mapped onto the receiver's criterion of the same code
    score = CriterionScore.objects.get(need=need)
    assert score.criterion.fabrique == other_team.fabrique and score.criterion.code == criterion.code
    # its history follows it (timeline by target) and both journals tell the story
    actions = [e.action for e in audit_timeline(target=need)]
    assert "needs.need.handed_over" in actions and "needs.need.created" in actions
    assert {e.fabrique_id for e in AuditEntry.objects.filter(action="handover.handover.accepted")} == {
        team.fabrique.pk,
        other_team.fabrique.pk,
    }
    # the consenting reporter is told, with their follow-up link
    to_reporter = [m for m in mail.outbox if m.to == ["camille@example.org"]]
    assert len(to_reporter) == 1
    message = to_reporter[0]
    assert other_team.fabrique.name in message.body and "prend le relais" in message.subject
    assert report.followup_token in message.body
    # the sender's lists no longer show it; the receiver's do
    assert not Need.objects.filter(fabrique=team.fabrique, pk=need.pk).exists()


def test_reporter_without_consent_is_not_told(team, other_team, django_capture_on_commit_callbacks):
    handover = _offer(team, other_team, _need(team, consent=False))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handover_accept(handover=handover, actor=other_team.admin)
    assert [m for m in mail.outbox if "camille@example.org" in m.to] == []


def test_acceptance_is_atomic(team, other_team, monkeypatch):
    need = _need(team)
    handover = _offer(team, other_team, need)
    import fabrique.handover.services as services

    def broken(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(services, "_forget_follows", broken)
    with pytest.raises(RuntimeError):
        handover_accept(handover=handover, actor=other_team.admin)
    need.refresh_from_db()
    assert need.fabrique == team.fabrique
    assert NeedReport.objects.get(need=need).fabrique == team.fabrique
    assert HandOver.objects.get(pk=handover.pk).status == HandOverStatus.OFFERED


def test_project_moves_with_its_needs_and_leaves_its_study(team, other_team):
    need = _need(team)
    study = make_study(team.fabrique, needs=[need])
    project = make_project(team.fabrique, study=study)
    project.needs.add(need)
    Need.objects.filter(pk=need.pk).update(stage=NeedStage.ANSWERED)
    handover = _offer(team, other_team, project)
    handover = handover_accept(handover=handover, actor=other_team.admin)
    project.refresh_from_db()
    need.refresh_from_db()
    assert project.fabrique == other_team.fabrique and project.study is None
    assert need.fabrique == other_team.fabrique and not need.studies.exists()
    assert study.needs.count() == 0 and study.fabrique == team.fabrique
    assert handover.trace["étude d'origine (restée chez l'expéditrice)"] == str(study)


def test_a_project_with_a_leader_cannot_be_offered(team, other_team):
    project = make_project(team.fabrique, stage=ProjectStage.LEADER_SELECTED)
    with pytest.raises(DomainError, match="cherche encore son porteur"):
        _offer(team, other_team, project)


# --- pages ----------------------------------------------------------------------------------------------


def _url(team, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_pages_offer_answer_and_trace(team, other_team):
    need = _need(team)
    sender = _client(team.admin)
    page = sender.get(_url(team, "need_detail", pk=need.pk)).content.decode()
    assert "Transmettre à une autre fabrique" in page
    response = sender.post(
        _url(team, "need_handover", pk=need.pk), {"to_fabrique": other_team.fabrique.pk, "reason": ""}
    )
    assert "Ce champ est obligatoire." in response.content.decode()
    response = sender.post(
        _url(team, "need_handover", pk=need.pk),
        {"to_fabrique": other_team.fabrique.pk, "reason": "Votre territoire"},
    )
    handover = HandOver.objects.get()
    assert response.status_code == 302
    assert "en attente de sa réponse" in sender.get(_url(team, "need_detail", pk=need.pk)).content.decode()
    receiver = _client(other_team.admin)
    detail = receiver.get(_url(other_team, "handover_detail", pk=handover.pk)).content.decode()
    assert "Pas de mobilité le dimanche" in detail and "Votre territoire" in detail
    assert (
        "camille@example.org" not in detail and "Camille" not in detail
    )  # no personal data before acceptance
    # refusing without a reason: a French message, nothing changes
    receiver.post(
        _url(other_team, "handover_answer", pk=handover.pk), {"decision": "refuse", "answer_reason": ""}
    )
    assert HandOver.objects.get().status == HandOverStatus.OFFERED
    receiver.post(_url(other_team, "handover_answer", pk=handover.pk), {"decision": "accept"})
    handover.refresh_from_db()
    assert handover.status == HandOverStatus.ACCEPTED
    need.refresh_from_db()
    assert receiver.get(_url(other_team, "need_detail", pk=need.pk)).status_code == 200
    assert "Transmis par" in receiver.get(_url(other_team, "need_detail", pk=need.pk)).content.decode()
    # the sender keeps a read-only trace, and no longer reaches the need
    trace = sender.get(_url(team, "handover_detail", pk=handover.pk)).content.decode()
    assert "Trace de ce qui est parti" in trace and handover.sender_reference in trace
    assert sender.get(_url(team, "need_detail", pk=need.pk)).status_code == 404
    # the list shows it on both sides
    assert handover.title in sender.get(_url(team, "handover_list")).content.decode()
    assert handover.title in receiver.get(_url(other_team, "handover_list")).content.decode()
