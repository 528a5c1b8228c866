"""Everything of the pipeline linked to an organisation or a person of the directory (read-only).

Used by the directory's detail pages: needs reported, studies steered, projects carried, applications,
committees, referrals and funding. Every query stays inside the object's fabrique."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from fabrique.directory.models import Organization, Person
    from fabrique.fabriques.models import Fabrique


@dataclass
class LinkSection:
    title: str
    items: list[dict[str, Any]] = field(default_factory=list)


def _url(name: str, fabrique: Fabrique, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug, **kwargs})


def _stage(obj: Any) -> str:
    workflow = type(obj).workflow
    stage = getattr(obj, workflow.field)
    label: str = obj.fabrique.stage_label(obj._meta.label_lower, stage, workflow.label(stage))
    return label


def _sections(fabrique: Fabrique, specs: Any) -> list[LinkSection]:
    sections = []
    for title, rows in specs:
        items = [row for row in rows if row]
        if items:
            sections.append(LinkSection(title=str(title), items=items))
    return sections


def organization_links(*, organization: Organization) -> list[LinkSection]:
    from fabrique.committees.models import Committee
    from fabrique.needs.models import NeedReport
    from fabrique.projects.models import Partnership, Project
    from fabrique.recruitment.models import Application
    from fabrique.studies.models import Study
    from fabrique.support.models import FundingLine, Referral

    f = organization.fabrique
    reports = NeedReport.objects.filter(fabrique=f, reporter_organization=organization).select_related(
        "need", "fabrique"
    )
    return _sections(
        f,
        [
            (
                _("Signalements"),
                [
                    {
                        "label": str(r),
                        "url": _url("report_detail", f, pk=r.pk),
                        "meta": f"{r.need.reference} {_stage(r.need)}" if r.need is not None else _stage(r),
                    }
                    for r in reports[:50]
                ],
            ),
            (
                _("Projets portés"),
                [
                    {"label": str(p), "url": _url("project_detail", f, pk=p.pk), "meta": _stage(p)}
                    for p in Project.objects.filter(
                        fabrique=f, leader_organization=organization
                    ).select_related("fabrique")
                ],
            ),
            (
                _("Études (groupe de pilotage)"),
                [
                    {"label": str(s), "url": _url("study_detail", f, pk=s.pk), "meta": _stage(s)}
                    for s in Study.objects.filter(
                        fabrique=f, steering_organizations=organization
                    ).select_related("fabrique")
                ],
            ),
            (
                _("Partenariats (études et projets)"),
                [
                    {
                        "label": str(p.study or p.project),
                        "url": (
                            _url("study_detail", f, pk=p.study_id)
                            if p.study_id
                            else _url("project_detail", f, pk=p.project_id)
                        ),
                        "meta": p.get_role_display(),
                    }
                    for p in Partnership.objects.filter(fabrique=f, organization=organization)
                    .select_related("study", "project")
                    .order_by("-created_at")[:100]
                ],
            ),
            (
                _("Candidatures"),
                [
                    {"label": str(a), "url": _url("application_detail", f, pk=a.pk), "meta": _stage(a)}
                    for a in Application.objects.filter(fabrique=f, organization=organization).select_related(
                        "fabrique"
                    )
                ],
            ),
            (
                _("Comités (par ses membres)"),
                [
                    {"label": str(c), "url": _url("committee_detail", f, pk=c.pk), "meta": ""}
                    for c in Committee.objects.filter(
                        fabrique=f, members__organization=organization
                    ).distinct()
                ],
            ),
            (
                _("Orientations d'accompagnement reçues"),
                [
                    {
                        "label": f"{r.plan.project} — {r.purpose}",
                        "url": _url("support_plan_detail", f, pk=r.plan_id),
                        "meta": r.referred_on.strftime("%d/%m/%Y"),
                    }
                    for r in Referral.objects.filter(
                        plan__fabrique=f, organization=organization
                    ).select_related("plan__project")
                ],
            ),
            (
                _("Financements apportés"),
                [
                    {
                        "label": f"{line.plan.project} — {line.source_label}",
                        "url": _url("support_plan_detail", f, pk=line.plan_id),
                        "meta": f"{line.amount} € · {line.get_status_display()}",
                    }
                    for line in FundingLine.objects.filter(
                        plan__fabrique=f, funder=organization
                    ).select_related("plan__project")
                ],
            ),
        ],
    )


def person_links(*, person: Person) -> list[LinkSection]:
    from fabrique.committees.models import Committee
    from fabrique.needs.models import NeedReport
    from fabrique.projects.models import Project
    from fabrique.recruitment.models import Application
    from fabrique.studies.models import Study, Workshop

    f = person.fabrique
    return _sections(
        f,
        [
            (
                _("Signalements"),
                [
                    {"label": str(r), "url": _url("report_detail", f, pk=r.pk), "meta": _stage(r)}
                    for r in NeedReport.objects.filter(fabrique=f, reporter_person=person).select_related(
                        "fabrique"
                    )[:50]
                ],
            ),
            (
                _("Projets portés"),
                [
                    {"label": str(p), "url": _url("project_detail", f, pk=p.pk), "meta": _stage(p)}
                    for p in Project.objects.filter(fabrique=f, leader_person=person).select_related(
                        "fabrique"
                    )
                ],
            ),
            (
                _("Comités"),
                [
                    {"label": str(c), "url": _url("committee_detail", f, pk=c.pk), "meta": ""}
                    for c in Committee.objects.filter(fabrique=f, members=person)
                ],
            ),
            (
                _("Études (groupe de pilotage)"),
                [
                    {"label": str(s), "url": _url("study_detail", f, pk=s.pk), "meta": _stage(s)}
                    for s in Study.objects.filter(fabrique=f, steering_people=person).select_related(
                        "fabrique"
                    )
                ],
            ),
            (
                _("Ateliers"),
                [
                    {"label": str(w), "url": _url("study_detail", f, pk=w.study_id), "meta": str(w.study)}
                    for w in Workshop.objects.filter(study__fabrique=f, participants=person).select_related(
                        "study"
                    )
                ],
            ),
            (
                _("Candidatures"),
                [
                    {"label": str(a), "url": _url("application_detail", f, pk=a.pk), "meta": _stage(a)}
                    for a in Application.objects.filter(fabrique=f, person=person).select_related("fabrique")
                ],
            ),
        ],
    )
