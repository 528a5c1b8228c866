"""Need grouping in headless Chromium: the public form offers "Ce besoin a peut-être déjà été
signalé" as soon as a title and a commune are given, and "c'est le même besoin" attaches the report;
the team's comparison page on a phone."""

import pytest
from django.urls import clear_url_caches
from playwright.sync_api import expect

from fabrique.needs.models import Need, NeedReport
from fabrique.needs.services import need_create_from_report
from fabrique.territories.models import Commune
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, axe, log_in, shoot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRANSPORT = "Pas de transport pour les personnes âgées vers le marché"


@pytest.fixture(autouse=True)
def _grouping_urls():
    import fabrique.backoffice.urls as backoffice_urls
    from fabrique.backoffice.views import grouping

    if not any(getattr(p, "name", None) == "duplicate_queue" for p in backoffice_urls.fabrique_patterns):
        backoffice_urls.fabrique_patterns.extend(grouping.urlpatterns)
        clear_url_caches()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def need(make_report, officer):
    commune = Commune.objects.filter(code="44026").first()
    report = make_report(title=TRANSPORT, commune=commune, place="Carquefou")
    need = need_create_from_report(report=report, actor=officer, title="Interne mobilité")
    Need.objects.filter(pk=need.pk).update(public_title="Se déplacer quand on est âgé")
    return need


def test_public_form_suggests_the_same_need(page, live_server, fabrique, need, shoot, axe):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/f/{fabrique.slug}/signaler/")
    page.get_by_label("Qu'est-ce qui manque ?").fill("Transport des seniors vers le marché")
    # the place alone is enough (transactional tests may run without the territories tables filled)
    page.get_by_label("Quartier ou lieu (facultatif)").fill("Carquefou")
    page.get_by_label("Quartier ou lieu (facultatif)").dispatch_event("change")
    box = page.locator(".need-suggestions-box")
    expect(box).to_contain_text("Ce besoin a peut-être déjà été signalé")
    expect(box).to_contain_text("Se déplacer quand on est âgé")
    expect(box).not_to_contain_text("Interne mobilité")
    assert no_horizontal_scroll(page)
    assert_accessible(axe(page))
    shoot(page, "grouping-public-suggestions-phone")
    page.get_by_label("C'est le même besoin : Se déplacer", exact=False).check()
    page.get_by_label("Décrivez la situation").fill("Aucune navette le jeudi.")
    page.get_by_label("Votre nom").fill("Samia B.")
    page.get_by_label("Vous êtes").select_option("inhabitant")
    page.get_by_label("J'accepte que la fabrique enregistre ces informations pour étudier le besoin.").check()
    page.wait_for_load_state("networkidle")  # a late refresh keeps the choice (need-suggestions.js)
    expect(page.get_by_label("C'est le même besoin : Se déplacer", exact=False)).to_be_checked()
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre signalement est bien envoyé")
    assert NeedReport.objects.latest("created_at").need_id == need.pk


def test_compare_page_on_a_phone(page, live_server, team, need, make_report, log_in, shoot, axe):  # noqa: F811
    report = make_report(title="Transport des seniors vers le marché")
    page.set_viewport_size(PHONE)
    log_in(page, team.officer)
    page.goto(
        f"{live_server.url}/espace/{team.fabrique.slug}/besoins/doublons/comparer/{report.pk}/?need={need.pk}"
    )
    expect(page.get_by_role("button", name=f"Fusionner dans {need.reference}")).to_be_visible()
    assert no_horizontal_scroll(page)
    assert_accessible(axe(page))
    shoot(page, "grouping-compare-phone")
    page.get_by_role("button", name=f"Fusionner dans {need.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Interne mobilité")
    report.refresh_from_db()
    assert report.need_id == need.pk


def test_duplicate_queue_on_a_phone(page, live_server, team, need, make_report, log_in, shoot, axe):  # noqa: F811
    from fabrique.needs.models import GroupingProposal

    report = make_report(title="Transport des seniors vers le marché")
    proposal = GroupingProposal.objects.create(fabrique=team.fabrique, need=need, score=0.8, key="k")
    proposal.reports.set([report])
    page.set_viewport_size(PHONE)
    log_in(page, team.officer)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/besoins/doublons/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Doublons probables")
    assert no_horizontal_scroll(page)
    assert_accessible(axe(page))
    shoot(page, "grouping-queue-phone")
    page.get_by_role("link", name="Regrouper…").click()
    page.get_by_role("button", name="Regrouper ces signalements").click()
    report.refresh_from_db()
    assert report.need_id == need.pk


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_compare_page_says_which_need_the_team_set_aside(
    page,
    live_server,
    team,
    need,
    make_report,
    log_in,  # noqa: F811
    shoot,  # noqa: F811
    axe,  # noqa: F811
    size,
):
    from fabrique.grouping.models import PairDecision

    report = make_report(title="Transport des seniors vers le marché", place="Carquefou")
    PairDecision.objects.create(
        fabrique=team.fabrique,
        report_a=need.reports.get(),
        report_b=report,
        same_need=False,
        source="rejected",
        decided_by=team.officer,
    )
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    log_in(page, team.officer)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/besoins/doublons/comparer/{report.pk}/")
    aside = page.get_by_role("region", name="Besoins écartés par l'équipe")
    expect(aside).to_contain_text(f"{need.reference}")
    expect(aside).to_contain_text("n'est plus proposé : l'équipe a jugé que ce n'était pas le même besoin")
    expect(aside).to_contain_text(f"proposition rejetée, décision prise par {team.officer}")
    assert no_horizontal_scroll(page)
    assert_accessible(axe(page))
    shoot(page, f"grouping-compare-set-aside-{size}")
    aside.get_by_role("link", name="comparer quand même").click()
    expect(page.get_by_role("button", name=f"Fusionner dans {need.reference}")).to_be_visible()
