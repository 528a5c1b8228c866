"""The demo: loads through the services, a second run duplicates nothing, its pages render."""

import re
from collections import deque

import pytest
from django.core.management import call_command
from django.test import Client

from fabrique.accounts.models import User
from fabrique.audit.models import AuditEntry
from fabrique.demo import content
from fabrique.fabriques.models import Fabrique
from fabrique.needs.models import Need, NeedReport
from fabrique.projects.models import Enterprise, Project

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Fabrique, User, Need, NeedReport, Project, Enterprise, AuditEntry)
    }


def test_load_demo_is_idempotent_and_covers_the_pipeline():
    call_command("load_demo", verbosity=0)
    first = counts()
    call_command("load_demo", verbosity=0)
    assert counts() == first
    assert first["Fabrique"] == 2
    # two enterprises of the current pipeline, two of the three years of history (issue 12), one
    # created three and a half years ago and followed up (issue 14: every stage)
    assert first["Enterprise"] == 5
    nantes = Fabrique.objects.get(slug=content.NANTES["slug"])
    stages = set(Project.objects.filter(fabrique=nantes).values_list("stage", flat=True))
    assert {"seeking_leader", "leader_selected", "in_support", "created"} <= stages
    assert User.objects.get(email="admin@nantes.demo").check_password(content.PASSWORD)


# import batches live for minutes (a file being imported): the demo imports no file
TRANSIENT_WORKFLOWS = {"intelligence.importbatch"}


def test_the_demo_reaches_every_stage_of_every_workflow():
    """Issue 14: every stage of every state machine at least once, workshops of every kind, follow-ups
    at +1 and +3 years, a change of scale and partners."""
    from django.apps import apps

    from fabrique.backoffice.views.method import workflows
    from fabrique.projects.models import FollowUp, Partnership, RecruitmentMode
    from fabrique.studies.models import Workshop, WorkshopKind

    call_command("load_demo", verbosity=0)
    missing = {}
    for label, _name, workflow in workflows():
        if label in TRANSIENT_WORKFLOWS:
            continue
        reached = set(apps.get_model(label)._base_manager.values_list(workflow.field, flat=True))
        absent = [stage.value for stage in workflow.stages if stage.value not in reached]
        if absent:
            missing[label] = absent
    assert missing == {}
    assert set(Workshop.objects.values_list("kind", flat=True)) == set(WorkshopKind.values)
    assert set(FollowUp.objects.values_list("horizon", flat=True)) == {"1y", "3y"}
    assert Project.objects.filter(recruitment_mode=RecruitmentMode.SCALE_UP).exists()
    assert Partnership.objects.exists()


def test_demo_pages_answer_200_for_the_officer():
    call_command("load_demo", verbosity=0)
    client = Client()
    client.force_login(
        User.objects.get(email="chargee@nantes.demo"), backend="django.contrib.auth.backends.ModelBackend"
    )
    seen, queue, problems = set(), deque(["/espace/nantes/"]), []
    skip = re.compile(r"(deconnexion|\.pdf$|export|document|/media/|\.json$)")
    while queue and len(seen) < 120:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            problems.append((response.status_code, url))
            continue
        for link in re.findall(r'href="(/espace/nantes/[^"#?]*)"', response.content.decode()):
            if not skip.search(link) and link not in seen:
                queue.append(link)
    assert len(seen) >= 100
    assert problems == []


def test_directory_pages_show_the_pipeline_links():
    from fabrique.directory.models import Organization

    call_command("load_demo", verbosity=0)
    client = Client()
    client.force_login(
        User.objects.get(email="lecture@nantes.demo"), backend="django.contrib.auth.backends.ModelBackend"
    )
    metropole = Organization.objects.get(fabrique__slug="nantes", name="Nantes Métropole")
    html = client.get(f"/espace/nantes/annuaire/structures/{metropole.pk}/").content.decode()
    assert "Dans le parcours de la fabrique" in html
    assert "Financements apportés" in html
    assert "Aide à l&#x27;amorçage ESS" in html or "Aide à l'amorçage ESS" in html


def test_demo_history_gives_every_reporting_indicator_a_value():
    """Three years of Nantes history: every indicator of the reporting page shows something."""
    import datetime

    from django.utils import timezone

    from fabrique.core.indicators import Period, indicators
    from fabrique.funding.models import FunderReportVersion
    from fabrique.reporting.figures import durations

    call_command("load_demo", verbosity=0)
    nantes = Fabrique.objects.get(slug=content.NANTES["slug"])
    today = timezone.localdate()
    three_years = Period(today - datetime.timedelta(days=3 * 365 + 120), today)
    empty = [i.key for i in indicators(reporting=True) if not i.value(nantes, period=three_years)]
    assert empty == []
    assert all(d.count for d in durations(nantes, period=three_years))
    assert FunderReportVersion.objects.filter(report__fabrique=nantes, status="done").exists()
