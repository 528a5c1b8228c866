"""API writes of the method that the back-office makes (issue 13): opening a study, recording the
enterprise a project created, scoring an application, recording decisions (a committee's on an
agenda item, the team's outside a meeting). Each goes through the same service as the page: 201 with
the row, 400 with French field errors, 409 with the French reason when the state forbids it, 403
for a role or scope that may not; every success leaves its audit entry."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from fabrique.api.models import TokenScope
from fabrique.api.tokens import api_token_create
from fabrique.audit.models import AuditEntry
from fabrique.committees.models import Decision
from fabrique.committees.services import agenda_item_add
from fabrique.needs.models import NeedStage
from fabrique.projects.models import Enterprise, ProjectStage
from fabrique.recruitment.models import ApplicationStage, Evaluation, EvaluationCriterion
from fabrique.studies.models import Study, StudyStage
from fabrique.support.models import SupportStage
from fabrique.support.services import support_plan_start
from tests.committees.factories import make_awaiting_study, make_committee, make_meeting, make_need
from tests.directory.factories import make_person
from tests.recruitment.factories import make_application, make_call
from tests.support.conftest import VALID_SIRET, make_project

pytestmark = pytest.mark.django_db


def url(fabrique, basename: str, suffix: str = "list", **kwargs) -> str:
    return reverse(f"api:{basename}-{suffix}", kwargs={"fabrique_slug": fabrique.slug, **kwargs})


def token_for(user, fabrique, scope=TokenScope.WRITE) -> dict:
    _token, clear = api_token_create(
        user=user,
        fabrique=fabrique,
        actor=user,
        name="outil",
        scope=scope,
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def post(client, path: str, body: dict, auth: dict):
    return client.post(path, data=json.dumps(body, default=str), content_type="application/json", **auth)


def by_session(client, user, path: str, body: dict):
    """A POST from the browser session of `user` (a role that cannot have a write token)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    try:
        return client.post(path, data=json.dumps(body), content_type="application/json")
    finally:
        client.logout()


def audited(action: str, target) -> bool:
    return AuditEntry.objects.filter(action=action, target_id=target.pk).exists()


# --- opening a study ----------------------------------------------------------------------------------


