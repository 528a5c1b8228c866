"""Page checks in a real browser: every project and recruitment page on a desktop and on a 390 px
phone (no horizontal scrolling, no serious axe-core violation), and a candidate applying with a file."""

import pytest
from django.urls import reverse

from fabrique.projects.models import ProjectStage
from fabrique.recruitment.models import Application
from fabrique.recruitment.services import evaluation_save
from tests.browser.conftest import DESKTOP, PHONE, axe, log_in, shoot  # noqa: F401

from ..projects.factories import make_need, make_project, make_study
from .factories import make_application, make_call, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pipeline(team):
    need = make_need(team.fabrique, title="Pas de garde d'enfants tôt le matin")
    project = make_project(
        team.fabrique,
        study=make_study(team.fabrique, needs=[need]),
        title="Crèche à horaires atypiques",
        public_summary="Une crèche ouverte de 5 h à 23 h pour les parents en horaires décalés.",
        is_public=True,
        officer=team.officer,
    )
    project.needs.set([need])
    call = make_call(project, evaluators=[team.officer, team.committee])
    application = make_application(call, organization_name="Association Petite Enfance du Quartier Nord")
    make_application(call, first_name="Alex", last_name="Durand-Lefèvre", email="alex@example.org")
    first, second = call.criteria.order_by("order")
    evaluation_save(
        application=application,
        evaluator=team.committee,
        scores={first.pk: (4, "bon"), second.pk: (8, "")},
        comment="Très bien",
        submit=True,
    )
    make_project(
        team.fabrique,
        title="Garage solidaire",
        stage=ProjectStage.CREATED,
        is_public=True,
        public_summary="Réparer.",
    )
    return project, call, application


def test_pages_fit_a_phone_and_pass_axe(page, live_server, team, pipeline, log_in, shoot, axe):  # noqa: F811
    project, call, application = pipeline
    slug = {"fabrique_slug": team.fabrique.slug}
    paths = [
        reverse("backoffice:project_list", kwargs=slug),
        reverse("backoffice:project_detail", kwargs={**slug, "pk": project.pk}),
        reverse("backoffice:project_update", kwargs={**slug, "pk": project.pk}),
        reverse("backoffice:project_stop", kwargs={**slug, "pk": project.pk}),
        reverse("backoffice:project_direct_approach", kwargs={**slug, "pk": project.pk}),
        reverse("backoffice:call_create", kwargs={**slug, "project_pk": project.pk}),
        reverse("backoffice:call_detail", kwargs={**slug, "pk": call.pk}),
        reverse("backoffice:call_evaluators", kwargs={**slug, "pk": call.pk}),
        reverse("backoffice:application_detail", kwargs={**slug, "pk": application.pk}),
        reverse("backoffice:application_evaluate", kwargs={**slug, "pk": application.pk}),
        reverse("backoffice:application_decide", kwargs={**slug, "pk": application.pk}),
        reverse("public:call_list", kwargs=slug),
        reverse("public:call_detail", kwargs={**slug, "call_slug": call.slug}),
        reverse("public:application_create", kwargs={**slug, "call_slug": call.slug}),
        reverse("public:project_portfolio", kwargs=slug),
    ]
    log_in(page, team.officer)
    problems = {}
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        for path in paths:
            page.goto(live_server.url + path)
            name = path.strip("/").replace("/", "_")
            shoot(page, f"projects_{name}_{size_name}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > size["width"]:
                problems[f"{path} {size_name}"] = f"scrolls horizontally ({width}px)"
            violations = axe(page)
            if violations:
                problems[f"{path} {size_name} axe"] = violations
    assert not problems, problems


def test_a_candidate_applies_with_a_pdf(page, live_server, team, pipeline, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    project, call, application = pipeline
    document = tmp_path / "mon-dossier.pdf"
    document.write_bytes(pdf_bytes())
    page.set_viewport_size(PHONE)
    page.goto(
        live_server.url
        + reverse("public:call_detail", kwargs={"fabrique_slug": team.fabrique.slug, "call_slug": call.slug})
    )
    page.get_by_role("link", name="Déposer ma candidature").click()
    page.locator("#id_first_name").fill("Camille")
    page.locator("#id_last_name").fill("Roux")
    page.get_by_label("E-mail").fill("camille.roux@example.org")
    page.get_by_label("Pourquoi ce projet vous intéresse").fill("Auxiliaire de puériculture depuis dix ans.")
    page.get_by_label("Votre dossier de candidature").set_input_files(str(document))
    page.get_by_label("J'accepte que la fabrique").check()
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_load_state()
    assert "votre candidature est envoyée" in page.content()
    assert Application.objects.get(email="camille.roux@example.org").document.name.endswith(".pdf")
