"""The committees' figures and deadlines (registered from CommitteesConfig.ready())."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import Deadline, Indicator, register, register_deadlines
from fabrique.fabriques.models import Fabrique

from .models import Meeting, MeetingStatus
from .selectors import quarter_bounds, upcoming_meetings


def meeting_deadlines(*, fabrique: Fabrique, start: datetime.date, end: datetime.date) -> list[Deadline]:
    return [
        Deadline(
            date=timezone.localtime(m.date).date(),
            label=_("Séance : %(committee)s") % {"committee": m.committee.name},
            url=reverse("backoffice:meeting_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": m.pk}),
            kind=_("comité"),
        )
        for m in upcoming_meetings(fabrique=fabrique, start=start, end=end)
    ]


def _meetings_this_quarter() -> QuerySet[Meeting]:
    start, end = quarter_bounds(timezone.localdate())
    return Meeting.objects.filter(date__date__gte=start, date__date__lte=end).exclude(
        status=MeetingStatus.CANCELLED
    )


def register_all() -> None:
    register(
        Indicator(
            key="committees.meetings_this_quarter",
            label=gettext_lazy("séances ce trimestre"),
            singular=gettext_lazy("séance ce trimestre"),
            definition=gettext_lazy("Séances de comité du trimestre civil en cours, hors séances annulées."),
            rows=_meetings_this_quarter,
            url_name="backoffice:committee_list",
        )
    )
    register_deadlines(meeting_deadlines)
