"""A chantier's page as a living collective: its needs, studies, projects, enterprises, workshops,
meetings and figures."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from fabrique.projects.models import Enterprise, LegalForm
from fabrique.reporting.workstream import workstream_overview
from fabrique.studies.services import workshop_create

from ..committees.factories import make_committee, make_meeting, make_need, make_study
from ..projects.factories import make_project
from .factories import make_workstream

pytestmark = pytest.mark.django_db


def test_a_chantier_shows_its_collective(team, other_team, login):
    chantier = make_workstream(team.fabrique, team.officer, name="Réemploi / 3R")
    need = make_need(team.fabrique, title="Une recyclerie au nord")
    need.workstream = chantier
    need.save(update_fields=["workstream"])
    study = make_study(team.fabrique, team.officer, title="Recyclerie nord", workstream=chantier)
    workshop_create(
        study=study,
        actor=team.officer,
        title="Idéation recyclerie",
        date=datetime.date(2026, 6, 2),
    )
    committee = make_committee(team.fabrique, team.officer, name="Copil recyclerie")
    committee.study = study
    committee.save(update_fields=["study"])
    make_meeting(committee, team.officer)
    project = make_project(team.fabrique, title="Recyclerie du Nord", workstream=chantier)
    Enterprise.objects.create(
        project=project,
        legal_name="SCIC Recyclerie du Nord",
        legal_form=LegalForm.SCIC,
        created_on=datetime.date(2026, 7, 1),
        jobs_fte=Decimal("4.5"),
    )
    elsewhere = make_project(other_team.fabrique, title="Projet d'ailleurs")
    assert elsewhere.pk

    overview = workstream_overview(workstream=chantier)
    assert [n.pk for n in overview.needs] == [need.pk]
    assert [s.pk for s in overview.studies] == [study.pk]
    assert [p.pk for p in overview.projects] == [project.pk]
    assert len(overview.workshops) == 1 and len(overview.meetings) == 1
    figures = dict(overview.figures)
    assert figures["Entreprises créées"] == 1 and figures["Emplois créés (ETP)"] == Decimal("4.5")

    url = reverse(
        "backoffice:workstream_detail", kwargs={"fabrique_slug": team.fabrique.slug, "pk": chantier.pk}
    )
    page = login(team.reader).get(url).content.decode()
    for text in (
        "Une recyclerie au nord",
        "Recyclerie nord",
        "Recyclerie du Nord",
        "SCIC Recyclerie du Nord",
        "Idéation recyclerie",
        "Copil recyclerie",
        "juin 2026",
        "Les chiffres du chantier",
    ):
        assert text in page, text
    assert "Projet d'ailleurs" not in page
