"""The method in a browser: a leader named directly closes the call everywhere, a committee votes
member by member with a conflict of interest, the meeting form on a phone, and axe on the network
page, the dashboard and the pipeline board."""

import pytest
from playwright.sync_api import expect

from fabrique.committees.services import agenda_item_add
from fabrique.recruitment.models import ApplicationStage, CallStage
from fabrique.recruitment.services import application_create_direct
from tests.committees.factories import make_committee, make_meeting
from tests.directory.factories import make_organization, make_person
from tests.projects.factories import make_project
from tests.recruitment.factories import make_application, make_call

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_direct_approach_closes_the_call(page, live_server, team, log_in, shoot, axe):
    project = make_project(
        team.fabrique,
        title="Crèche à horaires décalés",
        is_public=True,
        public_summary="Une crèche ouverte tard.",
    )
    call = make_call(project, title="Appel : crèche à horaires décalés")
    candidate = make_application(call, email="sam@example.org")
    structure = make_organization(team.fabrique, name="Les P'tits Loups", email="contact@ptitsloups.org")
    direct = application_create_direct(
        project=project, actor=team.officer, organization=structure, motivation="Déjà sur place."
    )
    public = f"{live_server.url}/f/{team.fabrique.slug}/projets/"
    page.set_viewport_size(DESKTOP)
    page.goto(public)
    expect(page.get_by_role("link", name="Porter ce projet : voir l'appel")).to_be_visible()

    log_in(page, team.officer)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/projets/candidatures/{direct.pk}/decider/")
    page.get_by_label("candidature retenue : porteur du projet").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".message-success")).to_be_visible()
    call.refresh_from_db()
    candidate.refresh_from_db()
    assert call.stage == CallStage.CANCELLED and candidate.stage == ApplicationStage.NOT_SELECTED
    # every public page agrees: no call offered, no "Porter ce projet"
    page.goto(public)
    expect(page.get_by_role("heading", name="Crèche à horaires décalés")).to_be_visible()
    expect(page.get_by_text("Porter ce projet")).to_have_count(0)
    page.goto(f"{live_server.url}/f/{team.fabrique.slug}/")
    expect(page.get_by_text("Appel : crèche à horaires décalés")).to_have_count(0)
    shoot(page, "method-direct-approach-public")


def test_committee_votes_per_member_with_a_conflict(page, live_server, team, log_in, shoot, axe):
    ruche = make_organization(team.fabrique, name="La Ruche solidaire")
    ines = make_person(team.fabrique, team.admin, first_name="Inès", last_name="Bernard", organization=ruche)
    paul = make_person(team.fabrique, team.admin, first_name="Paul", last_name="Durand")
    committee = make_committee(team.fabrique, team.officer, name="Comité de sélection", members=[ines, paul])
    meeting = make_meeting(committee, team.officer, attendees=[ines, paul])
    application = make_application(
        make_call(make_project(team.fabrique)), stage=ApplicationStage.UNDER_REVIEW, organization=ruche
    )
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=application)
    base = f"{live_server.url}/espace/{team.fabrique.slug}"

    page.set_viewport_size(DESKTOP)
    log_in(page, team.committee)
    page.goto(f"{base}/comites/seances/{meeting.pk}/ordre-du-jour/{item.pk}/decision/")
    conflict = page.get_by_label(
        "Inès Bernard (La Ruche solidaire) déclare un conflit d'intérêts (s'abstient)"
    )
    expect(conflict).to_be_checked()  # her structure applies: pre-checked
    page.get_by_label("candidature retenue : porteur du projet").check()
    page.get_by_label("Vote de Inès Bernard (La Ruche solidaire)").select_option("for")
    page.get_by_label("Vote de Paul Durand").select_option("for")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("alert")).to_contain_text("conflit d'intérêts")
    assert_accessible(axe(page))
    page.get_by_label("Vote de Inès Bernard (La Ruche solidaire)").select_option("abstain")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".message-success")).to_be_visible()
    box = page.locator("#agenda .decision-box")
    expect(box).to_contain_text("1 pour, 0 contre, abstentions : 1")
    box.get_by_text("Votes des membres").click()
    expect(box).to_contain_text("conflit d'intérêts déclaré")
    assert_accessible(axe(page))
    shoot(page, "method-member-votes")


