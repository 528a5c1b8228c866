"""The studies' figures and deadlines (registered from StudiesConfig.ready())."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import Deadline, Indicator, register, register_deadlines
from fabrique.fabriques.models import Fabrique

from .models import Study, Workshop, WorkshopKind
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
            dashboard=False,
            network=True,
        ),
    )
    register_deadlines(study_deadlines)
