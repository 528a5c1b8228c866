"""Browser fixtures: a live server, a logged-in page, screenshots and an axe-core accessibility check."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def territories(transactional_db):
    """Every browser test starts with the test territories: each one is transactional, and the flush at
    the end of the test before empties the tables the session loaded (an import of "Nantes" then found no
    commune, depending on the order the tests ran in)."""
    from tests.territories.fixtures import load_test_territories

    load_test_territories()


@pytest.fixture
def shoot():
    """shoot(page, name): save a PNG under var/screenshots/ (looked at by the developers)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name: str, *, full_page: bool = True) -> Path:
        target = SHOTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=full_page)
        return target

    return _shoot


@pytest.fixture
def axe():
    """axe(page) -> list of WCAG 2.1 A/AA violations (serious and critical) on the current page."""

    def _axe(page) -> list[dict]:
        if not AXE.exists():
            pytest.fail("node_modules/axe-core missing: run `npm ci`")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            """async () => await axe.run(document, {runOnly: {type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
        )
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return _axe


def assert_accessible(violations: list[dict]) -> None:
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)


@pytest.fixture
def log_in(live_server):
    """log_in(page, user) through the real login form."""
    from tests.conftest import PASSWORD

    def _log_in(page, user):
        page.goto(f"{live_server.url}/compte/connexion/")
        page.get_by_label("Adresse e-mail").fill(user.email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
        return page

    return _log_in
