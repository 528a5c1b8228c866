"""Notifications and webhooks in a real browser: an officer sets a preference, a report arrives through
the public form, the bell shows it and its link opens the report; the webhook settings pages on
desktop and phone."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from fabrique.needs.models import NeedReport
from fabrique.notifications.models import Notification

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_preference_public_report_bell_and_link(page, browser, live_server, team, log_in, shoot, axe):
    base = f"{live_server.url}/espace/{team.fabrique.slug}"
    page.set_viewport_size(DESKTOP)
    log_in(page, team.officer)
    # the officer wants new reports in the daily digest (in-app at once, e-mail once a day)
    page.goto(f"{base}/notifications/preferences/")
    group = page.get_by_role("group", name="Nouveau signalement")
    group.get_by_label("dans le résumé quotidien").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos préférences de notification sont enregistrées.")).to_be_visible()
    expect(
        page.get_by_role("group", name="Nouveau signalement").get_by_label("dans le résumé quotidien")
    ).to_be_checked()
    expect(page.locator("a.bell .bell-count")).to_have_count(0)

    # a visitor, in another browser, reports a need through the public form
    visitor = browser.new_context(viewport=PHONE)
    public = visitor.new_page()
    mail.outbox.clear()
    public.goto(f"{live_server.url}/f/{team.fabrique.slug}/signaler/")
    public.get_by_label("Qu'est-ce qui manque ?").fill("Pas de laverie dans le quartier")
    public.get_by_label("Décrivez la situation").fill("Trois kilomètres à pied avec le linge.")
    public.get_by_label("Votre nom").fill("Samia B.")
    public.get_by_label("Vous êtes").select_option("inhabitant")
    public.get_by_label("Votre e-mail").fill("samia@example.org")
    public.get_by_label(
        "J'accepte que la fabrique enregistre ces informations pour étudier le besoin."
    ).check()
    public.get_by_role("button", name="Envoyer le signalement").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Merci, votre signalement est bien envoyé")
    visitor.close()
    report = NeedReport.objects.get()

    # the bell shows it; the preference held: in-app now, no e-mail to the officer before the digest
    page.goto(f"{base}/")
    bell = page.locator("a.bell")
    expect(bell.locator(".bell-count")).to_contain_text("1")
    assert Notification.objects.get(recipient=team.officer).mode == "digest"
    assert not [m for m in mail.outbox if m.to == [team.officer.email]]
    assert [m for m in mail.outbox if m.to == [team.admin.email]]  # the admin kept "tout de suite"
    assert_accessible(axe(page))
    shoot(page, "notifications-bell-desktop")
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    link = page.get_by_role(
        "link", name=f"Nouveau signalement {report.reference} : Pas de laverie dans le quartier"
    )
    shoot(page, "notifications-list-desktop")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pas de laverie dans le quartier")
    assert page.url.endswith(f"/signalements/{report.pk}/") or f"/{report.pk}/" in page.url
    # opening the report read its notification: the bell is back to zero
    expect(page.locator("a.bell .bell-count")).to_have_count(0)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/notifications/")
    assert no_horizontal_scroll(page)
    shoot(page, "notifications-list-phone")


def test_webhook_pages_desktop_and_phone(page, live_server, team, log_in, shoot, axe):
    from fabrique.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

    base = f"{live_server.url}/espace/{team.fabrique.slug}/parametres/webhooks"
    page.set_viewport_size(DESKTOP)
    log_in(page, team.admin)
    page.goto(f"{base}/")
    assert_accessible(axe(page))
    page.get_by_role("link", name="Ajouter un webhook").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text("Choisissez au moins un événement.", exact=True)).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "webhooks-form-errors-desktop")
    page.get_by_label("Adresse (URL)").fill("http://127.0.0.1:9/hooks/entrepot-de-donnees-regional/fabrique")
    page.get_by_label("Description").fill("Entrepôt de données régional")
    page.get_by_label("Nouveau signalement").check()
    page.get_by_label("Décision enregistrée").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Secret de signature (affiché une seule fois)")).to_be_visible()
    secret = page.locator("[data-secret]").inner_text()
    assert secret.startswith("whsec_")
    endpoint = WebhookEndpoint.objects.get()
    for attempt, status, code in ((1, DeliveryStatus.FAILED, 500), (2, DeliveryStatus.SUCCESS, 200)):
        WebhookDelivery.objects.create(
            fabrique=team.fabrique,
            endpoint=endpoint,
            event_id="0b8f3c1e-5d2a-5c1b-9f7e-2a6c4d8e1f30",
            event_type="report.created",
            body="{}",
            attempt=attempt,
            status=status,
            response_status=code,
            duration_ms=42,
            response_excerpt='{"error": "base de données indisponible, réessayez plus tard"}'
            if code == 500
            else "ok",
            error="Code HTTP 500." if code == 500 else "",
        )
    page.reload()
    expect(page.locator("[data-secret]")).to_have_count(0)  # shown once
    assert_accessible(axe(page))
    shoot(page, "webhooks-detail-desktop")
    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page)
    shoot(page, "webhooks-detail-phone")
    page.goto(f"{base}/")
    assert no_horizontal_scroll(page)
    shoot(page, "webhooks-list-phone")
    page.goto(f"{base}/nouveau/")
    assert no_horizontal_scroll(page)
    shoot(page, "webhooks-form-phone")
