from html import unescape

import pytest
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.committees.models import Decision
from fabrique.committees.services import decision_record
from fabrique.core.errors import DomainError, TransitionNotAllowed
from fabrique.directory.models import EcosystemRole, LegalBasis, Organization, Person
from fabrique.projects.models import ProjectStage, RecruitmentMode
from fabrique.recruitment.models import ApplicationStage, CallStage
from fabrique.recruitment.services import application_select, application_withdraw

from ..projects.factories import make_organization, make_person, make_project
from .factories import make_application, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_call(team):
    call = make_call(make_project(team.fabrique), stage=CallStage.CLOSED)
    winner = make_application(
        call,
        stage=ApplicationStage.UNDER_REVIEW,
        email="Sam.Bernard@example.org",
        organization_name="Association Garages Solidaires",
        phone="02 40 12 34 56",
    )
    other = make_application(
        call, stage=ApplicationStage.UNDER_REVIEW, first_name="Alex", email="alex@example.org"
    )
    return call, winner, other


def decide(team, application, outcome, **kw):
    return decision_record(
        fabrique=team.fabrique, actor=team.officer, target=application, outcome=outcome, **kw
    )


def test_selection_through_decision_record_assigns_the_leader_and_notifies(
    team, closed_call, django_capture_on_commit_callbacks, mailoutbox
):
    call, winner, other = closed_call
    # when
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(team, winner, "selected", reasons="Meilleur profil")
    # then: the application
    winner.refresh_from_db()
    assert winner.stage == ApplicationStage.SELECTED
    entry = AuditEntry.objects.for_target(winner).get(action="recruitment.application.selected")
    assert entry.decision_ref == decision.reference
    # the directory: a contact matched by e-mail (created here) and the structure named
    person = Person.objects.get(fabrique=team.fabrique, email="sam.bernard@example.org")
    organization = Organization.objects.get(fabrique=team.fabrique, name="Association Garages Solidaires")
    assert person.organization == organization and person.phone == "+33240123456"
    assert person.consent_given and person.legal_basis == LegalBasis.CONSENT
    assert EcosystemRole.CANDIDATE in organization.roles
    assert (winner.person, winner.organization) == (person, organization)
    # the project
    project = winner.project
    project.refresh_from_db()
    assert project.stage == ProjectStage.LEADER_SELECTED
    assert (project.leader_person, project.leader_organization) == (person, organization)
    assert project.recruitment_mode == RecruitmentMode.CALL
    assert AuditEntry.objects.for_target(project).get(action="projects.project.leader_selected").decision_ref
    # the call waits for the other decision; the candidate is told
    call.refresh_from_db()
    assert call.stage == CallStage.CLOSED
    assert [m.to for m in mailoutbox] == [["Sam.Bernard@example.org"]]
    assert "retenue" in mailoutbox[0].subject
    # when the other application is not selected
    with django_capture_on_commit_callbacks(execute=True):
        decide(team, other, "not_selected", reasons="Profil moins adapté")
    # then the call is decided and the other candidate is told politely
    other.refresh_from_db()
    call.refresh_from_db()
    assert other.stage == ApplicationStage.NOT_SELECTED
    assert call.stage == CallStage.DECIDED
    assert AuditEntry.objects.for_target(call).filter(action="recruitment.call.decided").exists()
    assert mailoutbox[1].to == ["alex@example.org"]
    assert "n'a pas retenu la vôtre" in mailoutbox[1].body and "Bien cordialement" in mailoutbox[1].body


def test_selection_reuses_the_directory(team, closed_call):
    call, winner, other = closed_call
    organization = make_organization(team.fabrique, name="Association des Garages Solidaires")
    person = make_person(team.fabrique, email="sam.bernard@example.org", last_name="Bernard")
    decide(team, winner, "selected")
    assert Person.objects.filter(fabrique=team.fabrique).count() == 1
    assert Organization.objects.filter(fabrique=team.fabrique).count() == 1  # matched by normalised name
    winner.project.refresh_from_db()
    assert (winner.project.leader_person, winner.project.leader_organization) == (person, organization)


