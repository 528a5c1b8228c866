"""Forms never list a growing table: every form page of the directory's rows (organisations, people,
needs) renders the same number of choices with ten times more rows — the choice is an autocomplete
(`fabrique.directory.autocomplete`) fed by the bounded record search."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from fabrique.demo.network import extend_fabrique
from tests.projects.factories import make_project, make_study
from tests.workstreams.factories import make_workstream

pytestmark = pytest.mark.django_db

SMALL = {"organizations": 4, "people": 4, "needs": 4, "reports": 4}


def _choices(html: str) -> int:
    """Options and checkboxes of the page's forms (what grows when a form lists a table)."""
    return len(re.findall(r"<option\b", html)) + len(re.findall(r'type="checkbox"', html))


def test_form_pages_list_no_growing_table(team):
    fabrique, officer = team.fabrique, team.officer
    workstream = make_workstream(fabrique, officer)
    project = make_project(fabrique)
    study = make_study(fabrique)
    client = Client()
    client.force_login(team.admin, backend="django.contrib.auth.backends.ModelBackend")

    def bo(name, **kw):
        return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug, **kw})

    urls = {
        "chantier, ajout d'une structure": bo("workstream_detail", pk=workstream.pk),
        "chantier, formulaire": bo("workstream_update", pk=workstream.pk),
        "nouveau chantier": bo("workstream_create"),
        "liste des chantiers (filtre)": bo("workstream_list"),
        "nouveau projet": bo("project_create"),
        "approche directe": bo("project_direct_approach", pk=project.pk),
        "étude, formulaire": bo("study_update", pk=study.pk),
        "annuaire des personnes (filtre)": bo("person_list"),
        "nouveau comité": bo("committee_create"),
        "saisie d'un signalement": bo("report_create"),
    }

    def measure() -> dict[str, int]:
        found = {}
        for label, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, label
            found[label] = _choices(response.content.decode())
        return found

    extend_fabrique(fabrique, volumes=SMALL, seed=1, actor=officer)
    small = measure()
    extend_fabrique(fabrique, volumes={k: 9 * v for k, v in SMALL.items()}, seed=2, actor=officer)
    large = measure()
    grown = {label: (small[label], large[label]) for label in urls if large[label] != small[label]}
    assert not grown, f"choices that grow with the data (small, large): {grown}"