def test_open_a_study_on_retained_needs(client, team):
    fabrique = team.fabrique
    need = make_need(fabrique)
    response = post(
        client,
        url(fabrique, "study"),
        {"needs": [need.pk], "title": "Garde d'enfants", "officer": team.officer.pk},
        token_for(team.officer, fabrique),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == StudyStage.IN_PROGRESS and body["needs"] == [need.pk]
    assert body["reference"].startswith("E")
    study = Study.objects.get(pk=body["id"])
    need.refresh_from_db()
    assert need.stage == NeedStage.IN_STUDY
    assert audited("studies.study.created", study)
    assert AuditEntry.objects.filter(target_id=need.pk, action__startswith="needs.need.").exists()


def test_open_a_study_refusals(client, team, other_team):
    fabrique = team.fabrique
    auth = token_for(team.officer, fabrique)
    qualifying = make_need(fabrique, title="Pas encore retenu", stage=NeedStage.QUALIFYING)
    # a need that is not retained: the state machine refuses (409, French reason)
    refused = post(client, url(fabrique, "study"), {"needs": [qualifying.pk], "title": "X"}, auth)
    assert refused.status_code == 409
    assert "n'est pas retenu" in refused.json()["detail"]
    # bad input: no need, another fabrique's need, a conclusion before the study exists
    empty = post(client, url(fabrique, "study"), {"needs": [], "title": "X"}, auth)
    assert empty.status_code == 400 and "needs" in empty.json()
    theirs = make_need(other_team.fabrique)
    foreign = post(client, url(fabrique, "study"), {"needs": [theirs.pk], "title": "X"}, auth)
    assert foreign.status_code == 400 and "needs" in foreign.json()
    early = post(
        client,
        url(fabrique, "study"),
        {"needs": [make_need(fabrique).pk], "title": "X", "conclusion": "Déjà conclu"},
        auth,
    )
    assert early.status_code == 400 and "conclusion" in early.json()
    assert not Study.objects.filter(fabrique=fabrique).exists()
    # a read-only token, and a role without EDIT
    read_only = token_for(team.officer, fabrique, TokenScope.READ)
    assert post(client, url(fabrique, "study"), {"needs": [qualifying.pk]}, read_only).status_code == 403
    committee = token_for(team.committee, fabrique)
    assert post(client, url(fabrique, "study"), {"needs": [qualifying.pk]}, committee).status_code == 403


# --- recording the enterprise ------------------------------------------------------------------------------


def enterprise_body(project, **overrides) -> dict:
    return {
        "project": project.pk,
        "legal_name": "SCIC L'Épicerie du quartier",
        "legal_form": "scic",
        "siret": VALID_SIRET,
        "created_on": (timezone.localdate() - datetime.timedelta(days=5)).isoformat(),
        "jobs_fte": "2.5",
        **overrides,
    }


def test_record_the_enterprise_of_a_project_in_support(client, team):
    fabrique = team.fabrique
    project = make_project(fabrique, stage=ProjectStage.LEADER_SELECTED, officer=team.officer)
    plan = support_plan_start(
        project=project, actor=team.officer, started_on=timezone.localdate(), objectives="Ouvrir"
    )
    auth = token_for(team.officer, fabrique)
    response = post(
        client, url(fabrique, "enterprise"), enterprise_body(project, create_organization=True), auth
    )
    assert response.status_code == 201, response.content
    body = response.json()
    enterprise = Enterprise.objects.get(pk=body["id"])
    assert body["project"] == project.pk and body["organization"] == enterprise.organization_id
    assert "create_organization" not in body
    project.refresh_from_db()
    plan.refresh_from_db()
    assert project.stage == ProjectStage.CREATED and plan.stage == SupportStage.COMPLETED
    assert audited("projects.enterprise.created", enterprise)
    assert audited("projects.project.enterprise_created", project)
    # the same project again: the state forbids it (409), nothing more is written
    again = post(client, url(fabrique, "enterprise"), enterprise_body(project), auth)
    assert again.status_code == 409
    assert Enterprise.objects.filter(project=project).count() == 1


def test_record_the_enterprise_refusals(client, team):
    fabrique = team.fabrique
    auth = token_for(team.officer, fabrique)
    early = make_project(fabrique, stage=ProjectStage.LEADER_SELECTED)
    refused = post(client, url(fabrique, "enterprise"), enterprise_body(early), auth)
    assert refused.status_code == 409
    assert "en accompagnement" in refused.json()["detail"]
    in_support = make_project(fabrique, title="Recyclerie", stage=ProjectStage.IN_SUPPORT)
    bad = post(
        client,
        url(fabrique, "enterprise"),
        enterprise_body(in_support, legal_name="", created_on="2999-01-01"),
        auth,
    )
    assert bad.status_code == 400
    assert {"legal_name", "created_on"} <= set(bad.json())
    # the service's own checks, as field errors: a SIRET whose key is wrong, a future date
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    checked = post(
        client,
        url(fabrique, "enterprise"),
        enterprise_body(in_support, siret="73282932000075", created_on=future),
        auth,
    )
    assert checked.status_code == 400, checked.content
    assert {"siret", "created_on"} <= set(checked.json())
    assert "futur" in checked.json()["created_on"][0]
    assert not Enterprise.objects.filter(project__fabrique=fabrique).exists()
    committee = token_for(team.committee, fabrique)
    assert (
        post(client, url(fabrique, "enterprise"), enterprise_body(in_support), committee).status_code == 403
    )


# --- scoring an application ------------------------------------------------------------------------------


@pytest.fixture
def grading(team):
    project = make_project(team.fabrique, stage=ProjectStage.SEEKING_LEADER)
    call = make_call(project, evaluators=[team.committee])
    application = make_application(call)
    criteria = list(EvaluationCriterion.objects.filter(call=call).order_by("order"))
    return call, application, criteria


def test_score_an_application_draft_then_submit(client, team, grading):
    fabrique = team.fabrique
    _call, application, (profile, motivation) = grading
    auth = token_for(team.committee, fabrique)
    draft = post(
        client,
        url(fabrique, "evaluation"),
        {"application": application.pk, "scores": [{"criterion": profile.pk, "score": 4}]},
        auth,
    )
    assert draft.status_code == 201, draft.content
    assert draft.json()["submitted_at"] is None
    assert draft.json()["scores"] == [{"criterion": profile.pk, "score": 4, "comment": ""}]
    evaluation = Evaluation.objects.get(application=application, evaluator=team.committee)
    assert audited("recruitment.evaluation.saved", evaluation)
    # submitting needs every criterion: a French error per criterion
    incomplete = post(
        client,
        url(fabrique, "evaluation"),
        {"application": application.pk, "scores": [{"criterion": profile.pk, "score": 4}], "submit": True},
        auth,
    )
    assert incomplete.status_code == 400
    assert "Notez ce critère" in incomplete.json()[f"score_{motivation.pk}"][0]
    over = post(
        client,
        url(fabrique, "evaluation"),
        {"application": application.pk, "scores": [{"criterion": profile.pk, "score": 9}]},
        auth,
    )
    assert over.status_code == 400 and "La note va de 0 à 5" in over.json()[f"score_{profile.pk}"][0]
    full = {
        "application": application.pk,
        "scores": [
            {"criterion": profile.pk, "score": 4, "comment": "Solide"},
            {"criterion": motivation.pk, "score": 8},
        ],
        "comment": "Convaincant",
        "submit": True,
    }
    submitted = post(client, url(fabrique, "evaluation"), full, auth)
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["submitted_at"] and submitted.json()["comment"] == "Convaincant"
    assert audited("recruitment.evaluation.submitted", application)
    # a submitted evaluation no longer changes: 409
    assert post(client, url(fabrique, "evaluation"), full, auth).status_code == 409


def test_score_refusals(client, team, other_team, grading):
    fabrique = team.fabrique
    call, application, (profile, _motivation) = grading
    body = {"application": application.pk, "scores": [{"criterion": profile.pk, "score": 3}]}
    # an administrator who is not an evaluator of the call: 403 (as on the page)
    not_evaluator = post(client, url(fabrique, "evaluation"), body, token_for(team.admin, fabrique))
    assert not_evaluator.status_code == 403
    # a role without DECIDE
    assert by_session(client, team.reader, url(fabrique, "evaluation"), body).status_code == 403
    auth = token_for(team.committee, fabrique)
    # a criterion of another call, another fabrique's application
    other = make_call(make_project(fabrique, title="Autre", stage=ProjectStage.SEEKING_LEADER))
    foreign_criterion = EvaluationCriterion.objects.filter(call=other).first()
    wrong = post(
        client,
        url(fabrique, "evaluation"),
        {"application": application.pk, "scores": [{"criterion": foreign_criterion.pk, "score": 1}]},
        auth,
    )
    assert wrong.status_code == 400 and "scores" in wrong.json()
    theirs = make_application(make_call(make_project(other_team.fabrique, stage=ProjectStage.SEEKING_LEADER)))
    foreign = post(client, url(fabrique, "evaluation"), {"application": theirs.pk, "scores": []}, auth)
    assert foreign.status_code == 400 and "application" in foreign.json()
    # a decided application: 409
    application.stage = ApplicationStage.NOT_SELECTED
    application.save(update_fields=["stage"])
    assert post(client, url(fabrique, "evaluation"), body, auth).status_code == 409
    assert not Evaluation.objects.filter(application=application).exists()


# --- decisions ------------------------------------------------------------------------------------------


def test_a_committee_decides_an_agenda_item(client, team):
    fabrique = team.fabrique
    members = [make_person(fabrique, first_name=n, last_name="Membre") for n in ("Alex", "Bea", "Chris")]
    committee = make_committee(fabrique, team.admin, members=members)
    meeting = make_meeting(committee, team.admin, attendees=members)
    study = make_awaiting_study(fabrique, team.admin)
    item = agenda_item_add(meeting=meeting, actor=team.admin, target=study)
    auth = token_for(team.committee, fabrique)
    votes = [{"person": p.pk, "choice": "for"} for p in members[:2]] + [
        {"person": members[2].pk, "choice": "abstain", "conflict": True}
    ]
    response = post(
        client,
        url(fabrique, "decision"),
        {"agenda_item": item.pk, "outcome": "go", "member_votes": votes},
        auth,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome"] == "go" and body["meeting"] == meeting.pk and body["agenda_item"] == item.pk
    assert (body["votes_for"], body["votes_against"], body["votes_abstain"]) == (2, 0, 1)
    study.refresh_from_db()
    assert study.stage == StudyStage.GO
    decision = Decision.objects.get(pk=body["id"])
    assert audited("committees.decision.created", decision)
    assert audited("committees.meeting.item_decided", meeting)
    # the same item again: already decided (409)
    again = post(client, url(fabrique, "decision"), {"agenda_item": item.pk, "outcome": "no_go"}, auth)
    assert again.status_code == 409


def test_a_staff_decision_outside_a_meeting(client, team):
    fabrique = team.fabrique
    study = make_awaiting_study(fabrique, team.admin)
    auth = token_for(team.officer, fabrique)
    path = url(fabrique, "decision")
    # no-go needs its reasons: 400, French, nothing decided
    missing = post(client, path, {"target": "study", "target_id": study.pk, "outcome": "no_go"}, auth)
    assert missing.status_code == 400 and "motif" in missing.json()["reason_code"][0]
    ok = post(
        client,
        path,
        {"target": "study", "target_id": study.pk, "outcome": "continue", "reasons": "Encore une piste"},
        auth,
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["meeting"] is None
    study.refresh_from_db()
    assert study.stage == StudyStage.IN_PROGRESS
    assert audited("committees.decision.created", Decision.objects.get(pk=ok.json()["id"]))
    # the study is no longer awaiting a decision: the machine refuses (409, French)
    late = post(client, path, {"target": "study", "target_id": study.pk, "outcome": "go"}, auth)
    assert late.status_code == 409 and "n'est pas possible" in late.json()["detail"]
    # an application: the team selects a leader
    project = make_project(fabrique, title="Crèche", stage=ProjectStage.SEEKING_LEADER)
    application = make_application(make_call(project))
    chosen = post(
        client, path, {"target": "application", "target_id": application.pk, "outcome": "selected"}, auth
    )
    assert chosen.status_code == 201, chosen.content
    application.refresh_from_db()
    assert application.stage == ApplicationStage.SELECTED


def test_decision_bad_input_and_rights(client, team, other_team):
    fabrique = team.fabrique
    path = url(fabrique, "decision")
    auth = token_for(team.committee, fabrique)
    assert post(client, path, {"outcome": "go"}, auth).status_code == 400
    theirs = make_awaiting_study(other_team.fabrique, other_team.admin)
    foreign = post(client, path, {"target": "study", "target_id": theirs.pk, "outcome": "go"}, auth)
    assert foreign.status_code == 400 and "target_id" in foreign.json()
    unknown = post(client, path, {"target": "workshop", "target_id": 1, "outcome": "go"}, auth)
    assert unknown.status_code == 400 and "target" in unknown.json()
    mine = make_awaiting_study(fabrique, team.admin, title="Autre étude")
    body = {"target": "study", "target_id": mine.pk, "outcome": "go"}
    assert by_session(client, team.reader, path, body).status_code == 403
    read_only = token_for(team.committee, fabrique, TokenScope.READ)
    assert post(client, path, body, read_only).status_code == 403
    mine.refresh_from_db()
    assert mine.stage == StudyStage.AWAITING_DECISION
    assert not Decision.objects.filter(fabrique=fabrique).exists()


def test_an_unknown_row_is_a_french_404(client, team):
    """Found by the Schemathesis run: Django's get_object_or_404 answered "No Study matches the given
    query." in English."""
    auth = token_for(team.officer, team.fabrique, TokenScope.READ)
    response = client.get(url(team.fabrique, "study", "detail", pk=999_999), **auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "Élément introuvable."