def test_meeting_form_on_a_phone(page, live_server, team, log_in, shoot, axe):
    people = [
        make_person(team.fabrique, team.admin, first_name=first, last_name=last)
        for first, last in [
            ("Léa", "Durand"),
            ("Yanis", "Benali"),
            ("Chloé", "Martin"),
            ("Hugo", "Petit"),
            ("Maëlle", "Roux"),
            ("Karim", "Haddad"),
            ("Élise", "Moreau"),
        ]
    ]
    committee = make_committee(team.fabrique, team.officer, name="Comité d'engagement", members=people[:3])
    page.set_viewport_size(PHONE)
    log_in(page, team.officer)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/comites/{committee.pk}/seances/nouvelle/")
    # attendance pre-filled with the committee's members, as chips of the directory's autocomplete (no
    # list of every contact, no Ctrl + click): a contact is added by typing a few letters
    chips = page.locator(".ts-control .item")
    expect(chips).to_have_count(3)
    expect(chips.filter(has_text="Léa Durand")).to_have_count(1)
    expect(chips.filter(has_text="Hugo Petit")).to_have_count(0)
    attendees = page.get_by_role("combobox", name="Présents (contacts de l'annuaire)")
    attendees.click()
    page.keyboard.type("elise")
    option = page.get_by_role("option", name="Élise Moreau")
    expect(option).to_be_visible()
    expect(page.get_by_role("option", name="Hugo Petit")).to_have_count(0)
    option.click()
    expect(chips).to_have_count(4)
    # a chip is removed with its own button (a large enough target on a phone)
    chips.filter(has_text="Chloé Martin").locator(".remove").click()
    expect(chips).to_have_count(3)
    assert fits_phone(page)
    assert_accessible(axe(page))
    shoot(page, "method-meeting-form-phone")
    page.get_by_label("Date").fill("2030-03-04T18:00")
    page.get_by_label("Lieu").fill("Maison des associations")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message-success")).to_be_visible()
    assert fits_phone(page)
    meeting = committee.meetings.get()
    assert sorted(str(p) for p in meeting.attendees.all()) == ["Léa Durand", "Yanis Benali", "Élise Moreau"]


def test_network_dashboard_and_pipeline_are_accessible(
    page, live_server, team, network_head, log_in, shoot, axe
):
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, network_head)
    page.goto(f"{live_server.url}/reseau/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Le réseau des fabriques")
    region = page.get_by_role("region", name="Indicateurs par fabrique")
    region.focus()
    expect(region).to_be_focused()
    assert_accessible(axe(page))
    shoot(page, "method-network-1366")
    page.context.clear_cookies()
    log_in(page, team.officer)
    for path, name in (("", "dashboard"), ("pilotage/", "pipeline")):
        for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
            page.set_viewport_size(size)
            page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/{path}")
            assert_accessible(axe(page))
            shoot(page, f"method-{name}-{label}")


def test_a_chantier_page(page, live_server, team, log_in, shoot, axe):
    from tests.committees.factories import make_need, make_study
    from tests.workstreams.factories import make_workstream

    chantier = make_workstream(team.fabrique, team.officer, name="Labo habitat inclusif")
    need = make_need(team.fabrique, title="Habitat partagé pour seniors")
    need.workstream = chantier
    need.save(update_fields=["workstream"])
    make_study(team.fabrique, team.officer, title="Habitat inclusif à Rezé", workstream=chantier)
    make_project(team.fabrique, title="Maison partagée de Rezé", workstream=chantier)
    log_in(page, team.officer)
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/chantiers/{chantier.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Labo habitat inclusif")
        expect(page.get_by_role("heading", name="Les chiffres du chantier")).to_be_visible()
        expect(page.get_by_role("link", name="Habitat inclusif à Rezé")).to_be_visible()
        expect(page.get_by_role("link", name="Maison partagée de Rezé")).to_be_visible()
        assert_accessible(axe(page))
        shoot(page, f"method-chantier-{label}")
    assert fits_phone(page)
