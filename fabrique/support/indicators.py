"""The support's and outcome's figures and deadlines (registered from SupportConfig.ready())."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import Deadline, Indicator, register, register_deadlines
from fabrique.fabriques.models import Fabrique
from fabrique.projects.models import Enterprise, Project, ProjectStage

from . import selectors


def support_deadlines(*, fabrique: Fabrique, start: datetime.date, end: datetime.date) -> list[Deadline]:
    """Open milestones due by the end of the window (late ones too) and follow-ups to do."""
    items = []
    for milestone in selectors.milestones_due(fabrique=fabrique, until=end):
        items.append(
            Deadline(
                date=milestone.due_on,
                label=_("%(milestone)s — %(project)s")
                % {"milestone": milestone.title, "project": milestone.plan.project.title},
                url=reverse(
                    "backoffice:support_plan_detail",
                    kwargs={"fabrique_slug": fabrique.slug, "pk": milestone.plan_id},
                ),
                kind=_("Jalon"),
            )
        )
    for enterprise, slot in selectors.followups_due(fabrique=fabrique, start=start, end=end):
        items.append(
            Deadline(
                date=slot.due_on,
                label=_("Suivi %(horizon)s de « %(name)s »") % {"horizon": slot.label, "name": enterprise},
                url=reverse(
                    "backoffice:enterprise_detail",
                    kwargs={"fabrique_slug": fabrique.slug, "pk": enterprise.pk},
                ),
                kind=_("Suivi post-création"),
            )
        )
    return items


def _enterprises() -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(project__deleted_at__isnull=True)


def register_all() -> None:
    register(*reporting_indicators())
    register(
        Indicator(
            key="support.projects_in_support",
            label=gettext_lazy("projets en accompagnement"),
            singular=gettext_lazy("projet en accompagnement"),
            definition=gettext_lazy("Projets à l'étape « en accompagnement »."),
            rows=lambda: Project.objects.filter(stage=ProjectStage.IN_SUPPORT),
            url_name="backoffice:project_list",
            url_query={"stage": ProjectStage.IN_SUPPORT},
        ),
        Indicator(
            key="support.enterprises",
            label=gettext_lazy("entreprises créées"),
            singular=gettext_lazy("entreprise créée"),
            column_label=gettext_lazy("Entreprises créées"),
            definition=gettext_lazy("Entreprises créées à l'issue d'un accompagnement."),
            rows=_enterprises,
            fabrique_field="project__fabrique",
            date="created_on",  # the network head's periods: the date of creation
            url_name="backoffice:enterprise_list",
            network=True,
        ),
        Indicator(
            key="support.jobs_fte",
            label=gettext_lazy("emplois créés (ETP)"),
            singular=gettext_lazy("emploi créé (ETP)"),
            column_label=gettext_lazy("Emplois créés à la création (ETP)"),
            definition=gettext_lazy(
                "Emplois à la création des entreprises créées, en équivalents temps plein."
            ),
            rows=_enterprises,
            fabrique_field="project__fabrique",
            aggregate=lambda: Sum("jobs_fte"),
            date="created_on",
            url_name="backoffice:enterprise_list",
            network=True,
        ),
    )
    register_deadlines(support_deadlines)


def reporting_indicators() -> list[Indicator]:
    """The money raised for the projects (docs/indicators.md)."""
    from django.db.models import F
    from django.db.models.functions import Coalesce, TruncDate

    from .models import FundingLine, FundingStatus

    return [
        Indicator(
            key="support.amounts_leveraged",
            label=gettext_lazy("financements levés pour les projets"),
            definition=gettext_lazy(
                "Somme des financements accordés aux projets accompagnés (lignes du plan de financement "
                "au statut « accordé »), datés de leur décision (à défaut, de la demande)."
            ),
            rows=lambda: FundingLine.objects.filter(
                status=FundingStatus.GRANTED, plan__deleted_at__isnull=True
            ),
            aggregate=lambda: Sum("amount"),
            fabrique_field="plan__fabrique",
            date=lambda: Coalesce(F("decided_on"), F("requested_on"), TruncDate("created_at")),
            workstream_field="plan__project__workstream",
            commune_field="plan__project__commune",
            study_field="plan__project__study",
            project_field="plan__project",
            unit="€",
            dashboard=False,
            reporting=True,
            section="partners",
            describe=lambda line: f"{line.plan.project} — {line.source_label} — {line.amount} €",
        ),
    ]
