"""A chantier as a living collective: what it works on (needs, studies, projects, enterprises), when
it meets (workshops of its studies, meetings of the committees that follow them) and its figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from fabrique.workstreams.models import Workstream


@dataclass
class WorkstreamOverview:
    needs: list[Any] = field(default_factory=list)
    studies: list[Any] = field(default_factory=list)
    projects: list[Any] = field(default_factory=list)
    enterprises: list[Any] = field(default_factory=list)
    workshops: list[Any] = field(default_factory=list)
    meetings: list[Any] = field(default_factory=list)
    figures: list[tuple[str, Any]] = field(default_factory=list)
    upcoming: int = 0


def workstream_overview(*, workstream: Workstream, limit: int = 20) -> WorkstreamOverview:
    from django.utils.translation import gettext as _

    from fabrique.committees.models import Meeting
    from fabrique.needs.models import Need, NeedStage
    from fabrique.projects.models import Enterprise, Project
    from fabrique.studies.models import Study, Workshop

    fabrique_id = workstream.fabrique_id
    needs = Need.objects.filter(fabrique_id=fabrique_id, workstream=workstream).order_by("-updated_at")
    studies = Study.objects.filter(fabrique_id=fabrique_id, workstream=workstream).order_by(
        "-started_on", "-pk"
    )
    projects = (
        Project.objects.filter(fabrique_id=fabrique_id, workstream=workstream)
        .select_related("leader_organization", "leader_person")
        .order_by("-updated_at")
    )
    enterprises = (
        Enterprise.objects.filter(project__in=projects).select_related("project").order_by("-created_on")
    )
    workshops = Workshop.objects.filter(study__in=studies).select_related("study").order_by("-date", "-pk")
    meetings = (
        Meeting.objects.filter(fabrique_id=fabrique_id, committee__study__in=studies)
        .select_related("committee")
        .order_by("-date")
    )
    today = timezone.localdate()
    jobs = enterprises.aggregate(total=Sum("jobs_fte"))["total"] or Decimal("0")
    figures = [
        (_("Besoins suivis"), needs.count()),
        (
            _("Besoins retenus ou plus avancés"),
            needs.exclude(
                stage__in=[
                    NeedStage.NEW,
                    NeedStage.QUALIFYING,
                    NeedStage.MORE_EVIDENCE,
                    NeedStage.NOT_RETAINED,
                ]
            ).count(),
        ),
        (_("Études d'opportunité"), studies.count()),
        (_("Projets"), projects.count()),
        (_("Entreprises créées"), enterprises.count()),
        (_("Emplois créés (ETP)"), jobs),
        (_("Ateliers tenus"), workshops.filter(date__lte=today).count()),
        (_("Séances de comité"), meetings.count()),
    ]
    upcoming = (
        workshops.filter(date__gt=today).count()
        + meetings.filter(
            date__gt=timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))
        ).count()
    )
    return WorkstreamOverview(
        needs=list(needs[:limit]),
        studies=list(studies[:limit]),
        projects=list(projects[:limit]),
        enterprises=list(enterprises[:limit]),
        workshops=list(workshops[:limit]),
        meetings=list(meetings[:limit]),
        figures=figures,
        upcoming=upcoming,
    )
