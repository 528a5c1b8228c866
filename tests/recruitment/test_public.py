import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from fabrique.recruitment.models import Application, CallStage

from ..projects.factories import make_project
from .factories import docx_bytes, make_application, make_call, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def public(name, fabrique, **kwargs):
    return reverse(f"public:{name}", kwargs={"fabrique_slug": fabrique.slug, **kwargs})


def text(response):
    return unescape(response.content.decode())


def form_data(document, **kw):
    return {
        "first_name": "Sam",
        "last_name": "Bernard",
        "email": "sam@example.org",
        "phone": "06 12 34 56 78",
        "organization_name": "",
        "motivation": "J'ai tenu un garage associatif pendant dix ans.",
        "experience": "Mécanicien, formateur.",
        "consent_processing": "on",
        "document": document,
        **kw,
    }


def test_call_list_shows_only_open_calls_of_the_fabrique(client, team, other_team):
    project = make_project(team.fabrique, summary="Note interne confidentielle")
    make_call(project, title="Appel ouvert")
    make_call(project, title="Appel brouillon", stage=CallStage.DRAFT)
    make_call(project, title="Appel échu", deadline=timezone.localdate() - datetime.timedelta(days=1))
    make_call(make_project(other_team.fabrique), title="Appel vendéen")
    page = text(client.get(public("call_list", team.fabrique)))
    assert "Appel ouvert" in page
    for hidden in ("Appel brouillon", "Appel échu", "Appel vendéen", "Note interne confidentielle"):
        assert hidden not in page


def test_call_detail_shows_the_call_and_no_private_data(client, team):
    project = make_project(team.fabrique, summary="Note interne confidentielle")
    call = make_call(project, evaluators=[team.officer])
    make_application(
        call, first_name="Candide", email="candide@example.org", motivation="Ma motivation secrète"
    )
    page = text(client.get(public("call_detail", team.fabrique, call_slug=call.slug)))
    assert call.title in page and "Une personne ou une structure de la petite enfance." in page
    assert "Profil" in page and "Motivation" in page  # the grid's criteria, without weights
    for private in ("Note interne", "Candide", "candide@", "Ma motivation secrète", team.officer.email):
        assert private not in page


@pytest.mark.parametrize("stage", [CallStage.DRAFT, CallStage.CANCELLED])
def test_unpublished_calls_are_404(client, team, stage):
    call = make_call(make_project(team.fabrique), stage=stage)
    assert client.get(public("call_detail", team.fabrique, call_slug=call.slug)).status_code == 404
    assert client.get(public("application_create", team.fabrique, call_slug=call.slug)).status_code == 404


def test_another_fabriques_call_is_404(client, team, other_team):
    call = make_call(make_project(other_team.fabrique))
    assert client.get(public("call_detail", team.fabrique, call_slug=call.slug)).status_code == 404


def test_apply_with_a_real_document(client, team, django_capture_on_commit_callbacks, mailoutbox):
    call = make_call(make_project(team.fabrique))
    url = public("application_create", team.fabrique, call_slug=call.slug)
    assert 'enctype="multipart/form-data"' in text(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(upload("mon-dossier.docx", docx_bytes())))
    assert response.status_code == 302
    assert response.url == public("application_done", team.fabrique, call_slug=call.slug)
    application = Application.objects.get()
    assert application.phone == "+33612345678" and application.consent_processing
    assert application.document.name.endswith(".docx")
    assert len([m for m in mailoutbox if m.to == [application.email]]) == 1  # staff get their own
    done = text(client.get(response.url))
    assert "votre candidature est envoyée" in done and "Sam" not in done


def test_a_renamed_file_is_refused_and_nothing_saved(client, team, mailoutbox):
    call = make_call(make_project(team.fabrique))
    url = public("application_create", team.fabrique, call_slug=call.slug)
    response = client.post(url, form_data(upload("dossier.pdf", b"Ceci est un fichier texte.\n" * 10)))
    assert response.status_code == 200
    assert "porte l'extension .pdf mais son contenu n'est pas un document PDF" in text(response)
    assert not Application.objects.exists() and not mailoutbox


def test_form_errors_are_french(client, team):
    call = make_call(make_project(team.fabrique))
    url = public("application_create", team.fabrique, call_slug=call.slug)
    response = client.post(url, {"email": "pas-une-adresse", "phone": "12"})
    page = text(response)
    assert "Le formulaire contient des erreurs" in page
    assert "Ce champ est obligatoire." in page
    assert "Saisissez une adresse e-mail valide." in page
    assert "n'est pas valide (exemple : 02 40 12 34 56)" in page
    assert "Nous ne pouvons étudier votre candidature sans votre accord." in page
    assert not Application.objects.exists()


def test_application_refused_after_the_deadline(client, team):
    call = make_call(make_project(team.fabrique), deadline=timezone.localdate() - datetime.timedelta(days=1))
    url = public("application_create", team.fabrique, call_slug=call.slug)
    assert "ne reçoit plus de candidatures" in text(client.get(url))
    response = client.post(url, form_data(upload("d.pdf", pdf_bytes())))
    assert response.status_code == 200
    assert "les candidatures sont closes" in text(response)
    assert not Application.objects.exists()


def test_application_refused_on_a_closed_call(client, team):
    call = make_call(make_project(team.fabrique), stage=CallStage.CLOSED)
    url = public("application_create", team.fabrique, call_slug=call.slug)
    assert "Les candidatures à cet appel sont closes." in text(
        client.get(public("call_detail", team.fabrique, call_slug=call.slug))
    )
    response = client.post(url, form_data(upload("d.pdf", pdf_bytes())))
    assert "pas ouvert aux candidatures" in text(response)
    assert not Application.objects.exists()


def test_the_honeypot_keeps_nothing(client, team, mailoutbox):
    call = make_call(make_project(team.fabrique))
    url = public("application_create", team.fabrique, call_slug=call.slug)
    response = client.post(url, form_data(upload("d.pdf", pdf_bytes()), website="http://spam.example"))
    assert response.status_code == 302
    assert not Application.objects.exists() and not mailoutbox


def test_applications_are_rate_limited_per_address_with_a_french_message(client, team):
    from django.core.cache import cache

    from fabrique.public.calls import APPLICATION_RATE_LIMIT

    cache.clear()
    call = make_call(make_project(team.fabrique))
    url = public("application_create", team.fabrique, call_slug=call.slug)
    for index in range(APPLICATION_RATE_LIMIT):
        response = client.post(
            url, form_data(upload("dossier.pdf", pdf_bytes()), email=f"c{index}@example.org")
        )
        assert response.status_code == 302
    response = client.post(url, form_data(upload("dossier.pdf", pdf_bytes()), email="last@example.org"))
    assert response.status_code == 429
    assert "Réessayez dans une heure" in text(response)
    assert Application.objects.count() == APPLICATION_RATE_LIMIT
    # another address is not affected
    other = client.post(
        url, form_data(upload("dossier.pdf", pdf_bytes()), email="x@example.org"), REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 302
    cache.clear()
