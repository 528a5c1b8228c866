"""The needs' figures and deadlines (registered from NeedsConfig.ready())."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import Deadline, Indicator, register, register_deadlines
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

    return Indicator(
        key=f"needs.needs_{stage.value}",
        label=format_lazy("{} : {}", gettext_lazy("besoins"), stage.label),
        label_for=label_for,
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
            definition=gettext_lazy(
                "Signalements reçus depuis le premier jour du mois, quelle que soit leur suite."
            ),
            rows=lambda: NeedReport.objects.filter(created_at__date__gte=_month_start()),
            url_name="backoffice:report_list",
            url_query=lambda: {"received_since": _month_start().isoformat()},
        ),
        Indicator(
            key="needs.reports_to_process",
            label=gettext_lazy("signalements à traiter"),
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
            dashboard=False,
            network=True,
        ),
    )
    register_deadlines(needs_deadlines)
