"""The regrouping page in a real browser: what the grouping learned from the team's decisions, both models'
figures and which one is used (screenshots at desktop and phone width)."""

import pytest
from playwright.sync_api import expect

from tests.needs.conftest import make_report  # noqa: F401 (a fixture)

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRANSPORT = (
    "Pas de transport pour les personnes âgées vers le marché",
    "Les seniors sans voiture restent chez eux.",
)
HOMEWORK = ("Aide aux devoirs pour les collégiens", "Personne pour aider les collégiens le soir.")


@pytest.fixture
def learned(team, make_report):  # noqa: F811
    """The fabrique's calibration measured on 28 decided pairs of 8 reports (two needs of 4)."""
    from fabrique.grouping.models import PairDecision
    from fabrique.needs.grouping import pair_model_adaptation_refresh
    from fabrique.territories.models import Commune

    carquefou = Commune.objects.get(code="44026")
    reports = {}
    for name, (title, description) in {"transport": TRANSPORT, "homework": HOMEWORK}.items():
        reports[name] = [
            make_report(title=f"{title} ({k})", description=description, commune=carquefou) for k in range(4)
        ]
    everyone = reports["transport"] + reports["homework"]
    for i, a in enumerate(everyone):
        for b in everyone[i + 1 :]:
            PairDecision.objects.create(
                fabrique=team.fabrique,
                report_a=a,
                report_b=b,
                same_need=(a in reports["transport"]) == (b in reports["transport"]),
                source="merge",
                decided_by=team.officer,
            )
    return pair_model_adaptation_refresh(fabrique=team.fabrique)


def test_the_regrouping_page_shows_what_the_team_taught(page, live_server, team, log_in, shoot, axe, learned):
    row = learned
    page.set_viewport_size(DESKTOP)
    log_in(page, team.officer)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/besoins/regroupements/")
    section = page.locator(
        "section", has=page.get_by_role("heading", name="Apprentissage des décisions de l'équipe")
    )
    expect(section.get_by_text("28 paires jugées (12 « même besoin »).")).to_be_visible()
    expect(section.get_by_role("cell", name="Livré")).to_be_visible()
    expect(section.get_by_role("cell", name="Ajusté à la fabrique")).to_be_visible()
    expect(section.get_by_text("ne fait pas assez mieux")).to_be_visible()
    assert f"{row.shipped_agreement:.3f}".replace(".", ",") in section.inner_text()
    assert_accessible(axe(page))
    shoot(page, "grouping-learning-desktop")
    page.set_viewport_size(PHONE)
    expect(
        section.get_by_text("Ajusté à la fabrique", exact=True)
    ).to_be_visible()  # the table's rows become cards
    expect(section.get_by_text("le modèle livré reste utilisé")).to_be_visible()
    shoot(page, "grouping-learning-phone")
