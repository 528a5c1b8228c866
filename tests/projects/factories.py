"""Objects of the pipeline set up directly in a given state (the upstream services are tested by
their own modules)."""

from __future__ import annotations

from fabrique.directory.models import LegalBasis, Organization, OrganizationKind, Person, Purpose
from fabrique.needs.models import Need, NeedStage
from fabrique.projects.models import Project, ProjectStage
from fabrique.studies.models import Scenario, Study, StudyStage


def make_need(
    fabrique, *, title: str = "Garde d'enfants en horaires décalés", stage=NeedStage.IN_STUDY, **kw
):
    return Need.objects.create(fabrique=fabrique, title=title, stage=stage, **kw)


def make_study(
    fabrique, *, needs=(), stage=StudyStage.GO, preferred: str | None = "Crèche à horaires atypiques", **kw
):
    study = Study.objects.create(
        fabrique=fabrique,
        title=kw.pop("title", "Étude garde d'enfants"),
        summary=kw.pop("summary", "Objet de l'étude"),
        conclusion=kw.pop("conclusion", "Un modèle coopératif est viable."),
        stage=stage,
        **kw,
    )
    study.needs.set(needs)
    if preferred:
        Scenario.objects.create(study=study, title="Piste écartée", description="Non retenue")
        Scenario.objects.create(
            study=study,
            title=preferred,
            description="Une crèche ouverte de 5 h à 23 h.",
            value_proposition="Des parents qui travaillent tôt ou tard.",
            is_preferred=True,
        )
    return study


def make_project(
    fabrique, *, title: str = "Crèche à horaires atypiques", stage=ProjectStage.SEEKING_LEADER, **kw
):
    return Project.objects.create(fabrique=fabrique, title=title, stage=stage, **kw)


def make_person(
    fabrique,
    *,
    last_name: str = "Martin",
    first_name: str = "Léa",
    email: str = "lea.martin@example.org",
    **kw,
):
    return Person.objects.create(
        fabrique=fabrique,
        first_name=first_name,
        last_name=last_name,
        email=email,
        purpose=kw.pop("purpose", Purpose.LEADER_PROSPECTING),
        legal_basis=kw.pop("legal_basis", LegalBasis.LEGITIMATE_INTEREST),
        **kw,
    )


def make_organization(fabrique, *, name: str = "Coopérative Petite Enfance", **kw):
    from fabrique.core.text import normalize_organization_name

    return Organization.objects.create(
        fabrique=fabrique,
        name=name,
        kind=kw.pop("kind", OrganizationKind.COOPERATIVE),
        normalized_name=normalize_organization_name(name),
        **kw,
    )
