import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import DomainError, TransitionNotAllowed
from fabrique.projects.models import ProjectStage, RecruitmentMode
from fabrique.recruitment.models import Application, ApplicationSource, ApplicationStage, Call, CallStage
from fabrique.recruitment.services import (
    application_create_direct,
    application_submit,
    call_cancel,
    call_close,
    call_create,
    call_evaluators_set,
    call_publish,
    call_update,
    evaluation_save,
)
from fabrique.recruitment.storage import private_media_root

from ..projects.factories import make_organization, make_person, make_project
from .factories import make_application, make_call, pdf_bytes, upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def entries(obj, action):
    return AuditEntry.objects.for_target(obj).filter(action=action)


def call_data(**kw):
    return {
        "title": "Appel à porteurs : garage solidaire",
        "description": "Un garage où l'on répare sa voiture avec l'aide d'un mécanicien.",
        "profile_sought": "Mécanicien·ne, structure d'insertion",
        "deadline": TODAY() + datetime.timedelta(days=30),
        **kw,
    }


def application_data(**kw):
    return {
        "first_name": "Sam",
        "last_name": "Bernard",
        "email": "Sam.Bernard@Example.org",
        "phone": "",
        "organization_name": "",
        "motivation": "J'ai tenu un garage associatif.",
        "experience": "",
        "consent_processing": True,
        **kw,
    }


# --- calls -------------------------------------------------------------------------------------------------


def test_call_create_with_the_default_grid(team):
    project = make_project(team.fabrique)
    call = call_create(project=project, actor=team.officer, **call_data())
    again = call_create(project=project, actor=team.officer, **call_data())
    assert call.stage == CallStage.DRAFT
    assert call.slug == "appel-a-porteurs-garage-solidaire" and again.slug.endswith("-2")
    assert call.criteria.count() == 5 and call.criteria.first().weight == 3
    project.refresh_from_db()
    assert project.recruitment_mode == RecruitmentMode.CALL
    entry = entries(call, "recruitment.call.created").get()
    assert len(entry.new_values["criteria"]) == 5


def test_call_create_refusals(team):
    project = make_project(team.fabrique)
    with pytest.raises(ValidationError) as exc:
        call_create(
            project=project, actor=team.officer, **call_data(deadline=TODAY() - datetime.timedelta(1))
        )
    assert "deadline" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        call_create(project=project, actor=team.officer, **call_data(), criteria=[{"label": ""}])
    assert "au moins un critère" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        call_create(
            project=project, actor=team.officer, **call_data(), criteria=[{"label": "A", "max_score": 50}]
        )
    with pytest.raises(DomainError):
        call_create(
            project=make_project(team.fabrique, stage=ProjectStage.LEADER_SELECTED),
            actor=team.officer,
            **call_data(),
        )
    assert not Call.objects.exists()


def test_call_publish_close_and_their_audit(team):
    # given
    call = make_call(make_project(team.fabrique), stage=CallStage.DRAFT)
    first, second = make_application(call), make_application(call, email="b@example.org")
    Application.objects.filter(pk=second.pk).update(stage=ApplicationStage.WITHDRAWN)
    # when
    call = call_publish(call=call, actor=team.officer)
    # then
    assert call.stage == CallStage.PUBLISHED and call.published_on == TODAY()
    assert entries(call, "recruitment.call.published").get().old_values == {"stage": "draft"}
    # when
    call = call_close(call=call, actor=team.officer)
    # then
    assert call.stage == CallStage.CLOSED
    assert entries(call, "recruitment.call.closed").exists()
    first.refresh_from_db()
    assert first.stage == ApplicationStage.UNDER_REVIEW
    assert entries(first, "recruitment.application.under_review").exists()
    second.refresh_from_db()
    assert second.stage == ApplicationStage.WITHDRAWN


def test_forbidden_call_transitions(team):
    call = make_call(make_project(team.fabrique), stage=CallStage.DRAFT)
    with pytest.raises(TransitionNotAllowed):
        call_close(call=call, actor=team.officer)
    call = call_cancel(call=call, actor=team.officer, reason="Le projet a changé")
    assert call.stage == CallStage.CANCELLED
    assert entries(call, "recruitment.call.cancelled").get().note == "Le projet a changé"
    with pytest.raises(TransitionNotAllowed):
        call_publish(call=call, actor=team.officer)
    decided = make_call(make_project(team.fabrique), stage=CallStage.DECIDED)
    with pytest.raises(TransitionNotAllowed):
        call_close(call=decided, actor=team.officer)


def test_call_publish_guards(team):
    late = make_call(
        make_project(team.fabrique), stage=CallStage.DRAFT, deadline=TODAY() - datetime.timedelta(1)
    )
    with pytest.raises(DomainError):
        call_publish(call=late, actor=team.officer)
    empty = make_call(make_project(team.fabrique), stage=CallStage.DRAFT, criteria=())
    with pytest.raises(DomainError):
        call_publish(call=empty, actor=team.officer)
    taken = make_call(make_project(team.fabrique, stage=ProjectStage.LEADER_SELECTED), stage=CallStage.DRAFT)
    with pytest.raises(DomainError):
        call_publish(call=taken, actor=team.officer)
    assert not Call.objects.filter(stage=CallStage.PUBLISHED).exists()


