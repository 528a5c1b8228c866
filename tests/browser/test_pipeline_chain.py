"""The acceptance test of the product: the whole chain, through the pages, as people would use it.

An anonymous reporter submits a need on the public form → the team attaches a second report to it
and qualifies it → a committee meeting retains it → a study with one workshop and two scenarios → a
steering committee decides go → a call is published → a candidate applies with a PDF → two
evaluators score → the selection committee selects → a support plan with milestones → the creation
is recorded with its jobs → the reporter's private follow-up link shows the enterprise that answers
the need, and nothing internal.

Only the fabrique, its team and the directory contacts sitting in the committees are created with
the ORM; everything else goes through the pages in headless Chromium, on a fresh database.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from fabrique.fabriques.services import fabrique_setup_defaults
from tests.directory.factories import make_person
from tests.territories.fixtures import load_test_territories

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORTER_EMAIL = "samia.belkacem@example.org"
REPORT_TITLE = "Pas de laverie accessible dans le quartier du Château"
NEED_TITLE = "Laverie Château-Rezé : 2 signalements, piste CCAS"  # internal title, never public
NEED_PUBLIC_TITLE = "Une laverie accessible dans le quartier du Château à Rezé"
STUDY_TITLE = "Laverie solidaire du Château"
PREFERRED_SCENARIO = "Laverie solidaire et tiers-lieu du linge"
PUBLIC_SUMMARY = "Une laverie à petits prix, tenue par une équipe en insertion, avec un coin café."
CANDIDATE = ("Camille", "Roux", "camille.roux@example.org")
CANDIDATE_ORGANIZATION = "Collectif Linge et Lien"
ENTERPRISE = "SCIC Linge et Lien"


def pdf_bytes(text: str = "Dossier de candidature") -> bytes:
    """A small but real one-page PDF (with a correct cross-reference table)."""
    stream = f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.fixture
def world(transactional_db, settings, tmp_path, live_server, team):
    """A fresh fabrique with its defaults (criteria, committee types), its team, and the directory
    contacts who sit in its committees. Territories are reloaded: a transactional test may have
    flushed them."""
    load_test_territories(force=True)
    settings.FABRIQUE_SITE_URL = live_server.url  # links in e-mails point to this server
    settings.FABRIQUE_PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    settings.MEDIA_ROOT = str(tmp_path / "media")  # clears the storages' cached locations
    cache.clear()  # the public form's rate limit
    fabrique_setup_defaults(fabrique=team.fabrique)
    members = [
        make_person(team.fabrique, team.admin, first_name=first, last_name=last)
        for first, last in (("Léa", "Durand"), ("Karim", "Benali"), ("Odile", "Marchand"))
    ]
    return team, members


@pytest.fixture
def new_page(browser, browser_context_args):
    """new_page(viewport) -> a page in a fresh browser context (its own cookies), closed at the end."""
    contexts = []

    def _new_page(viewport=DESKTOP):
        context = browser.new_context(**{**browser_context_args, "viewport": viewport})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


def exactly(label: str) -> re.Pattern:
    """A whole label, with or without the asterisk of a required field."""
    return re.compile(rf"^{re.escape(label)}(\s*\*)?$")


def pick_commune(page, label: str, typed: str, option: str) -> None:
    """The commune autocomplete (Tom Select): type a few letters, choose the suggestion."""
    combobox = page.get_by_role("combobox", name=label)
    combobox.click()
    page.keyboard.type(typed)
    page.get_by_role("option", name=option).click()


def pick_record(page, label, typed: str, option: str) -> None:
    """A directory autocomplete (people, needs, studies): type a few words, choose the suggestion whose
    label contains `option` (labels of needs and studies start with their reference)."""
    combobox = page.get_by_role("combobox", name=label)
    combobox.click()
    page.keyboard.type(typed)
    page.get_by_role("option", name=re.compile(re.escape(option))).click()


def main_nav(page, label: str) -> None:
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name=label).click()


def hold_committee(
    *,
    officer_page,
    member_page,
    name: str,
    kind: str,
    target: str,
    outcome: str,
    votes: int,
    reasons: str,
    shoot,
    shot: str,
    study: str | None = None,
) -> str:
    """The officer creates a committee of directory contacts, plans a meeting and puts `target` on
    its agenda; the committee member records the committee's decision. Returns the meeting URL."""
    page = officer_page
    main_nav(page, "Comités")
    page.get_by_role("link", name="Créer un comité").click()
    page.get_by_label(exactly("Nom")).fill(name)
    page.get_by_label(exactly("Type")).select_option(label=kind)
    # the directory's contacts through the autocomplete (never a list of every contact)
    members = page.get_by_role("combobox", name="Membres (contacts de l'annuaire)")
    for person in ("Léa Durand", "Karim Benali", "Odile Marchand"):
        members.click()
        page.keyboard.type(person)
        page.get_by_role("option", name=re.compile(rf"^{re.escape(person)}")).click()
    if study:
        pick_record(page, "Étude suivie (copil)", study, study)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_role("link", name="Planifier une séance").click()
    page.get_by_label("Date et heure").fill(f"{timezone.localdate():%Y-%m-%d}T09:30")
    page.get_by_label("Lieu").fill("Maison de l'économie sociale, Rezé")
    # the members are proposed as attendees
    expect(page.locator(".ts-control .item")).to_have_count(3)  # chips of the attendees' autocomplete
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{name} — séance du")
    # what awaits a decision, by autocomplete (never a <select> of every candidate): a few words typed
    pick_record(page, "Dossier à examiner", re.sub(r"\s*\(.*\)$", "", target), target)
    page.get_by_label("Présenté par").fill("Officer NANTES")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.locator("#agenda")).to_contain_text(target)
    meeting_url = page.url.split("#")[0]

    page = member_page
    page.goto(meeting_url)
    expect(page.locator("#agenda")).to_contain_text(target)
    page.get_by_role("link", name=re.compile(r"^Enregistrer la décision")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Décision du comité")
    page.get_by_label(outcome, exact=True).check()
    page.get_by_label("Voix pour").fill(str(votes))
    page.get_by_label("Voix contre").fill("0")
    page.get_by_label("Abstentions").fill("1")
    page.get_by_label("Motifs et commentaires").fill(reasons)
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".message-success")).to_contain_text(outcome)
    expect(page.locator("#agenda .decision-box")).to_contain_text(f"{votes} pour")
    shoot(page, shot)
    return meeting_url