def test_selection_on_a_published_call_closes_it(team):
    call = make_call(make_project(team.fabrique))
    winner = make_application(call)
    waiting = make_application(call, email="b@example.org")
    decide(team, winner, "selected")
    call.refresh_from_db()
    waiting.refresh_from_db()
    assert call.stage == CallStage.CLOSED and waiting.stage == ApplicationStage.UNDER_REVIEW


def test_a_second_selection_is_refused_and_nothing_is_saved(team, closed_call, mailoutbox):
    call, winner, other = closed_call
    decide(team, winner, "selected")
    decisions = Decision.objects.count()
    with pytest.raises(TransitionNotAllowed):
        decide(team, other, "selected")
    other.refresh_from_db()
    assert other.stage == ApplicationStage.UNDER_REVIEW
    assert Decision.objects.count() == decisions
    assert not Person.objects.filter(email="alex@example.org").exists()


def test_forbidden_application_transitions(team, closed_call):
    call, winner, other = closed_call
    decide(team, other, "not_selected")
    other.refresh_from_db()
    with pytest.raises(DomainError):  # the registry offers no outcome from not_selected
        decide(team, other, "selected")
    with pytest.raises(TransitionNotAllowed):
        application_select(application=other, actor=team.officer)
    other.refresh_from_db()
    assert other.stage == ApplicationStage.NOT_SELECTED


def test_a_selected_leader_who_withdraws_sends_the_project_back(team, closed_call):
    call, winner, other = closed_call
    decide(team, winner, "selected")
    winner.refresh_from_db()
    application_withdraw(application=winner, actor=team.officer, note="Raisons personnelles")
    project = winner.project
    project.refresh_from_db()
    assert project.stage == ProjectStage.SEEKING_LEADER and project.leader_person is None
    winner.refresh_from_db()
    assert winner.stage == ApplicationStage.WITHDRAWN


# --- staff decision page -----------------------------------------------------------------------------------


def decide_url(team, application):
    return reverse(
        "backoffice:application_decide", kwargs={"fabrique_slug": team.fabrique.slug, "pk": application.pk}
    )


def test_decide_page(team, closed_call, login, django_capture_on_commit_callbacks, mailoutbox):
    call, winner, other = closed_call
    client = login(team.committee)
    assert "candidature retenue" in unescape(client.get(decide_url(team, winner)).content.decode())
    # bad input: French error, nothing saved
    response = client.post(decide_url(team, winner), {"outcome": ""})
    assert response.status_code == 200 and "Ce champ est obligatoire." in unescape(response.content.decode())
    assert not Decision.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(team, winner), {"outcome": "selected", "reasons": "Unanimité"})
    assert response.status_code == 302
    winner.refresh_from_db()
    assert winner.stage == ApplicationStage.SELECTED
    decision = Decision.objects.get()
    assert decision.meeting is None and decision.decided_by == team.committee
    assert len(mailoutbox) == 1
    # the page now says a decision was made
    assert "déjà fait l'objet d'une décision" in unescape(
        client.get(decide_url(team, winner)).content.decode()
    )


def test_decide_page_refusals(team, other_team, closed_call, login):
    call, winner, other = closed_call
    assert login(team.reader).post(decide_url(team, winner), {"outcome": "selected"}).status_code == 403
    foreign_call = make_call(make_project(other_team.fabrique), stage=CallStage.CLOSED)
    foreign = make_application(foreign_call, stage=ApplicationStage.UNDER_REVIEW)
    assert login(team.admin).post(decide_url(team, foreign), {"outcome": "selected"}).status_code == 404
    winner.refresh_from_db()
    assert winner.stage == ApplicationStage.UNDER_REVIEW
    assert not Decision.objects.exists()
