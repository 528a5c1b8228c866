"""The projects' figures (registered from ProjectsConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fabrique.core.indicators import Indicator, register

from .filters import LEADER_FOUND
from .models import Project, ProjectStage


def register_all() -> None:
    register(*reporting_indicators())
    register(
        Indicator(
            key="projects.seeking_leader",
            label=_("projets en recherche de porteur"),
            singular=_("projet en recherche de porteur"),
            definition=_("Projets à l'étape « recherche de porteur »."),
            rows=lambda: Project.objects.filter(stage=ProjectStage.SEEKING_LEADER),
            url_name="backoffice:project_list",
            url_query={"stage": ProjectStage.SEEKING_LEADER},
        ),
        Indicator(
            key="projects.transmitted",
            label=_("projets transmis à un porteur"),
            singular=_("projet transmis à un porteur"),
            column_label=_("Projets transmis (porteur trouvé)"),
            definition=_(
                "Projets confiés à un porteur (personne ou structure), quoi qu'il soit advenu ensuite."
            ),
            rows=lambda: Project.objects.filter(LEADER_FOUND),
            url_name="backoffice:project_list",
            url_query={"leader": "found"},
            network=True,
        ),
    )


def reporting_indicators() -> list[Indicator]:
    """The programme's figures on projects, enterprises and jobs (docs/indicators.md)."""
    from django.db.models import F, Sum

    from fabrique.core.indicators import Breakdown, choice_labels

    from .models import Enterprise, FollowUp, FollowUpHorizon, LegalForm, StopReason

    project_paths = {
        "workstream_field": "workstream",
        "commune_field": "commune",
        "study_field": "study",
        "project_field": "pk",
    }
    enterprise_paths = {
        "fabrique_field": "project__fabrique",
        "date": "created_on",
        "workstream_field": "project__workstream",
        "commune_field": "commune",
        "study_field": "project__study",
        "project_field": "project",
    }
    followup_paths = {
        "fabrique_field": "enterprise__project__fabrique",
        "date": "observed_on",
        "workstream_field": "enterprise__project__workstream",
        "commune_field": "enterprise__commune",
        "study_field": "enterprise__project__study",
        "project_field": "enterprise__project",
    }
    common = {"dashboard": False, "reporting": True, "section": "enterprises"}

    def enterprises() -> object:
        return lambda: Enterprise.objects.filter(project__deleted_at__isnull=True)

    def followups(horizon: str, **extra: object) -> object:
        return lambda: FollowUp.objects.filter(
            enterprise__project__deleted_at__isnull=True, horizon=horizon, **extra
        )

    return [
        Indicator(
            key="projects.launched",
            label=_("projets lancés"),
            definition=_("Projets créés pendant la période (à l'issue d'une étude ou directement)."),
            rows=lambda: Project.objects.all(),
            date="created_at",
            date_is_datetime=True,
            **project_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="projects.stopped",
            label=_("projets abandonnés"),
            definition=_("Projets arrêtés pendant la période (date de l'arrêt), quel que soit le motif."),
            rows=lambda: Project.objects.filter(stage=ProjectStage.STOPPED),
            date="stage_changed_at",
            date_is_datetime=True,
            breakdowns=(
                Breakdown("reason", _("motif"), lambda: F("stop_reason"), choice_labels(StopReason.choices)),
            ),
            **project_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="projects.enterprises_created",
            label=_("entreprises créées"),
            singular=_("entreprise créée"),
            definition=_("Entreprises ou activités créées pendant la période (date de création)."),
            rows=enterprises(),  # type: ignore[arg-type]
            breakdowns=(
                Breakdown(
                    "legal_form",
                    _("forme juridique"),
                    lambda: F("legal_form"),
                    choice_labels(LegalForm.choices),
                ),
            ),
            describe=lambda e: f"{e} — {e.get_legal_form_display()}",
            **enterprise_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="projects.jobs_at_creation",
            label=_("emplois à la création (ETP)"),
            definition=_(
                "Somme des emplois en équivalents temps plein déclarés à la création des entreprises "
                "créées pendant la période."
            ),
            rows=enterprises(),  # type: ignore[arg-type]
            aggregate=lambda: Sum("jobs_fte"),
            unit="ETP",
            describe=lambda e: f"{e} — {e.jobs_fte} ETP",
            **enterprise_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="projects.jobs_1y",
            label=_("emplois à +1 an (ETP)"),
            definition=_(
                "Somme des emplois en équivalents temps plein relevés lors des points de suivi à 1 an "
                "faits pendant la période (entreprises toujours actives ou non)."
            ),
            rows=followups(FollowUpHorizon.ONE_YEAR),  # type: ignore[arg-type]
            aggregate=lambda: Sum("jobs_fte"),
            unit="ETP",
            describe=lambda f: f"{f.enterprise} — {f.jobs_fte if f.jobs_fte is not None else '?'} ETP",
            **followup_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="projects.jobs_3y",
            label=_("emplois à +3 ans (ETP)"),
            definition=_(
                "Somme des emplois en équivalents temps plein relevés lors des points de suivi à 3 ans "
                "faits pendant la période."
            ),
            rows=followups(FollowUpHorizon.THREE_YEARS),  # type: ignore[arg-type]
            aggregate=lambda: Sum("jobs_fte"),
            unit="ETP",
            describe=lambda f: f"{f.enterprise} — {f.jobs_fte if f.jobs_fte is not None else '?'} ETP",
            **followup_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="projects.followups_3y",
            label=_("entreprises suivies à +3 ans"),
            definition=_("Points de suivi à 3 ans faits pendant la période (une entreprise chacun)."),
            rows=followups(FollowUpHorizon.THREE_YEARS),  # type: ignore[arg-type]
            describe=lambda f: f"{f.enterprise} — {f.observed_on:%d/%m/%Y}",
            **followup_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="projects.active_3y",
            label=_("entreprises toujours actives à +3 ans"),
            definition=_(
                "Points de suivi à 3 ans faits pendant la période qui constatent que l'entreprise est "
                "toujours en activité."
            ),
            rows=followups(FollowUpHorizon.THREE_YEARS, still_active=True),  # type: ignore[arg-type]
            describe=lambda f: f"{f.enterprise} — {f.observed_on:%d/%m/%Y}",
            **followup_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
    ]
