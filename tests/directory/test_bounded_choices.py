"""Forms never list a growing table: every form page that chooses rows of people, organisations, needs,
reports, studies or projects renders the same number of choices with ten times more rows — the choice is
an autocomplete (`fabrique.directory.autocomplete`) fed by the bounded record search."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fabrique.demo.network import extend_fabrique
from fabrique.directory.models import Organization, Person
from fabrique.needs.models import Need, NeedReport, NeedStage
from fabrique.studies.models import Study
from fabrique.support.services import support_plan_start
from tests.committees.factories import make_committee, make_meeting
from tests.projects.factories import make_project, make_study
from tests.support.conftest import make_project as make_support_project
from tests.workstreams.factories import make_workstream

pytestmark = pytest.mark.django_db

SMALL = {"organizations": 4, "people": 4, "needs": 4, "reports": 4, "studies": 2}


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
        "liste des besoins (filtre commune)": bo("need_list"),
        "liste des signalements (filtre commune)": bo("report_list"),
        "liste des projets (filtre commune)": bo("project_list"),
        "pilotage, liste (filtre commune)": bo("pipeline_list"),
        "annuaire des structures (filtre commune)": bo("organization_list"),
        "rapports (filtres financeur et territoire)": bo("reporting_dashboard"),
        "rapport à un financeur (financeur)": bo("funder_report_create"),
    }

    def measure() -> dict[str, int]:
        found = {}
        for label, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, label
            found[label] = _choices(response.content.decode())
        return found

    extend_fabrique(fabrique, volumes=SMALL, seed=1, actor=officer)
    # pages of objects the first volume created (the same objects at both sizes)
    plan = support_plan_start(
        project=make_support_project(fabrique, officer=officer),
        actor=officer,
        started_on=timezone.localdate() - datetime.timedelta(days=30),
        objectives="Boucler le plan de financement",
    )
    report = NeedReport.objects.filter(fabrique=fabrique).order_by("pk").first()
    committee = make_committee(fabrique, officer, members=list(Person.objects.filter(fabrique=fabrique)[:2]))
    meeting = make_meeting(committee, officer)
    urls.update(
        {
            "nouvelle séance (présents)": bo("meeting_create", pk=committee.pk),
            "séance, formulaire (présents)": bo("meeting_update", pk=meeting.pk),
            "comité, formulaire (étude suivie)": bo("committee_update", pk=committee.pk),
            "nouvelle étude (besoins retenus)": bo("study_create"),
            "nouvel atelier (participants)": bo("workshop_create", pk=study.pk),
            "nouveau contact (structure)": bo("person_create"),
            "création d'entreprise (structure)": bo("enterprise_create", project_pk=project.pk),
            "fusion d'un signalement (besoin)": bo("report_merge", pk=report.pk),
            "orientation (structure)": bo("referral_create", plan_pk=plan.pk),
            "financement (financeur)": bo("funding_create", plan_pk=plan.pk),
            "nouvelle convention (étude, accompagnement)": bo("agreement_create"),
            "rattachement d'un signalement (besoin)": bo("report_attach", pk=report.pk),
            "séance (dossier à examiner)": bo("meeting_detail", pk=meeting.pk),
        }
    )

    def rows() -> dict[str, int]:
        return {
            "people": Person.objects.filter(fabrique=fabrique).count(),
            "organisations": Organization.objects.filter(fabrique=fabrique).count(),
            "needs": Need.objects.filter(fabrique=fabrique).exclude(stage=NeedStage.CLOSED).count(),
            "retained needs": Need.objects.filter(fabrique=fabrique, stage=NeedStage.RETAINED).count(),
            "studies": Study.objects.filter(fabrique=fabrique).count(),
        }

    small, rows_small = measure(), rows()
    extend_fabrique(fabrique, volumes={k: 9 * v for k, v in SMALL.items()}, seed=2, actor=officer)
    large, rows_large = measure(), rows()
    # the test means something only if every table the forms choose from grew
    assert all(rows_large[k] > rows_small[k] for k in rows_small), (rows_small, rows_large)
    grown = {label: (small[label], large[label]) for label in urls if large[label] != small[label]}
    assert not grown, f"choices that grow with the data (small, large): {grown}"
