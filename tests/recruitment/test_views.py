import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from fabrique.projects.models import ProjectStage
from fabrique.recruitment.models import Call, CallStage
from fabrique.recruitment.services import application_submit

from ..projects.factories import make_project
from .factories import make_application, make_call, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def url(name, team, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def text(response):
    return unescape(response.content.decode())


def grid(rows, prefix="criteria"):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, (label, weight, max_score) in enumerate(rows):
        data.update(
            {
                f"{prefix}-{i}-label": label,
                f"{prefix}-{i}-weight": weight,
                f"{prefix}-{i}-max_score": max_score,
            }
        )
    return data


def call_form(**kw):
    return {
        "title": "Appel à porteurs : épicerie mobile",
        "description": "Une épicerie qui passe dans les villages.",
        "profile_sought": "Commerçant·e, association",
        "selection_criteria": "",
        "support_offered": "",
        "deadline": (timezone.localdate() + datetime.timedelta(days=40)).isoformat(),
        **kw,
    }


def test_create_a_call_with_its_grid_then_publish_and_close(team, login):
    project = make_project(team.fabrique)
    client = login(team.officer)
    page = text(client.get(url("call_create", team, project_pk=project.pk)))
    assert "Adéquation du profil avec le projet" in page  # the default grid is proposed
    response = client.post(
        url("call_create", team, project_pk=project.pk),
        {**call_form(), **grid([("Expérience du commerce", "2", "5"), ("Ancrage", "1", "5"), ("", "", "")])},
    )
    call = Call.objects.get()
    assert response.url == url("call_detail", team, pk=call.pk)
    assert [c.label for c in call.criteria.all()] == ["Expérience du commerce", "Ancrage"]
    assert "Publier" in text(client.get(url("call_publish", team, pk=call.pk)))
    client.post(url("call_publish", team, pk=call.pk))
    call.refresh_from_db()
    assert call.stage == CallStage.PUBLISHED
    public_page = text(client.get(url("call_detail", team, pk=call.pk)))
    assert (
        reverse("public:call_detail", kwargs={"fabrique_slug": team.fabrique.slug, "call_slug": call.slug})
        in public_page
    )
    client.post(url("call_close", team, pk=call.pk))
    call.refresh_from_db()
    assert call.stage == CallStage.CLOSED


def test_call_form_errors_are_french_and_save_nothing(team, login):
    project = make_project(team.fabrique)
    client = login(team.officer)
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    # the rule is the service's (recruitment.services._check_deadline), shown on the form's field
    response = client.post(
        url("call_create", team, project_pk=project.pk),
        {**call_form(deadline=past), **grid([("Expérience", "1", "5")])},
    )
    page = text(response)
    assert "La date limite de candidature ne peut pas être déjà passée." in page
    assert not Call.objects.exists()
    # the grid's rules are the service's (recruitment.services._clean_criteria), shown above the grid
    response = client.post(
        url("call_create", team, project_pk=project.pk), {**call_form(), **grid([("", "", "")])}
    )
    assert "au moins un critère" in text(response)
    assert "au moins un critère" in str(response.context["formset"].non_form_errors())
    response = client.post(
        url("call_create", team, project_pk=project.pk),
        {**call_form(), **grid([("Profil", "1", "5"), ("profil", "2", "5")])},
    )
    assert "même intitulé" in str(response.context["formset"].non_form_errors())
    response = client.post(
        url("call_create", team, project_pk=project.pk), {**call_form(), **grid([("Profil", "0", "50")])}
    )
    assert "supérieure ou égale à 1" in text(response)
    assert not Call.objects.exists()


def test_no_call_for_a_project_that_has_its_leader(team, login):
    project = make_project(team.fabrique, stage=ProjectStage.LEADER_SELECTED)
    client = login(team.officer)
    assert "ne cherche pas de porteur" in text(client.get(url("call_create", team, project_pk=project.pk)))
    client.post(
        url("call_create", team, project_pk=project.pk), {**call_form(), **grid([("Profil", "1", "5")])}
    )
    assert not Call.objects.exists()


def test_publish_refusal_is_a_french_message(team, login):
    call = make_call(make_project(team.fabrique), stage=CallStage.DRAFT, criteria=())
    response = login(team.officer).post(url("call_publish", team, pk=call.pk), follow=True)
    assert "Définissez la grille d'évaluation" in text(response)
    call.refresh_from_db()
    assert call.stage == CallStage.DRAFT


def test_evaluators_page(team, login):
    call = make_call(make_project(team.fabrique))
    client = login(team.officer)
    page = text(client.get(url("call_evaluators", team, pk=call.pk)))
    assert team.committee.get_full_name() in page and team.reader.get_full_name() not in page
    client.post(url("call_evaluators", team, pk=call.pk), {"evaluators": [team.committee.pk, team.admin.pk]})
    assert set(call.evaluators.all()) == {team.committee, team.admin}
    response = client.post(url("call_evaluators", team, pk=call.pk), {"evaluators": [team.reader.pk]})
    assert response.status_code == 200 and "Sélectionnez un choix valide" in text(response)
    assert set(call.evaluators.all()) == {team.committee, team.admin}


def test_readers_cannot_write_and_other_fabriques_are_404(team, other_team, login):
    call = make_call(make_project(team.fabrique), stage=CallStage.DRAFT)
    reader = login(team.reader)
    for name in ("call_update", "call_publish", "call_close", "call_cancel", "call_evaluators"):
        assert reader.post(url(name, team, pk=call.pk), {}).status_code == 403
    call.refresh_from_db()
    assert call.stage == CallStage.DRAFT
    foreign = make_call(make_project(other_team.fabrique))
    admin = login(team.admin)
    for name in ("call_detail", "call_update", "call_publish", "call_evaluators"):
        assert admin.get(url(name, team, pk=foreign.pk)).status_code == 404
    foreign_application = make_application(foreign)
    for name in ("application_detail", "application_document", "application_evaluate", "application_decide"):
        assert admin.get(url(name, team, pk=foreign_application.pk)).status_code == 404


def test_the_document_is_served_only_through_the_access_layer(team, other_team, client, login):
    call = make_call(make_project(team.fabrique))
    content = pdf_bytes("Dossier de Sam")
    application = application_submit(
        call=call,
        first_name="Sam",
        last_name="Bernard",
        email="sam@example.org",
        motivation="Motivé",
        consent_processing=True,
        document=upload("dossier.pdf", content),
    )
    document_url = url("application_document", team, pk=application.pk)
    assert client.get(document_url).status_code == 302  # anonymous: to the login page
    assert login(team.partner).get(document_url).status_code == 403
    assert login(other_team.admin).get(document_url).status_code == 404
    response = login(team.reader).get(document_url)
    assert response.status_code == 200
    assert response.content == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="candidature-{application.pk}.pdf"'
    assert "no-store" in response["Cache-Control"]
    detail = text(login(team.reader).get(url("application_detail", team, pk=application.pk)))
    assert document_url in detail and "/media/" not in detail


def test_call_list_and_dashboard(team, login):
    call = make_call(make_project(team.fabrique), deadline=timezone.localdate() + datetime.timedelta(days=5))
    make_application(call)
    client = login(team.reader)
    assert call.title in text(client.get(url("call_list", team)))
    dashboard = text(client.get(url("dashboard", team)))
    # one open call, one application: singular (French agreement)
    assert "appel à porteurs ouvert" in dashboard and "candidature à évaluer" in dashboard
    assert f"Date limite de l'appel « {call.title} »" in dashboard