def test_call_update_locks_the_grid_once_scored(team):
    call = make_call(make_project(team.fabrique), evaluators=[team.committee])
    call = call_update(
        call=call,
        actor=team.officer,
        title="Nouveau titre",
        criteria=[{"label": "Profil", "weight": 1, "max_score": 5}],
    )
    assert call.title == "Nouveau titre" and call.criteria.count() == 1
    assert entries(call, "recruitment.call.grid_updated").exists()
    evaluation_save(
        application=make_application(call),
        evaluator=team.committee,
        scores={call.criteria.get().pk: (3, "")},
    )
    with pytest.raises(DomainError):
        call_update(call=call, actor=team.officer, criteria=[{"label": "Autre"}])
    assert call.criteria.get().label == "Profil"


def test_call_evaluators_must_take_part_in_decisions(team, other_team):
    call = make_call(make_project(team.fabrique))
    call = call_evaluators_set(call=call, actor=team.officer, users=[team.committee, team.officer])
    assert set(call.evaluators.all()) == {team.committee, team.officer}
    assert entries(call, "recruitment.call.evaluators_updated").count() == 1
    for user in (team.reader, other_team.admin):
        with pytest.raises(ValidationError):
            call_evaluators_set(call=call, actor=team.officer, users=[user])
    assert set(call.evaluators.all()) == {team.committee, team.officer}


# --- public application ------------------------------------------------------------------------------------


def test_application_submit_stores_the_document_privately_and_confirms(
    team, private_media, django_capture_on_commit_callbacks, mailoutbox
):
    call = make_call(make_project(team.fabrique))
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(
            call=call, **application_data(), document=upload("Mon dossier.PDF", pdf_bytes())
        )
    assert application.stage == ApplicationStage.SUBMITTED and application.source == ApplicationSource.CALL
    assert application.email == "sam.bernard@example.org"
    assert application.document_name == "Mon dossier.PDF"
    path = application.document.path
    assert path.startswith(str(private_media_root())) and path.endswith(".pdf")
    assert "Mon dossier" not in path
    with pytest.raises(ValueError):
        application.document.url  # noqa: B018 - no public URL
    assert entries(application, "recruitment.application.created").get().actor is None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["sam.bernard@example.org"]
    assert "bien reçu" in mailoutbox[0].body


def test_application_refused_after_the_deadline(team, django_capture_on_commit_callbacks, mailoutbox):
    call = make_call(make_project(team.fabrique), deadline=TODAY() - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as exc:
        application_submit(call=call, **application_data(), document=upload("d.pdf", pdf_bytes()))
    assert exc.value.code == "deadline_passed"
    assert "est passée" in exc.value.message
    assert not Application.objects.exists() and not mailoutbox


def test_application_accepted_on_the_deadline_day(team):
    call = make_call(make_project(team.fabrique), deadline=TODAY())
    assert application_submit(call=call, **application_data()).pk


@pytest.mark.parametrize("stage", [CallStage.DRAFT, CallStage.CLOSED, CallStage.CANCELLED, CallStage.DECIDED])
def test_application_refused_when_the_call_is_not_published(team, stage):
    call = make_call(make_project(team.fabrique), stage=stage)
    with pytest.raises(DomainError) as exc:
        application_submit(call=call, **application_data())
    assert exc.value.code == "call_not_open"
    assert not Application.objects.exists()


def test_application_needs_consent_and_a_real_document(team):
    call = make_call(make_project(team.fabrique))
    with pytest.raises(ValidationError) as exc:
        application_submit(call=call, **application_data(consent_processing=False))
    assert "consent_processing" in exc.value.error_dict
    with pytest.raises(ValidationError):
        application_submit(call=call, **application_data(), document=upload("d.pdf", b"pas un pdf"))
    assert not Application.objects.exists()


# --- direct approach ---------------------------------------------------------------------------------------


def test_application_create_direct(team):
    project = make_project(team.fabrique)
    organization = make_organization(team.fabrique)
    person = make_person(team.fabrique, organization=organization)
    application = application_create_direct(
        project=project, actor=team.officer, person=person, motivation="Connaît le quartier."
    )
    assert application.source == ApplicationSource.DIRECT and application.call is None
    assert application.organization == organization and application.organization_name == organization.name
    assert application.email == person.email
    assert entries(application, "recruitment.application.created").get().actor == team.officer
    project.refresh_from_db()
    assert project.recruitment_mode == RecruitmentMode.DIRECT


def test_application_create_direct_refusals(team, other_team):
    project = make_project(team.fabrique)
    with pytest.raises(ValidationError):
        application_create_direct(project=project, actor=team.officer, motivation="x")
    with pytest.raises(ValidationError):
        application_create_direct(
            project=project,
            actor=team.officer,
            person=make_person(other_team.fabrique),
            motivation="x",
        )
    with pytest.raises(DomainError):
        application_create_direct(
            project=make_project(team.fabrique, stage=ProjectStage.STOPPED),
            actor=team.officer,
            person=make_person(team.fabrique),
            motivation="x",
        )
    assert not Application.objects.exists()