def test_from_a_public_report_to_the_enterprise_created(
    world, page, new_page, live_server, log_in, shoot, axe
):
    team, _members = world
    page.context.set_default_timeout(10_000)
    fabrique = team.fabrique
    today = timezone.localdate()

    # --- 1. an anonymous inhabitant reports the need on the public form, on a phone --------------
    reporter = new_page(PHONE)
    reporter.goto(f"{live_server.url}/f/{fabrique.slug}/")
    reporter.get_by_role("link", name="Signaler un besoin").first.click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Signaler un besoin")
    reporter.get_by_label("Qu'est-ce qui manque ?").fill(REPORT_TITLE)
    reporter.get_by_label("Décrivez la situation").fill(
        "La seule laverie a fermé : les familles font 4 km en bus avec leur linge."
    )
    reporter.get_by_label("Pour qui ? (facultatif)").select_option("precarious")
    pick_commune(reporter, "Dans quelle commune ? (facultatif)", "reze", "Rezé (44) — commune")
    reporter.get_by_label("Quartier ou lieu (facultatif)").fill("Quartier du Château")
    reporter.get_by_label("Votre nom").fill("Samia Belkacem")
    reporter.get_by_label("Vous êtes").select_option("inhabitant")
    reporter.get_by_label("Votre e-mail").fill(REPORTER_EMAIL)
    reporter.get_by_label(
        "J'accepte que la fabrique enregistre ces informations pour étudier le besoin."
    ).check()
    reporter.get_by_label("Je souhaite être informé·e par e-mail des suites données à ce besoin.").check()
    shoot(reporter, "chain-01-public-report-form")
    reporter.get_by_role("button", name="Envoyer le signalement").click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Merci, votre signalement est bien envoyé")
    followup_link = reporter.locator(".followup-link a")
    followup_url = followup_link.get_attribute("href")
    assert "/suivi/" in followup_url
    shoot(reporter, "chain-02-public-report-thanks")
    # the same private link arrives by e-mail
    confirmations = [m for m in mail.outbox if m.to == [REPORTER_EMAIL]]
    assert len(confirmations) == 1, [m.subject for m in mail.outbox]
    emailed_link = re.search(r"https?://\S+/suivi/\S+/", confirmations[0].body).group(0)
    assert emailed_link.endswith(followup_url.split(live_server.url)[-1])

    # --- 2. the officer turns the report into a need, enters a second report, attaches it -------
    page.set_viewport_size(DESKTOP)
    log_in(page, team.officer)
    main_nav(page, "Besoins")
    page.get_by_role("navigation", name="Détection des besoins").get_by_role(
        "link", name="Signalements"
    ).click()
    page.get_by_role("link", name=REPORT_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REPORT_TITLE)
    page.get_by_role("link", name="Créer un besoin").click()
    expect(page.get_by_label("Intitulé (interne)")).to_have_value(REPORT_TITLE)  # taken from the report
    page.get_by_label("Intitulé (interne)").fill(NEED_TITLE)
    page.get_by_label("Intitulé public").fill(NEED_PUBLIC_TITLE)
    page.get_by_label("Thème").select_option("services")
    page.get_by_label("Chargé·e de mission").select_option(label="Officer NANTES")
    page.get_by_role("button", name="Créer le besoin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEED_TITLE)
    need_url = page.url
    expect(page.get_by_role("heading", name="Signalement (1)")).to_be_visible()

    main_nav(page, "Besoins")
    page.get_by_role("navigation", name="Détection des besoins").get_by_role(
        "link", name="Signalements"
    ).click()
    page.get_by_role("link", name="Saisir un signalement").click()
    page.get_by_label("Ce qui manque").fill("Le CCAS constate des demandes d'aide pour laver le linge")
    page.get_by_label(exactly("Description")).fill("Une dizaine de familles par mois, surtout au Château.")
    pick_commune(page, "Commune", "reze", "Rezé (44) — commune")
    page.get_by_label("Thème").select_option("services")
    page.get_by_label("Nom de la personne").fill("Hervé Lucas")
    page.get_by_label("Structure (si elle n'est pas dans l'annuaire)").fill("CCAS de Rezé")
    page.get_by_label("Type de capteur").select_option("municipality")
    page.get_by_label(exactly("Source")).select_option("phone")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Le CCAS constate des demandes d'aide pour laver le linge"
    )
    page.get_by_role("link", name="Rattacher à un besoin existant").click()
    # the fabrique's needs by autocomplete (never a <select> of them), chosen with the keyboard
    combobox = page.get_by_role("combobox", name=exactly("Besoin"))
    combobox.click()
    page.keyboard.type("laverie chateau")
    expect(page.get_by_role("option", name=re.compile(re.escape(NEED_TITLE)))).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Rattacher", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("est rattaché au besoin")
    page.goto(need_url)
    expect(page.get_by_role("heading", name="Signalements (2)")).to_be_visible()
    shoot(page, "chain-03-need-two-reports")

    # --- 3. qualification -----------------------------------------------------------------------------
    page.get_by_role("link", name="Commencer la qualification").click()
    scores = page.locator(".qualification-form select")
    expect(scores.first).to_be_visible()
    for index in range(scores.count()):
        scores.nth(index).select_option("3" if index % 2 == 0 else "2")
    page.get_by_role("button", name="Enregistrer la qualification").click()
    expect(page.locator(".message-success")).to_contain_text("La qualification du besoin")
    expect(page.locator(".page-head .badge").first).to_have_text("en qualification")

    # --- 4. the commitment committee retains the need ------------------------------------------------
    member = new_page(DESKTOP)
    log_in(member, team.committee)
    hold_committee(
        officer_page=page,
        member_page=member,
        name="Comité d'engagement de Rezé",
        kind="Comité d'engagement",
        target=NEED_TITLE,
        outcome="Retenu",
        votes=6,
        reasons="Besoin avéré, confirmé par le CCAS.",
        shoot=shoot,
        shot="chain-04-commitment-committee",
    )
    page.goto(need_url)
    expect(page.locator(".page-head .badge").first).to_have_text("retenu")
    # the reporter sees the progress on the private page
    reporter.goto(followup_url)
    expect(reporter.locator("[aria-current='step']")).to_contain_text("Besoin retenu")

    # --- 5. the opportunity study: one workshop, two scenarios, submitted ------------------------------
    main_nav(page, "Études")
    page.get_by_role("link", name="Ouvrir une étude").click()
    pick_record(page, exactly("Besoins étudiés"), "Laverie Château", NEED_TITLE)
    page.get_by_label(exactly("Intitulé")).fill(STUDY_TITLE)
    page.get_by_label("Objet de l'étude").fill("Quel modèle pour une laverie accessible au Château ?")
    page.get_by_label("Chargé·e de mission").select_option(label="Officer NANTES")
    page.get_by_label(exactly("Début")).fill(f"{today:%Y-%m-%d}")
    page.get_by_label(exactly("Échéance")).fill(f"{today + datetime.timedelta(days=120):%Y-%m-%d}")
    page.get_by_role("button", name="Ouvrir l'étude").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STUDY_TITLE)

    page.get_by_role("link", name="Ajouter un atelier").click()
    page.get_by_label(exactly("Type")).select_option(label="séance de créativité")
    page.get_by_label(exactly("Intitulé")).fill("Séance de créativité avec les habitants")
    page.get_by_label("Lieu").fill("Centre socioculturel du Château")
    for person in ("Léa Durand", "Odile Marchand"):
        pick_record(page, "Participants de l'annuaire", person, person)
    page.get_by_label("Autres participants").fill("12 habitant·es du quartier")
    page.get_by_label("Décisions et suites").fill(
        "Explorer deux pistes : laverie solidaire, service de collecte."
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#workshops")).to_contain_text("Séance de créativité avec les habitants")

    for title, preferred, jobs in (
        ("Collecte et lavage à domicile", False, "1,5"),
        (PREFERRED_SCENARIO, True, "3,5"),
    ):
        page.get_by_role("link", name="Ajouter une piste").click()
        page.get_by_label(exactly("Intitulé")).fill(title)
        page.get_by_label(exactly("Description")).fill(f"{title} : la piste décrite en atelier.")
        page.get_by_label("Proposition de valeur").fill("Laver son linge près de chez soi, pour moins cher.")
        page.get_by_label("Sources de revenus").fill("Ventes de cycles de lavage, aide au poste d'insertion.")
        page.get_by_label("Emplois estimés (ETP)").fill(jobs.replace(",", "."))
        if preferred:
            page.get_by_label("Piste privilégiée").check()
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_role("heading", level=3, name=re.compile(re.escape(title)))).to_be_visible()
    expect(page.locator(".scenario-card")).to_have_count(2)
    expect(page.locator(".scenario-card.preferred")).to_contain_text(PREFERRED_SCENARIO)
    shoot(page, "chain-05-study")
    # a study goes to the committee with its conclusion written
    page.get_by_role("link", name="La rédiger").click()
    page.get_by_label("Conclusion").fill(
        "Une laverie solidaire avec un poste d'insertion répond au besoin : le modèle tient."
    )
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("link", name="Soumettre à décision").click()
    page.get_by_role("button", name="Soumettre à décision").click()
    expect(page.locator(".message-success")).to_contain_text("est soumise à décision")
    study_url = page.url

    # --- 6. the steering committee decides go: the project is born ------------------------------------
    hold_committee(
        officer_page=page,
        member_page=member,
        name="Comité de pilotage laverie",
        kind="Comité de pilotage",
        target=STUDY_TITLE,
        study=STUDY_TITLE,
        outcome="Go : un modèle pertinent a émergé, le projet est lancé",
        votes=5,
        reasons="La piste laverie solidaire est retenue.",
        shoot=shoot,
        shot="chain-06-steering-committee-go",
    )
    page.goto(study_url)
    page.get_by_role("link", name=re.compile(re.escape(PREFERRED_SCENARIO))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PREFERRED_SCENARIO)
    expect(page.locator(".page-head .badge").first).to_have_text("recherche d'un porteur")
    project_url = page.url
    # the reporter, who asked to be told, hears that a project answers the need
    answered = [m for m in mail.outbox if m.to == [REPORTER_EMAIL] and PREFERRED_SCENARIO in m.body]
    assert len(answered) == 1, [(m.to, m.subject) for m in mail.outbox]

    # --- 7. the call for leaders: public presentation, grid, evaluators, publication ----------------
    page.get_by_role("link", name="Modifier", exact=True).click()
    page.get_by_label("Présentation publique").fill(PUBLIC_SUMMARY)
    page.get_by_label("Visible sur le portfolio public").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message-success")).to_contain_text("a été modifié")
    page.get_by_role("link", name="Lancer un appel à porteurs").click()
    expect(page.get_by_label(exactly("Le projet"))).to_have_value(PUBLIC_SUMMARY)
    page.get_by_label("Profil recherché").fill(
        "Une personne ou un collectif prêt à créer et diriger la laverie."
    )
    page.get_by_label("Accompagnement proposé").fill("Douze mois d'accompagnement et la mise en réseau.")
    expect(page.get_by_label(exactly("Critère 1"))).to_have_value("Adéquation du profil avec le projet")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message-success")).to_contain_text("est créé en brouillon")
    call_url = page.url
    page.get_by_role("link", name="Évaluateur·rices").click()
    page.get_by_label("Officer NANTES").check()
    page.get_by_label("Committee NANTES").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message-success")).to_contain_text("sont enregistré·es")
    page.get_by_role("link", name="Publier", exact=True).click()
    page.get_by_role("button", name="Publier").click()
    expect(page.locator(".message-success")).to_contain_text("est publié")
    expect(page.locator(".page-head .badge").first).to_have_text("publié")
    shoot(page, "chain-07-call-published")

    # --- 8. a candidate finds the call on the fabrique's page and applies with a PDF -----------------
    candidate = new_page(PHONE)
    candidate.goto(f"{live_server.url}/f/{fabrique.slug}/")
    candidate.get_by_role("link", name=f"Appel à porteurs : {PREFERRED_SCENARIO}").click()
    candidate.get_by_role("link", name="Déposer ma candidature").click()
    first_name, last_name, email = CANDIDATE
    candidate.get_by_label("Prénom").fill(first_name)
    candidate.get_by_label(exactly("Nom")).fill(last_name)
    candidate.get_by_label("E-mail").fill(email)
    candidate.get_by_label("Structure (si vous candidatez pour une structure)").fill(CANDIDATE_ORGANIZATION)
    candidate.get_by_label("Pourquoi ce projet vous intéresse").fill(
        "J'ai travaillé dix ans en blanchisserie d'insertion et j'habite le Château."
    )
    candidate.get_by_label("Votre dossier de candidature").set_input_files(
        {"name": "dossier-linge-et-lien.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    candidate.get_by_label("J'accepte que la fabrique").check()
    shoot(candidate, "chain-08-application-form")
    candidate.get_by_role("button", name="Envoyer ma candidature").click()
    expect(candidate.get_by_role("heading", level=1)).to_have_text("Merci, votre candidature est envoyée")
    assert [m.subject for m in mail.outbox if m.to == [email]] == [
        f"Votre candidature à l'appel « Appel à porteurs : {PREFERRED_SCENARIO} » est bien reçue"
    ]

    # --- 9. the call closes; two evaluators score, blind ------------------------------------------------
    page.goto(call_url)
    page.get_by_role("link", name="Clore les candidatures").click()
    page.get_by_role("button", name="Clore les candidatures").click()
    expect(page.locator(".message-success")).to_contain_text("sont closes")
    application_name = f"{first_name} {last_name} ({CANDIDATE_ORGANIZATION})"
    page.get_by_role("link", name=application_name).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le dossier").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as handle:
        assert handle.read().startswith(b"%PDF-")
    application_url = page.url

    for evaluator_page, marks, shot in ((page, 4, "chain-09-evaluation-form"), (member, 5, None)):
        evaluator_page.goto(application_url)
        evaluator_page.get_by_role("link", name="Évaluer", exact=True).click()
        fields = evaluator_page.get_by_role("spinbutton")
        expect(fields).to_have_count(5)
        for index in range(fields.count()):
            fields.nth(index).fill(str(min(marks, int(fields.nth(index).get_attribute("max")))))
        evaluator_page.get_by_label("Appréciation générale").fill("Solide expérience du métier.")
        if shot:
            shoot(evaluator_page, shot)
        evaluator_page.get_by_role("button", name="Soumettre mon évaluation").click()
        expect(evaluator_page.locator(".message-success")).to_contain_text("Votre évaluation est soumise")
    expect(member.get_by_text("2 évaluations soumises — évaluateur·rices : 2.")).to_be_visible()
    expect(member.locator("article.evaluation")).to_have_count(2)
    shoot(member, "chain-10-evaluations")

    # --- 10. the selection committee selects the candidate --------------------------------------------
    hold_committee(
        officer_page=page,
        member_page=member,
        name="Comité de sélection laverie",
        kind="Comité de sélection",
        target=application_name,
        outcome="candidature retenue : porteur du projet",
        votes=4,
        reasons="Meilleure candidature : expérience et ancrage local.",
        shoot=shoot,
        shot="chain-11-selection-committee",
    )
    page.goto(project_url)
    expect(page.locator(".page-head .badge").first).to_have_text("porteur choisi")
    expect(page.locator("section[aria-labelledby='leader-title']")).to_contain_text(CANDIDATE_ORGANIZATION)
    assert f"Votre candidature pour le projet « {PREFERRED_SCENARIO} » est retenue" in [
        m.subject for m in mail.outbox if m.to == [email]
    ]

    # --- 11. the support plan and its milestones ---------------------------------------------------------
    page.get_by_role("link", name="Démarrer l'accompagnement").click()
    page.get_by_label("Objectifs").fill("Bouclage du financement, choix du local, recrutement.")
    page.get_by_role("button", name="Démarrer l'accompagnement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Accompagnement — {PREFERRED_SCENARIO}")
    milestones = page.locator("section[aria-labelledby='milestones-title'] tbody tr")
    expect(milestones).to_have_count(6)
    page.get_by_role("link", name="Modifier — Étude de faisabilité").click()
    page.get_by_label("Statut").select_option(label="fait")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message-success")).to_contain_text("a été modifié")
    page.get_by_role("link", name="Ajouter un jalon").click()
    page.get_by_label("Jalon").fill("Agrément ESUS obtenu")
    page.get_by_label("Échéance").fill(f"{today + datetime.timedelta(days=200):%Y-%m-%d}")
    page.get_by_role("button", name="Enregistrer").click()
    expect(milestones).to_have_count(7)
    expect(milestones.filter(has_text="Étude de faisabilité")).to_contain_text("fait")
    shoot(page, "chain-12-support-plan")

    # --- 12. the creation is recorded, with its jobs --------------------------------------------------
    page.get_by_role("link", name="Enregistrer la création").click()
    page.get_by_label("Dénomination").fill(ENTERPRISE)
    page.get_by_label("Forme juridique").select_option("scic")
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_label("Emplois à la création (ETP)").fill("3,5")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ENTERPRISE)
    shoot(page, "chain-13-enterprise")
    page.goto(project_url)
    expect(page.locator(".page-head .badge").first).to_have_text("entreprise créée")
    expect(page.locator("section[aria-labelledby='enterprise-title']")).to_contain_text("3,5")
    # the need, where it all began, leads to the enterprise
    page.goto(need_url)
    expect(page.locator(".page-head .badge").first).to_have_text("un projet y répond")
    expect(page.locator("section[aria-labelledby='next-title']")).to_contain_text(
        f"entreprise créée : {ENTERPRISE}"
    )

    # --- 13. the reporter's private link shows the enterprise, and nothing internal --------------------
    stranger = new_page(PHONE)
    stranger.goto(emailed_link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Suivi de votre signalement")
    expect(stranger.get_by_role("heading", level=3, name=PREFERRED_SCENARIO)).to_be_visible()
    expect(stranger.get_by_text(f"Activité créée : {ENTERPRISE}")).to_be_visible()
    expect(stranger.get_by_text(PUBLIC_SUMMARY)).to_be_visible()
    expect(stranger.locator("[aria-current='step']")).to_contain_text("Activité créée")
    expect(stranger.get_by_text(NEED_PUBLIC_TITLE)).to_be_visible()
    shoot(stranger, "chain-14-reporter-followup")
    assert_accessible(axe(stranger))
    shown = stranger.locator("main").text_content()  # hidden text included
    for private in (
        NEED_TITLE,  # the internal title
        "Officer",  # team members
        "Committee",
        "NANTES",
        "Léa Durand",  # committee members
        "Hervé Lucas",  # the other reporter
        "CCAS de Rezé",
        first_name,  # the leader as a person, and the candidate's e-mail
        last_name,
        email,
        "/ 20",  # scores
        "Moyenne",
        "voix",
        "732 829",  # the SIRET
    ):
        assert private not in shown, f"the reporter's page shows {private!r}"
