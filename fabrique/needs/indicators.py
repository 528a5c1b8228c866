"""The needs' figures and deadlines (registered from NeedsConfig.ready())."""

from __future__ import annotations

import datetime

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.choices import Public, Theme
from fabrique.core.indicators import (
    Breakdown,
    Deadline,
    Indicator,
    choice_labels,
    register,
    register_deadlines,
    territory_breakdowns,
)
from fabrique.fabriques.models import Fabrique

from .models import DismissReason, Need, NeedReport, NeedStage, ReportStage
from .selectors import RETAINED_STAGES, needs_due

# the stages of a need shown as dashboard tiles, one each
DASHBOARD_STAGES = (
    NeedStage.NEW,
    NeedStage.QUALIFYING,
    NeedStage.MORE_EVIDENCE,
    NeedStage.RETAINED,
    NeedStage.IN_STUDY,
)


def _month_start() -> datetime.date:
    return timezone.localdate().replace(day=1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    """The first instant of `day` in the installation's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def needs_deadlines(*, fabrique: Fabrique, start: datetime.date, end: datetime.date) -> list[Deadline]:
    """Next steps of open needs due in the window (late ones included)."""
    return [
        Deadline(
            date=need.next_step_due,
            label=_("Besoin %(ref)s — prochaine étape") % {"ref": need},
            url=reverse("backoffice:need_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": need.pk}),
            kind=_("besoin"),
        )
        for need in needs_due(fabrique=fabrique, until=end)
    ]


def _stage_indicator(stage: NeedStage) -> Indicator:
    def label_for(fabrique: Fabrique) -> str:
        return _("besoins : %(stage)s") % {
            "stage": fabrique.stage_label("needs.need", stage, str(stage.label))
        }

    def singular_for(fabrique: Fabrique) -> str:
        return _("besoin : %(stage)s") % {
            "stage": fabrique.stage_label("needs.need", stage, str(stage.label))
        }

    return Indicator(
        key=f"needs.needs_{stage.value}",
        label=format_lazy("{} : {}", gettext_lazy("besoins"), stage.label),
        label_for=label_for,
        singular_for=singular_for,
        definition=gettext_lazy("Besoins de la fabrique à cette étape."),
        rows=lambda: Need.objects.filter(stage=stage),
        url_name="backoffice:need_list",
        url_query={"stage": stage.value},
    )


def register_all() -> None:
    register(
        Indicator(
            key="needs.reports_this_month",
            label=gettext_lazy("signalements reçus ce mois-ci"),
            singular=gettext_lazy("signalement reçu ce mois-ci"),
            definition=gettext_lazy(
                "Signalements reçus depuis le premier jour du mois, quelle que soit leur suite."
            ),
            # an instant, not `created_at__date`: the index on (fabrique, created_at) serves the range
            rows=lambda: NeedReport.objects.filter(created_at__gte=_local_midnight(_month_start())),
            url_name="backoffice:report_list",
            url_query=lambda: {"received_since": _month_start().isoformat()},
        ),
        Indicator(
            key="needs.reports_to_process",
            label=gettext_lazy("signalements à traiter"),
            singular=gettext_lazy("signalement à traiter"),
            definition=gettext_lazy("Signalements reçus ni rattachés à un besoin ni écartés."),
            rows=lambda: NeedReport.objects.filter(stage=ReportStage.RECEIVED),
            url_name="backoffice:report_list",
            url_query={"stage": ReportStage.RECEIVED},
        ),
        *[_stage_indicator(stage) for stage in DASHBOARD_STAGES],
        Indicator(
            key="needs.reports",
            label=gettext_lazy("besoins signalés"),
            column_label=gettext_lazy("Besoins signalés"),
            definition=gettext_lazy("Signalements reçus, hors signalements écartés comme indésirables."),
            rows=lambda: NeedReport.objects.exclude(dismiss_reason=DismissReason.SPAM),
            date="created_at",  # the network head's periods: the date of reception
            date_is_datetime=True,
            dashboard=False,
            network=True,
        ),
        Indicator(
            key="needs.retained",
            label=gettext_lazy("besoins retenus"),
            column_label=gettext_lazy("Besoins retenus"),
            definition=gettext_lazy(
                "Besoins retenus, y compris ceux mis à l'étude ou auxquels un projet répond."
            ),
            rows=lambda: Need.objects.filter(stage__in=RETAINED_STAGES),
            date="created_at",
            date_is_datetime=True,
            dashboard=False,
            network=True,
        ),
    )
    register(*reporting_indicators())
    register_deadlines(needs_deadlines)


def _describe_report(report: NeedReport) -> str:
    # the drill-down shows what is needed, never who reported it
    return f"{report.reference} {report.title}".strip()


def reporting_indicators() -> list[Indicator]:
    """The programme's figures on detection (docs/indicators.md, section "Détection des besoins")."""

    def breakdowns(epci_field: str = "") -> tuple[Breakdown, ...]:
        return (
            Breakdown("theme", gettext_lazy("thème"), lambda: F("theme"), choice_labels(Theme.choices)),
            Breakdown("public", gettext_lazy("public"), lambda: F("public"), choice_labels(Public.choices)),
            *territory_breakdowns(commune_field="commune", qpv_field="qpv", epci_field=epci_field),
        )

    need_paths = {
        "workstream_field": "workstream",
        "commune_field": "commune",
        "epci_field": "epci",
        "qpv_field": "qpv",
        "study_field": "studies",
        "project_field": "projects",
    }
    common = {"dashboard": False, "reporting": True, "section": "needs"}
    return [
        Indicator(
            key="needs.reports_received",
            label=gettext_lazy("signalements reçus"),
            singular=gettext_lazy("signalement reçu"),
            definition=gettext_lazy(
                "Signalements enregistrés pendant la période (date de réception), quelle que soit leur "
                "suite, hors signalements écartés comme indésirables."
            ),
            rows=lambda: NeedReport.objects.exclude(dismiss_reason=DismissReason.SPAM),
            date="created_at",
            date_is_datetime=True,
            workstream_field="need__workstream",
            commune_field="commune",
            qpv_field="qpv",
            study_field="need__studies",
            project_field="need__projects",
            breakdowns=breakdowns(),
            describe=_describe_report,
            url_name="backoffice:report_list",
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="needs.detected",
            label=gettext_lazy("besoins détectés"),
            definition=gettext_lazy(
                "Besoins créés pendant la période (à partir d'un ou plusieurs signalements ou "
                "directement par l'équipe), quelle que soit leur étape aujourd'hui."
            ),
            rows=lambda: Need.objects.all(),
            date="created_at",
            date_is_datetime=True,
            breakdowns=breakdowns(epci_field="epci"),
            url_name="backoffice:need_list",
            **need_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="needs.retained_detected",
            label=gettext_lazy("besoins retenus"),
            definition=gettext_lazy(
                "Parmi les besoins détectés pendant la période, ceux qui ont été retenus (étape "
                "« retenu », « en étude d'opportunité » ou « un projet y répond »)."
            ),
            rows=lambda: Need.objects.filter(stage__in=RETAINED_STAGES),
            date="created_at",
            date_is_datetime=True,
            breakdowns=breakdowns(epci_field="epci"),
            url_name="backoffice:need_list",
            **need_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="needs.not_retained",
            label=gettext_lazy("besoins non retenus"),
            definition=gettext_lazy(
                "Parmi les besoins détectés pendant la période, ceux qui n'ont pas été retenus (étape "
                "« non retenu »)."
            ),
            rows=lambda: Need.objects.filter(stage=NeedStage.NOT_RETAINED),
            date="created_at",
            date_is_datetime=True,
            url_name="backoffice:need_list",
            **need_paths,  # type: ignore[arg-type]
            **common,  # type: ignore[arg-type]
        ),
    ]
