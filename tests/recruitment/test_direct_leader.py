"""Naming a leader directly ends the project's open calls: the candidates are told, the public agrees."""

import pytest
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.projects.models import ProjectStage
from fabrique.projects.services import project_assign_leader
from fabrique.recruitment.models import ApplicationStage, CallStage
from fabrique.recruitment.selectors import call_public_list
from fabrique.recruitment.services import application_create_direct, application_select

from ..projects.factories import make_organization, make_person, make_project
from .factories import make_application, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(team):
    project = make_project(team.fabrique, is_public=True, public_summary="Une crèche aux horaires décalés.")
    call = make_call(project)
    first = make_application(call, email="sam@example.org")
    second = make_application(call, first_name="Alex", email="alex@example.org")
    return project, call, first, second


def test_direct_selection_cancels_the_open_call_and_tells_the_candidates(
    team, published, django_capture_on_commit_callbacks, mailoutbox
):
    # given a published call with two applications "déposée"
    project, call, first, second = published
    organization = make_organization(team.fabrique, name="Les P'tits Loups", email="contact@ptitsloups.org")
    direct = application_create_direct(
        project=project, actor=team.officer, organization=organization, motivation="Déjà sur place."
    )
    # when the team selects the leader it approached directly
    with django_capture_on_commit_callbacks(execute=True):
        application_select(application=direct, actor=team.officer)
    # then the project has its leader, the call is cancelled, the applications are not retained
    project.refresh_from_db()
    call.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert project.stage == ProjectStage.LEADER_SELECTED
    assert call.stage == CallStage.CANCELLED
    assert (first.stage, second.stage) == (ApplicationStage.NOT_SELECTED, ApplicationStage.NOT_SELECTED)
    assert AuditEntry.objects.for_target(call).filter(action="recruitment.call.cancelled").exists()
    # each candidate of the call is told, in French; the chosen leader gets the "selected" message
    by_address = {m.to[0]: m for m in mailoutbox}
    assert {"sam@example.org", "alex@example.org", "contact@ptitsloups.org"} <= set(by_address)
    assert "porteur" in by_address["sam@example.org"].body
    assert "appel" in by_address["alex@example.org"].subject.lower()
    # and no public page offers the call any more
    assert list(call_public_list(fabrique=team.fabrique)) == []


def test_assigning_a_leader_from_the_project_closes_the_call_too(
    team, published, django_capture_on_commit_callbacks, mailoutbox
):
    project, call, first, second = published
    person = make_person(team.fabrique, email="lea@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        project_assign_leader(project=project, actor=team.officer, person=person)
    call.refresh_from_db()
    first.refresh_from_db()
    assert call.stage == CallStage.CANCELLED and first.stage == ApplicationStage.NOT_SELECTED
    # each candidate gets one message (staff get their own notifications besides)
    candidates = {"alex@example.org", "sam@example.org"}
    assert sorted(m.to[0] for m in mailoutbox if m.to[0] in candidates) == sorted(candidates)


def test_a_call_selection_keeps_its_own_call_for_the_committee(
    team, published, django_capture_on_commit_callbacks
):
    # the committee selecting through the call itself decides the others one by one (unchanged)
    project, call, first, second = published
    application_select(application=first, actor=team.officer)
    call.refresh_from_db()
    second.refresh_from_db()
    assert call.stage == CallStage.CLOSED and second.stage == ApplicationStage.UNDER_REVIEW


def test_public_pages_agree_once_a_leader_is_found(team, published, client):
    project, call, first, second = published
    # a stale published call of a project that already has its leader is never offered
    project.stage = ProjectStage.LEADER_SELECTED
    project.save(update_fields=["stage"])
    portfolio = client.get(reverse("public:project_portfolio", kwargs={"fabrique_slug": team.fabrique.slug}))
    assert "Porter ce projet" not in portfolio.content.decode()
    home = client.get(reverse("public:fabrique", kwargs={"fabrique_slug": team.fabrique.slug}))
    assert call.title not in home.content.decode()
    assert list(call_public_list(fabrique=team.fabrique)) == []
