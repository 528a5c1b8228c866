"""The recruitment's figures and deadlines (registered from RecruitmentConfig.ready())."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import Deadline, Indicator, register, register_deadlines
from fabrique.fabriques.models import Fabrique

from .models import Application, Call, CallStage
from .selectors import OPEN_APPLICATION_STAGES, call_deadlines

# the application list's filter that shows exactly the applications counted "à évaluer"
TO_EVALUATE = "to_evaluate"


def applications_to_evaluate() -> QuerySet[Application]:
    """Applications to a call still waiting for a decision (direct approaches have no grid)."""
    return Application.objects.filter(call__isnull=False, stage__in=OPEN_APPLICATION_STAGES)


def call_deadline_items(*, fabrique: Fabrique, start: datetime.date, end: datetime.date) -> list[Deadline]:
    return [
        Deadline(
            date=call.deadline,
            label=_("Date limite de l'appel « %(title)s »") % {"title": call.title},
            url=reverse("backoffice:call_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": call.pk}),
            kind=_("Appel à porteurs"),
        )
        for call in call_deadlines(fabrique=fabrique, start=start, end=end)
    ]


def register_all() -> None:
    register(
        Indicator(
            key="recruitment.calls_open",
            label=gettext_lazy("appels à porteurs ouverts"),
            singular=gettext_lazy("appel à porteurs ouvert"),
            definition=gettext_lazy("Appels à porteurs publiés qui reçoivent des candidatures."),
            rows=lambda: Call.objects.filter(stage=CallStage.PUBLISHED),
            url_name="backoffice:call_list",
            url_query={"stage": CallStage.PUBLISHED},
        ),
        Indicator(
            key="recruitment.applications_to_evaluate",
            label=gettext_lazy("candidatures à évaluer"),
            singular=gettext_lazy("candidature à évaluer"),
            definition=gettext_lazy(
                "Candidatures à un appel, reçues ou en évaluation, qui attendent une décision."
            ),
            rows=applications_to_evaluate,
            url_name="backoffice:application_list",
            url_query={"stage": TO_EVALUATE},
        ),
        Indicator(
            key="recruitment.calls_published",
            label=gettext_lazy("appels à porteurs publiés"),
            column_label=gettext_lazy("Appels à porteurs publiés"),
            definition=gettext_lazy(
                "Appels à porteurs publiés un jour, quelle que soit leur étape aujourd'hui."
            ),
            rows=lambda: Call.objects.filter(published_on__isnull=False),
            dashboard=False,
            network=True,
        ),
    )
    # after the figures above: the reporting version of calls_published (with its date) replaces the first
    register(*reporting_indicators())
    register_deadlines(call_deadline_items)


def reporting_indicators() -> list[Indicator]:
    """The programme's figures on calls, applications and leaders found (docs/indicators.md)."""
    from django.db.models import Case as _Case
    from django.db.models import CharField, Value, When
    from django.db.models import F as _F

    from fabrique.core.indicators import Breakdown, choice_labels
    from fabrique.projects.models import Project, RecruitmentMode

    from .models import ApplicationSource

    paths = {
        "workstream_field": "project__workstream",
        "commune_field": "project__commune",
        "study_field": "project__study",
        "project_field": "project",
    }
    common = {"dashboard": False, "reporting": True, "section": "leaders"}

    def leader_kind() -> object:
        return _Case(
            When(leader_organization__isnull=False, then=Value("existing")),
            default=Value("new"),
            output_field=CharField(),
        )

    return [
        Indicator(
            key="recruitment.calls_published",
            label=gettext_lazy("appels à porteurs publiés"),
            column_label=gettext_lazy("Appels à porteurs publiés"),
            definition=gettext_lazy(
                "Appels à porteurs de projet publiés pendant la période (date de publication), quelle "
                "que soit leur étape aujourd'hui."
            ),
            rows=lambda: Call.objects.filter(published_on__isnull=False),
            date="published_on",
            network=True,
            **paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="recruitment.applications",
            label=gettext_lazy("candidatures reçues"),
            definition=gettext_lazy(
                "Candidatures déposées en réponse à un appel pendant la période (date de dépôt), retirées "
                "comprises."
            ),
            rows=lambda: Application.objects.filter(source=ApplicationSource.CALL),
            date="created_at",
            date_is_datetime=True,
            describe=lambda a: f"{a.project} — {a.get_stage_display()}",
            **paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="recruitment.leaders_found",
            label=gettext_lazy("porteurs trouvés"),
            definition=gettext_lazy(
                "Projets dont le porteur a été trouvé pendant la période (date à laquelle le porteur a "
                "été choisi), par appel à porteurs ou par approche directe ; « structure existante » "
                "quand le porteur est une structure de l'annuaire, « nouveau porteur » sinon."
            ),
            rows=lambda: Project.objects.filter(leader_found_on__isnull=False),
            date="leader_found_on",
            workstream_field="workstream",
            commune_field="commune",
            study_field="study",
            project_field="pk",
            breakdowns=(
                Breakdown(
                    "way",
                    gettext_lazy("voie"),
                    lambda: _F("recruitment_mode"),
                    choice_labels(RecruitmentMode.choices),
                ),
                Breakdown(
                    "leader",
                    gettext_lazy("type de porteur"),
                    leader_kind,
                    choice_labels(
                        [
                            ("existing", gettext_lazy("structure existante")),
                            ("new", gettext_lazy("nouveau porteur")),
                        ]
                    ),
                ),
            ),
            **common,  # type: ignore[arg-type]
        ),
    ]
