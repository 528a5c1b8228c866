"""The public report form, its anti-spam, the confirmation and the private follow-up page."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fabrique.needs.models import CriterionScore, Need, NeedReport, NeedStage, ReportSource
from fabrique.needs.services import need_report_dismiss, need_score_set, need_update
from fabrique.projects.models import Enterprise, Project

from .conftest import PDF

pytestmark = pytest.mark.django_db


def form_url(fabrique) -> str:
    return reverse("public:report_create", kwargs={"fabrique_slug": fabrique.slug})


def followup_url(report) -> str:
    return reverse(
        "public:report_followup",
        kwargs={"fabrique_slug": report.fabrique.slug, "token": report.followup_token},
    )


def post_data(**extra) -> dict:
    return {
        "title": "Pas de laverie dans le quartier",
        "description": "Les habitants des Dervallières font 3 km pour laver leur linge.",
        "public": "qpv_residents",
        "reporter_name": "Samia B.",
        "reporter_type": "inhabitant",
        "reporter_email": "samia@example.org",
        "consent_processing": "on",
        "consent_notifications": "on",
        **extra,
    }


def test_the_form_is_public_and_in_french(client, fabrique):
    response = client.get(form_url(fabrique))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Signaler un besoin" in html
    assert "Qu&#x27;est-ce qui manque ?" in html
    assert "conservées 3 ans" in html  # purpose and retention explained
    # the honeypot is hidden from people and assistive technologies
    assert 'aria-hidden="true"' in html
    assert 'tabindex="-1"' in html
    assert 'autocomplete="off"' in html


def test_a_valid_report_is_saved_confirmed_and_followed(client, fabrique, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(fabrique), post_data())
    # then
    report = NeedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("public:report_thanks", kwargs={"fabrique_slug": fabrique.slug})
    assert (report.title, report.source, report.submitted_by) == (
        "Pas de laverie dans le quartier",
        ReportSource.PUBLIC_FORM,
        None,
    )
    assert report.consent_processing and report.consent_notifications
    # the reporter's confirmation (staff are notified too, by their own e-mails)
    (confirmation,) = [m for m in mail.outbox if m.to == ["samia@example.org"]]
    mail.outbox[:] = [confirmation]
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert report.reference in thanks.content.decode()
    assert followup_url(report) in thanks.content.decode()


def test_an_invalid_report_shows_french_errors_and_saves_nothing(client, fabrique):
    response = client.post(
        form_url(fabrique),
        post_data(title="", reporter_name="", consent_processing="", reporter_email="pas-une-adresse"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le formulaire contient des erreurs" in html
    assert "Dites en une phrase ce qui manque." in html
    assert "Cochez cette case pour envoyer votre signalement." in html
    assert "Cette adresse e-mail n&#x27;est pas valide" in html
    assert not NeedReport.objects.exists()
    assert mail.outbox == []


def test_notifications_without_email_are_refused(client, fabrique):
    response = client.post(form_url(fabrique), post_data(reporter_email=""))
    assert "Indiquez une adresse e-mail pour être informé·e des suites." in response.content.decode()
    assert not NeedReport.objects.exists()


def test_a_document_is_checked_by_its_content(client, fabrique):
    fake = SimpleUploadedFile("preuve.pdf", b"this is not a PDF", content_type="application/pdf")
    response = client.post(form_url(fabrique), {**post_data(), "evidence_document": fake})
    assert response.status_code == 200
    assert "Ce document n&#x27;est pas accepté" in response.content.decode()
    assert not NeedReport.objects.exists()
    real = SimpleUploadedFile("preuve.pdf", PDF, content_type="application/pdf")
    response = client.post(form_url(fabrique), {**post_data(), "evidence_document": real})
    assert response.status_code == 302
    assert NeedReport.objects.get().evidence_document.name.endswith(".pdf")


def test_a_honeypot_hit_looks_like_a_confirmation_but_saves_nothing(client, fabrique):
    response = client.post(form_url(fabrique), post_data(extra_info="http://spam.example"), follow=True)
    assert response.status_code == 200
    assert "Merci, votre signalement est bien envoyé" in response.content.decode()
    assert not NeedReport.objects.exists()
    assert mail.outbox == []


def test_the_rate_limit_tells_the_person_what_to_do(client, fabrique, settings):
    settings.FABRIQUE_REPORT_RATE_LIMIT = 2
    fabrique.contact_email = "contact@fabrique-nantes.fr"
    fabrique.contact_phone = "02 40 00 00 00"
    fabrique.save()
    for _ in range(2):
        assert client.post(form_url(fabrique), post_data()).status_code == 302
    # when
    response = client.post(form_url(fabrique), post_data(title="Troisième"))
    # then
    assert response.status_code == 429
    html = response.content.decode()
    assert "Vous avez envoyé plusieurs signalements en peu de temps." in html
    assert "Réessayez dans une heure" in html
    assert "contact@fabrique-nantes.fr" in html and "02 40 00 00 00" in html
    assert 'value="Troisième"' in html  # what the person typed is kept
    assert NeedReport.objects.count() == 2
    # another address is not limited
    other = client.post(form_url(fabrique), post_data(), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_a_partner_report_is_linked_to_the_account(client, login, team):
    client = login(team.partner)
    assert client.get(form_url(team.fabrique)).status_code == 200
    response = client.post(form_url(team.fabrique), post_data())
    assert response.status_code == 302
    report = NeedReport.objects.get()
    assert (report.submitted_by, report.source) == (team.partner, ReportSource.PARTNER)


def test_an_unknown_or_inactive_fabrique_is_404(client, fabrique):
    assert (
        client.get(reverse("public:report_create", kwargs={"fabrique_slug": "inconnue"})).status_code == 404
    )
    fabrique.is_active = False
    fabrique.save()
    assert client.get(form_url(fabrique)).status_code == 404


# --- follow-up -----------------------------------------------------------------------------------------------


def test_followup_of_a_new_report(client, make_report):
    report = make_report()
    response = client.get(followup_url(report))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert report.reference in html
    assert "Votre signalement a été reçu" in html


def test_followup_shows_public_information_only(client, make_need, make_report, criteria, team, fabrique):
    officer = team.officer
    officer.first_name, officer.last_name = "Gaëlle", "Officière"
    officer.save()
    need = make_need(reporter_name="Premier Capteur", reporter_email="premier@example.org")
    report = make_report(reporter_name="Second Capteur", title="Même besoin")
    from fabrique.needs.services import need_report_attach

    need_report_attach(report=report, need=need, actor=officer)
    need = need_update(
        need=need,
        actor=officer,
        title="Titre interne TRESINTERNE",
        public_title="Une laverie solidaire",
        officer=officer,
    )
    need_score_set(need=need, criterion=criteria[0], score=2, comment="NOTE-CONFIDENTIELLE", actor=officer)
    Need.objects.filter(pk=need.pk).update(decision_notes="MOTIFS-INTERNES", stage=NeedStage.IN_STUDY)
    project = Project.objects.create(
        fabrique=fabrique,
        title="Laverie solidaire des Dervallières",
        public_summary="Une laverie associative avec un espace café.",
        summary="RESUME-INTERNE",
        officer=officer,
        stage="created",
    )
    project.needs.add(need)
    Need.objects.filter(pk=need.pk).update(stage=NeedStage.ANSWERED)
    Enterprise.objects.create(
        project=project,
        legal_name="La Lavandière SCIC",
        legal_form="scic",
        created_on=datetime.date(2026, 3, 1),
        jobs_fte=2,
    )
    assert CriterionScore.objects.exists()
    # when
    html = client.get(followup_url(report)).content.decode()
    # then: what the reporter may see
    assert "Une laverie solidaire" in html
    assert "Un projet y répond : Laverie solidaire des Dervallières." in html
    assert "Une laverie associative avec un espace café." in html
    assert "La Lavandière SCIC" in html
    # and nothing internal
    for secret in (
        "TRESINTERNE",
        "NOTE-CONFIDENTIELLE",
        "MOTIFS-INTERNES",
        "RESUME-INTERNE",
        "Gaëlle",
        "Officière",
        "Premier Capteur",
        "premier@example.org",
        "2/3",
    ):
        assert secret not in html, secret


def test_followup_of_a_not_retained_need_gives_the_public_reason(client, make_need, officer):
    need = make_need()
    Need.objects.filter(pk=need.pk).update(
        stage=NeedStage.NOT_RETAINED, not_retained_reason="already_answered", decision_notes="INTERNE"
    )
    html = client.get(followup_url(need.reports.get())).content.decode()
    assert "Le besoin n&#x27;a pas été retenu par la fabrique." in html
    assert "déjà couvert par une offre existante" in html
    assert "INTERNE" not in html


def test_followup_of_a_dismissed_report(client, make_report, officer):
    report = make_report()
    need_report_dismiss(report=report, actor=officer, reason="out_of_territory", details="DETAIL-INTERNE")
    html = client.get(followup_url(report)).content.decode()
    assert "n&#x27;a pas donné lieu à un suivi" in html
    assert "territoire" in html
    assert "DETAIL-INTERNE" not in html


def test_an_unknown_token_or_another_fabriques_slug_is_404(client, make_report, other_team):
    report = make_report()
    bad = reverse("public:report_followup", kwargs={"fabrique_slug": report.fabrique.slug, "token": "x" * 32})
    assert client.get(bad).status_code == 404
    wrong_fabrique = reverse(
        "public:report_followup",
        kwargs={"fabrique_slug": other_team.fabrique.slug, "token": report.followup_token},
    )
    assert client.get(wrong_fabrique).status_code == 404
