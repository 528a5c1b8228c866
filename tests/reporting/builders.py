"""Constructed data for the reporting tests: rows with chosen dates, built directly (the services are
tested elsewhere; here each row's date is what is under test)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fabrique.committees.models import Decision
from fabrique.directory.models import Organization, Person
from fabrique.needs.models import Need, NeedReport, NeedStage, ReportStage
from fabrique.projects.models import Enterprise, FollowUp, Project, ProjectStage
from fabrique.recruitment.models import Application, ApplicationSource, ApplicationStage, Call, CallStage
from fabrique.studies.models import Study, StudyStage, Workshop, WorkshopKind
from fabrique.support.models import FundingLine, FundingStatus, Referral, SupportPlan
from fabrique.territories.models import QPV, Commune


def at(day: str) -> datetime.datetime:
    """Noon (local time) of an ISO date: a datetime that stays on that local date."""
    d = datetime.date.fromisoformat(day)
    return timezone.make_aware(datetime.datetime(d.year, d.month, d.day, 12))


def d(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def places() -> dict[str, Any]:
    nantes = Commune.objects.get(code="44109", kind=Commune.Kind.CURRENT)
    small = (
        Commune.objects.filter(departement_id="85", kind=Commune.Kind.CURRENT, population__lt=2000)
        .exclude(epci=None)
        .order_by("code")
        .first()
    )
    qpv = QPV.objects.filter(communes=nantes).order_by("code").first()
    return {"nantes": nantes, "small": small, "qpv": qpv}


def report(fabrique: Any, day: str, **fields: Any) -> NeedReport:
    r = NeedReport.objects.create(fabrique=fabrique, title=fields.pop("title", "Signalement"), **fields)
    NeedReport.objects.filter(pk=r.pk).update(created_at=at(day))
    r.refresh_from_db()
    return r


def need(fabrique: Any, day: str, **fields: Any) -> Need:
    n = Need.objects.create(fabrique=fabrique, title=fields.pop("title", "Besoin"), **fields)
    Need.objects.filter(pk=n.pk).update(created_at=at(day))
    n.refresh_from_db()
    return n


def study(
    fabrique: Any, started: str | None, *, needs: list[Need] = (), created: str = "", **fields: Any
) -> Study:  # type: ignore[assignment]
    changed = fields.pop("changed", None)
    s = Study.objects.create(
        fabrique=fabrique,
        title=fields.pop("title", "Étude"),
        started_on=d(started) if started else None,
        **fields,
    )
    s.needs.set(needs)
    updates: dict[str, Any] = {}
    if created:
        updates["created_at"] = at(created)
    if changed:
        updates["stage_changed_at"] = at(changed)
    if updates:
        Study.objects.filter(pk=s.pk).update(**updates)
    s.refresh_from_db()
    return s


def project(fabrique: Any, day: str, **fields: Any) -> Project:
    changed = fields.pop("changed", None)
    p = Project.objects.create(fabrique=fabrique, title=fields.pop("title", "Projet"), **fields)
    updates: dict[str, Any] = {"created_at": at(day)}
    if changed:
        updates["stage_changed_at"] = at(changed)
    Project.objects.filter(pk=p.pk).update(**updates)
    p.refresh_from_db()
    return p


__all__ = [
    "Application",
    "ApplicationSource",
    "ApplicationStage",
    "Call",
    "CallStage",
    "Decimal",
    "Decision",
    "Enterprise",
    "FollowUp",
    "FundingLine",
    "FundingStatus",
    "NeedStage",
    "Organization",
    "Person",
    "ProjectStage",
    "Referral",
    "ReportStage",
    "StudyStage",
    "SupportPlan",
    "Workshop",
    "WorkshopKind",
]
