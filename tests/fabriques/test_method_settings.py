"""Paramètres › Méthode: stage labels, proposed milestones per path, e-mail texts (issue 14)."""

import datetime
from html import unescape

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.audit.services import audit_log
from fabrique.core.emailtexts import EMAIL_TEXTS, check_email_text, custom_email_text
from fabrique.fabriques.models import Fabrique
from fabrique.fabriques.services import fabrique_configure_method
from fabrique.projects.models import ProjectStage, RecruitmentMode
from fabrique.support.milestones import milestone_template, parse_template
from fabrique.support.services import support_plan_start
from tests.projects.factories import make_organization, make_project

pytestmark = pytest.mark.django_db


def url(team):
    return reverse("backoffice:method_settings", kwargs={"fabrique_slug": team.fabrique.slug})


def empty_post() -> dict:
    return {}


def test_the_page_saves_labels_milestones_and_texts_audited(team, login):
    client = login(team.admin)
    page = unescape(client.get(url(team)).content.decode())
    assert "Libellés des étapes" in page and "Changement d'échelle d'une structure existante" in page
    assert "Accusé de réception d'un signalement" in page and "{reference}" in page
    response = client.post(
        url(team),
        {
            "stage__needs__need__retained": "Retenu par le comité",
            "milestones_creation": "Étude de marché | 3\nStatuts déposés | 9\n",
            "email_need_retained": "Bonne nouvelle de {fabrique} : « {besoin} » est retenu.",
        },
    )
    assert response.status_code == 302
    fabrique = Fabrique.objects.get(pk=team.fabrique.pk)
    assert fabrique.stage_labels == {"needs.need": {"retained": "Retenu par le comité"}}
    assert fabrique.milestone_templates == {"creation": [["Étude de marché", 3], ["Statuts déposés", 9]]}
    assert fabrique.email_texts == {
        "need_retained": "Bonne nouvelle de {fabrique} : « {besoin} » est retenu."
    }
    entry = AuditEntry.objects.filter(action="fabriques.fabrique.updated").latest("pk")
    assert "email_texts" in entry.new_values and "stage_labels" in entry.new_values
    # the label shows wherever the stage does
    assert fabrique.stage_label("needs.need", "retained", "retenu") == "Retenu par le comité"


def test_bad_lines_and_unknown_placeholders_are_refused_in_french_and_nothing_is_saved(team, login):
    client = login(team.admin)
    response = client.post(
        url(team),
        {
            "stage__needs__need__retained": "Retenu",
            "milestones_scale_up": "Diagnostic | deux mois",
            "email_call_cancelled": "L'appel {appel} de {projet} est annulé.",
        },
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Ligne 1 : « deux mois » n'est pas un nombre de mois entre 0 et 120." in page
    assert "Variable inconnue : {projet}. Variables possibles : {fabrique}, {appel}." in page
    fabrique = Fabrique.objects.get(pk=team.fabrique.pk)
    assert fabrique.stage_labels == {} and fabrique.email_texts == {} and fabrique.milestone_templates == {}


def test_only_administrators_configure_the_method(team, login):
    assert login(team.officer).get(url(team)).status_code == 403


def test_parse_template_and_check_email_text():
    assert parse_template("A | 1\n\n  B|12 ") == [["A", 1], ["B", 12]]
    with pytest.raises(ValidationError, match="Ligne 2"):
        parse_template("A | 1\nsans mois")
    with pytest.raises(ValidationError, match="Accolade mal fermée"):
        check_email_text("need_retained", "Texte {besoin")
    assert set(EMAIL_TEXTS) >= {"report_received", "application_selected", "call_cancelled"}


def test_a_custom_text_replaces_the_main_paragraph_of_the_e_mail(
    team, settings, django_capture_on_commit_callbacks
):
    from fabrique.needs.models import Need, NeedStage
    from fabrique.needs.services import need_create_from_report, need_report_submit
    from tests.needs.conftest import report_data

    settings.FABRIQUE_SITE_URL = "https://fabrique.example.org"
    fabrique_configure_method(
        fabrique=team.fabrique,
        actor=team.admin,
        stage_labels={},
        milestone_templates={},
        email_texts={
            "need_retained": "Le comité de {fabrique} a retenu « {besoin} ».",
            "report_received": "Merci ! Votre signalement {reference} est arrivé chez nous.",
        },
    )
    team.fabrique.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        report = need_report_submit(
            fabrique=team.fabrique,
            **report_data(reporter_email="oui@example.org", consent_notifications=True),
        )
    (receipt,) = [m for m in mail.outbox if m.to == ["oui@example.org"]]
    assert f"Merci ! Votre signalement {report.reference} est arrivé chez nous." in receipt.body
    assert "Merci d'avoir signalé un besoin" not in receipt.body
    assert "https://fabrique.example.org/f/nantes/" in receipt.body  # the follow-up link stays
    need = need_create_from_report(report=report, actor=team.officer)
    Need.objects.filter(pk=need.pk).update(stage=NeedStage.QUALIFYING)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_log(actor=team.officer, fabrique=team.fabrique, target=need, action="needs.need.retained")
    (message,) = [m for m in mail.outbox if m.to == ["oui@example.org"]]
    assert f"Le comité de {team.fabrique.name} a retenu « {need.display_public_title} »." in message.body
    assert "Bonne nouvelle : l'équipe a retenu" not in message.body


def test_custom_text_is_empty_without_configuration(team):
    assert custom_email_text(team.fabrique, "need_retained", besoin="x") == ""


def test_the_support_plan_proposes_the_milestones_of_the_project_s_path(team):
    org = make_organization(team.fabrique, name="Recyclerie du Val")
    creation = make_project(team.fabrique, stage=ProjectStage.LEADER_SELECTED, leader_organization=org)
    scale_up = make_project(
        team.fabrique,
        title="Recyclerie à Clisson",
        stage=ProjectStage.LEADER_SELECTED,
        leader_organization=org,
        recruitment_mode=RecruitmentMode.SCALE_UP,
    )
    fabrique_configure_method(
        fabrique=team.fabrique,
        actor=team.admin,
        stage_labels={},
        milestone_templates={"creation": [["Statuts déposés", 3]]},
        email_texts={},
    )
    team.fabrique.refresh_from_db()
    start = datetime.date(2026, 1, 15)
    plan = support_plan_start(project=creation, actor=team.officer, started_on=start)
    assert [(m.title, m.due_on) for m in plan.milestones.order_by("order")] == [
        ("Statuts déposés", datetime.date(2026, 4, 15))
    ]
    plan = support_plan_start(project=scale_up, actor=team.officer, started_on=start)
    titles = [m.title for m in plan.milestones.order_by("order")]
    assert titles == [t for t, _m in milestone_template(team.fabrique, "scale_up")]
    assert titles[0] == "Diagnostic du nouveau territoire"
