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
            definition=gettext_lazy("Appels à porteurs publiés qui reçoivent des candidatures."),
            rows=lambda: Call.objects.filter(stage=CallStage.PUBLISHED),
            url_name="backoffice:call_list",
            url_query={"stage": CallStage.PUBLISHED},
        ),
        Indicator(
            key="recruitment.applications_to_evaluate",
            label=gettext_lazy("candidatures à évaluer"),
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
    register_deadlines(call_deadline_items)
