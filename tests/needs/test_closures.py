"""Ends a state machine allows that only need a reason: close a need, abandon a study, cancel a meeting
(issue 14: every stage reachable from the pages)."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.committees.models import CommitteeType, MeetingStatus
from fabrique.committees.services import (
    committee_create,
    committee_types_setup_defaults,
    meeting_cancel,
    meeting_create,
)
from fabrique.core.errors import DomainError, TransitionNotAllowed
from fabrique.needs.models import NeedStage
from fabrique.needs.services import need_close
from fabrique.studies.models import StudyStage
from fabrique.studies.services import study_abandon
from tests.projects.factories import make_need, make_study

pytestmark = pytest.mark.django_db


def url(name, team, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def test_close_a_need_with_its_reason_and_not_from_qualification(team):
    need = make_need(team.fabrique, stage=NeedStage.RETAINED)
    with pytest.raises(ValidationError):
        need_close(need=need, actor=team.officer, reason="  ")
    closed = need_close(need=need, actor=team.officer, reason="Couvert par le CCAS depuis mars.")
    assert closed.stage == NeedStage.CLOSED
    entry = AuditEntry.objects.get(action="needs.need.closed", target_id=str(need.pk))
    assert entry.note == "Couvert par le CCAS depuis mars."
    qualifying = make_need(team.fabrique, title="En qualification", stage=NeedStage.QUALIFYING)
    with pytest.raises(TransitionNotAllowed, match="décidez-en d'abord"):
        need_close(need=qualifying, actor=team.officer, reason="x")


def test_abandoning_a_study_gives_its_needs_back_to_retained(team):
    need = make_need(team.fabrique, stage=NeedStage.IN_STUDY)
    other = make_need(team.fabrique, title="Aussi dans une autre étude", stage=NeedStage.IN_STUDY)
    study = make_study(team.fabrique, needs=[need, other], stage=StudyStage.IN_PROGRESS)
    make_study(team.fabrique, title="Étude voisine", needs=[other], stage=StudyStage.IN_PROGRESS)
    study_abandon(study=study, actor=team.officer, reason="Le bailleur s'est retiré.")
    study.refresh_from_db()
    need.refresh_from_db()
    other.refresh_from_db()
    assert study.stage == StudyStage.ABANDONED
    assert need.stage == NeedStage.RETAINED and other.stage == NeedStage.IN_STUDY
    with pytest.raises(DomainError, match="Seule une étude en cours"):
        study_abandon(study=study, actor=team.officer, reason="encore")


def test_cancel_a_planned_meeting_only(team):
    committee_types_setup_defaults(fabrique=team.fabrique)
    committee_type = CommitteeType.objects.filter(fabrique=team.fabrique).first()
    committee = committee_create(
        fabrique=team.fabrique, actor=team.admin, committee_type=committee_type, name="Comité d'engagement"
    )
    moment = timezone.now() + datetime.timedelta(days=10)
    meeting = meeting_create(committee=committee, actor=team.officer, date=moment, place="Solilab")
    cancelled = meeting_cancel(meeting=meeting, actor=team.officer, reason="Quorum impossible.")
    assert cancelled.status == MeetingStatus.CANCELLED
    with pytest.raises(TransitionNotAllowed):
        meeting_cancel(meeting=cancelled, actor=team.officer, reason="encore")


def test_the_pages_offer_and_perform_the_close_with_french_errors(team, login):
    need = make_need(team.fabrique, stage=NeedStage.ANSWERED)
    client = login(team.officer)
    assert "Clore le besoin" in unescape(client.get(url("need_detail", team, pk=need.pk)).content.decode())
    response = client.post(url("need_close", team, pk=need.pk), {"reason": ""})
    assert "Ce champ est obligatoire" in unescape(response.content.decode())
    response = client.post(url("need_close", team, pk=need.pk), {"reason": "Projet en activité."})
    assert response.status_code == 302 and response["Location"] == url("need_detail", team, pk=need.pk)
    need.refresh_from_db()
    assert need.stage == NeedStage.CLOSED
    page = unescape(client.get(url("need_close", team, pk=need.pk)).content.decode())
    assert "Ce n'est pas possible à cette étape." in page


def test_the_study_page_offers_to_abandon(team, login):
    study = make_study(team.fabrique, stage=StudyStage.IN_PROGRESS)
    client = login(team.officer)
    assert "Abandonner l'étude" in unescape(
        client.get(url("study_detail", team, pk=study.pk)).content.decode()
    )
    response = client.post(url("study_abandon", team, pk=study.pk), {"reason": "Plus de partenaires."})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.stage == StudyStage.ABANDONED
