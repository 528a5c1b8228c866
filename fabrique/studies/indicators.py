"""The studies' figures and deadlines (registered from StudiesConfig.ready())."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import (
    Breakdown,
    Deadline,
    Indicator,
    choice_labels,
    register,
    register_deadlines,
)
from fabrique.fabriques.models import Fabrique

from .models import Study, StudyStage, Workshop, WorkshopKind
from .selectors import CONCLUDED, UNDER_WAY, studies_due


def study_deadlines(*, fabrique: Fabrique, start: datetime.date, end: datetime.date) -> list[Deadline]:
    return [
        Deadline(
            date=study.due_on,
            label=_("Échéance de l'étude « %(study)s »") % {"study": study},
            url=reverse("backoffice:study_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": study.pk}),
            kind=_("étude"),
        )
        for study in studies_due(fabrique=fabrique, start=start, end=end)
    ]


def register_all() -> None:
    register(
        Indicator(
            key="studies.under_way",
            label=gettext_lazy("études en cours"),
            singular=gettext_lazy("étude en cours"),
            definition=gettext_lazy("Études en cours ou en attente de décision."),
            rows=lambda: Study.objects.filter(stage__in=UNDER_WAY),
            url_name="backoffice:study_list",
            url_query={"stage": "under_way"},
        ),
        Indicator(
            key="studies.concluded",
            label=gettext_lazy("études conclues"),
            column_label=gettext_lazy("Études conclues"),
            definition=gettext_lazy("Études conclues par une décision, favorable ou non."),
            rows=lambda: Study.objects.filter(stage__in=CONCLUDED),
            date="stage_changed_at",  # the network head's periods: the date of the conclusion
            date_is_datetime=True,
            dashboard=False,
            network=True,
        ),
        Indicator(
            key="studies.creativity_sessions",
            label=gettext_lazy("séances de créativité tenues"),
            column_label=gettext_lazy("Séances de créativité tenues"),
            definition=gettext_lazy("Ateliers de créativité des études, dont la date est passée."),
            rows=lambda: Workshop.objects.filter(
                study__deleted_at__isnull=True, kind=WorkshopKind.CREATIVITY, date__lte=timezone.localdate()
            ),
            fabrique_field="study__fabrique",
            date="date",
            dashboard=False,
            network=True,
        ),
    )
    register(*reporting_indicators())
    register_deadlines(study_deadlines)


def _study_date() -> object:
    return Coalesce(F("started_on"), TruncDate("created_at"))


def reporting_indicators() -> list[Indicator]:
    """The programme's figures on studies and workshops (docs/indicators.md)."""
    study_paths = {
        "workstream_field": "workstream",
        "commune_field": "needs__commune",
        "epci_field": "needs__epci",
        "qpv_field": "needs__qpv",
        "study_field": "pk",
        "project_field": "projects",
    }
    workshop_paths = {
        "fabrique_field": "study__fabrique",
        "date": "date",
        "workstream_field": "study__workstream",
        "commune_field": "study__needs__commune",
        "epci_field": "study__needs__epci",
        "qpv_field": "study__needs__qpv",
        "study_field": "study",
        "project_field": "study__projects",
    }
    common = {"dashboard": False, "reporting": True, "section": "studies"}

    def concluded(stage: str) -> object:
        return lambda: Study.objects.filter(stage=stage)

    def held(*kinds: str) -> object:
        return lambda: Workshop.objects.filter(study__deleted_at__isnull=True, kind__in=kinds)

    return [
        Indicator(
            key="studies.creativity_held",
            label=gettext_lazy("séances de créativité"),
            definition=gettext_lazy("Séances de créativité des études dont la date tombe dans la période."),
            rows=held(WorkshopKind.CREATIVITY),  # type: ignore[arg-type]
            **workshop_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="studies.workshops_held",
            label=gettext_lazy("ateliers"),
            definition=gettext_lazy(
                "Ateliers des études (hors séances de créativité, entretiens et visites) dont la date "
                "tombe dans la période."
            ),
            rows=held(WorkshopKind.WORKSHOP),  # type: ignore[arg-type]
            **workshop_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="studies.participants",
            label=gettext_lazy("participants aux séances de créativité et ateliers"),
            definition=gettext_lazy(
                "Somme des nombres de participants saisis pour les séances de créativité et les "
                "ateliers de la période (une personne venue à deux séances compte deux fois ; une séance "
                "sans nombre saisi compte ses participants de l'annuaire)."
            ),
            rows=held(WorkshopKind.CREATIVITY, WorkshopKind.WORKSHOP),  # type: ignore[arg-type]
            aggregate=lambda: Sum(Coalesce(F("participants_count"), _directory_participants())),
            describe=lambda w: f"{w} — {w.participants_count if w.participants_count is not None else '?'}",
            **workshop_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="studies.launched",
            label=gettext_lazy("études d'opportunité lancées"),
            definition=gettext_lazy(
                "Études dont la date de début (à défaut, la date de création) tombe dans la période."
            ),
            rows=lambda: Study.objects.all(),
            date=_study_date,
            **study_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="studies.completed",
            label=gettext_lazy("études d'opportunité terminées"),
            definition=gettext_lazy(
                "Études conclues par une décision (un modèle pertinent a émergé ou non) pendant la "
                "période (date du dernier changement d'étape)."
            ),
            rows=lambda: Study.objects.filter(stage__in=CONCLUDED),
            date="stage_changed_at",
            date_is_datetime=True,
            breakdowns=(
                Breakdown(
                    "outcome",
                    gettext_lazy("décision"),
                    lambda: F("stage"),
                    choice_labels(StudyStage.choices),
                ),
            ),
            **study_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="studies.go",
            label=gettext_lazy("études concluant à un modèle pertinent (go)"),
            definition=gettext_lazy(
                "Études dont la décision « un modèle pertinent a émergé » a été prise pendant la période."
            ),
            rows=concluded(StudyStage.GO),  # type: ignore[arg-type]
            date="stage_changed_at",
            date_is_datetime=True,
            **study_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="studies.no_go",
            label=gettext_lazy("études sans modèle pertinent (no go)"),
            definition=gettext_lazy(
                "Études dont la décision « pas de modèle pertinent » a été prise pendant la période."
            ),
            rows=concluded(StudyStage.NO_GO),  # type: ignore[arg-type]
            date="stage_changed_at",
            date_is_datetime=True,
            **study_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="studies.abandoned",
            label=gettext_lazy("études arrêtées"),
            definition=gettext_lazy("Études abandonnées en cours de route pendant la période."),
            rows=concluded(StudyStage.ABANDONED),  # type: ignore[arg-type]
            date="stage_changed_at",
            date_is_datetime=True,
            **study_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
    ]


def _directory_participants() -> object:
    from django.db.models import OuterRef, Subquery

    through = Workshop.participants.through
    return Subquery(
        through.objects.filter(workshop_id=OuterRef("pk"))
        .order_by()
        .values("workshop_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]  # type: ignore[misc]
    )
