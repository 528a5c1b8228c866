"""Page flows of detection in headless Chromium: the public form on a phone, the follow-up page,
the team's need page and qualification grid on desktop and phone, with an accessibility check."""

import pytest
from playwright.sync_api import expect

from fabrique.needs.models import NeedReport
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, axe, log_in, shoot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_report_a_need_on_a_phone_and_follow_it(page, live_server, fabrique, shoot, axe):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/f/{fabrique.slug}/signaler/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler un besoin")
    assert no_horizontal_scroll(page)
    assert_accessible(axe(page))
    shoot(page, "needs-report-form-phone")
    # a forgotten field: a French error summary, nothing saved
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("alert")).to_contain_text("Dites en une phrase ce qui manque.")
    assert_accessible(axe(page))
    shoot(page, "needs-report-form-errors-phone")
    assert not NeedReport.objects.exists()
    # the real thing
    page.get_by_label("Qu'est-ce qui manque ?").fill("Pas de laverie dans le quartier")
    page.get_by_label("Décrivez la situation").fill("Trois kilomètres à pied avec le linge.")
    page.get_by_label("Votre nom").fill("Samia B.")
    page.get_by_label("Vous êtes").select_option("inhabitant")
    page.get_by_label("Votre e-mail").fill("samia@example.org")
    page.get_by_label("J'accepte que la fabrique enregistre ces informations pour étudier le besoin.").check()
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre signalement est bien envoyé")
    assert_accessible(axe(page))
    shoot(page, "needs-report-thanks-phone")
    report = NeedReport.objects.get()
    page.get_by_role("link", name=f"/suivi/{report.followup_token}/").click()
    expect(page.get_by_text("Votre signalement a été reçu.")).to_be_visible()
    assert no_horizontal_scroll(page)
    assert_accessible(axe(page))
    shoot(page, "needs-report-followup-phone")


def test_need_page_and_qualification(page, live_server, team, make_need, criteria, log_in, shoot, axe):  # noqa: F811
    need = make_need(title="Laverie solidaire")
    base = f"{live_server.url}/espace/{team.fabrique.slug}"
    page.set_viewport_size(DESKTOP)
    log_in(page, team.officer)
    page.goto(f"{base}/besoins/{need.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Laverie solidaire")
    assert_accessible(axe(page))
    shoot(page, "needs-need-detail-desktop")
    page.get_by_role("link", name="Commencer la qualification").click()
    page.get_by_label(f"Note — {criteria[0].label}", exact=True).select_option("3")
    page.get_by_label(f"Note — {criteria[1].label}", exact=True).select_option("2")
    expect(page.locator(".qualification-total")).to_contain_text("5/18")  # live total (JavaScript)
    assert_accessible(axe(page))
    shoot(page, "needs-qualification-desktop")
    page.get_by_role("button", name="Enregistrer la qualification").click()
    expect(page.get_by_text("La qualification du besoin")).to_be_visible()
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/besoins/{need.pk}/")
    assert no_horizontal_scroll(page)
    shoot(page, "needs-need-detail-phone")
    page.goto(f"{base}/besoins/{need.pk}/decision/")
    page.get_by_role("radio", name="Non retenu").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Choisissez le motif pour lequel le besoin n'est pas retenu."
    )
    assert no_horizontal_scroll(page)
    assert_accessible(axe(page))
    shoot(page, "needs-decision-phone")
    page.get_by_role("radio", name="Retenu", exact=True).check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Décision enregistrée pour le besoin")).to_be_visible()
    expect(page.locator(".badge").first).to_have_text("retenu")
    page.goto(f"{base}/besoins/signalements/")
    assert no_horizontal_scroll(page)
    shoot(page, "needs-report-list-phone")
    page.goto(f"{base}/besoins/signalements/{need.reports.get().pk}/")
    assert no_horizontal_scroll(page)
    assert_accessible(axe(page))
    shoot(page, "needs-report-detail-phone")
    page.set_viewport_size(DESKTOP)
    page.reload()
    shoot(page, "needs-report-detail-desktop")


def test_a_partner_reports_and_finds_the_report_again(page, live_server, team, log_in, shoot, axe):  # noqa: F811
    page.set_viewport_size(DESKTOP)
    log_in(page, team.partner)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes signalements")
    page.get_by_role("link", name="Signaler un besoin").click()
    expect(page.get_by_label("Votre e-mail")).to_have_value(team.partner.email)  # prefilled
    page.get_by_label("Qu'est-ce qui manque ?").fill("Pas de tiers-lieu numérique")
    page.get_by_label("Décrivez la situation").fill("Les démarches en ligne sont impossibles sans aide.")
    page.get_by_label("Vous êtes").select_option("association")
    page.get_by_label("J'accepte que la fabrique enregistre ces informations pour étudier le besoin.").check()
    shoot(page, "needs-report-form-desktop")
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.get_by_role("link", name="Mes signalements").last.click()
    expect(page.get_by_role("cell", name="Pas de tiers-lieu numérique")).to_be_visible()
    expect(page.get_by_text("Votre signalement a été reçu.")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "needs-my-reports-desktop")
