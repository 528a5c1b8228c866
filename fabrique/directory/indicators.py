"""The directory's figures and deadlines (registered from DirectoryConfig.ready())."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import Deadline, Indicator, Period, register, register_deadlines
from fabrique.fabriques.models import Fabrique

from .models import Organization, Person
from .selectors import people_retention_due


def retention_deadlines(*, fabrique: Fabrique, start: datetime.date, end: datetime.date) -> list[Deadline]:
    """Contacts whose retention period ends soon or has ended: anonymise or extend."""
    return [
        Deadline(
            date=person.retention_until,
            label=_("Fin de conservation des données de %(name)s") % {"name": person},
            url=reverse("backoffice:person_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": person.pk}),
            kind=_("RGPD"),
        )
        for person in people_retention_due(fabrique=fabrique, until=end)
    ]


def register_all() -> None:
    register(partners_indicator())
    register(
        Indicator(
            key="directory.organizations",
            label=gettext_lazy("structures"),
            singular=gettext_lazy("structure"),
            column_label=gettext_lazy("Structures de l'annuaire"),
            definition=gettext_lazy("Structures de l'annuaire de la fabrique."),
            rows=lambda: Organization.objects.all(),
            url_name="backoffice:organization_list",
            network=True,
        ),
        Indicator(
            key="directory.people",
            label=gettext_lazy("contacts"),
            singular=gettext_lazy("contact"),
            definition=gettext_lazy("Contacts de l'annuaire, hors contacts anonymisés."),
            rows=lambda: Person.objects.filter(anonymized_at__isnull=True),
            url_name="backoffice:person_list",
        ),
    )
    register_deadlines(retention_deadlines)


def _involvements(period: Period | None) -> Q:
    """An organisation involved in a step of the pipeline (during the period when one is given).

    `pk IN (the organisations of each step)`: each step is one uncorrelated subquery over the
    period's rows (hashed once by PostgreSQL), not a subquery per organisation of the directory
    (that was 3 s per value at national scale)."""
    from django.apps import apps
    from django.db.models import F as _F
    from django.db.models.functions import Coalesce, TruncDate

    tz = timezone.get_current_timezone()

    def within(rows: QuerySet[Any], path: str, *, moment: bool = False) -> QuerySet[Any]:
        """The rows dated in the period; a datetime (`moment`) against the local days' bounds."""
        if period is None:
            return rows
        if period.start:
            start: Any = period.start
            if moment:
                start = datetime.datetime.combine(period.start, datetime.time.min, tz)
            rows = rows.filter(**{f"{path}__gte": start})
        if period.end:
            if moment:
                after = datetime.datetime.combine(
                    period.end + datetime.timedelta(days=1), datetime.time.min, tz
                )
                rows = rows.filter(**{f"{path}__lt": after})
            else:
                rows = rows.filter(**{f"{path}__lte": period.end})
        return rows

    Study = apps.get_model("studies", "Study")
    Workshop = apps.get_model("studies", "Workshop")
    Referral = apps.get_model("support", "Referral")
    FundingLine = apps.get_model("support", "FundingLine")
    Application = apps.get_model("recruitment", "Application")
    Project = apps.get_model("projects", "Project")
    NeedReport = apps.get_model("needs", "NeedReport")
    FundingAgreement = apps.get_model("funding", "FundingAgreement")
    sources: list[tuple[QuerySet[Any], str]] = [
        (
            within(
                Study.objects.annotate(_d=Coalesce(_F("started_on"), TruncDate("created_at"))),
                "_d",
            ),
            "steering_organizations",
        ),
        (
            within(Workshop.objects.filter(study__deleted_at__isnull=True), "date"),
            "participants__organization",
        ),
        (within(Referral.objects.filter(plan__deleted_at__isnull=True), "referred_on"), "organization"),
        (
            within(
                FundingLine.objects.filter(plan__deleted_at__isnull=True).annotate(
                    _d=Coalesce(_F("decided_on"), _F("requested_on"), TruncDate("created_at"))
                ),
                "_d",
            ),
            "funder",
        ),
        (within(Application.objects.all(), "created_at", moment=True), "organization"),
        (within(Project.objects.all(), "created_at", moment=True), "leader_organization"),
        (within(NeedReport.objects.all(), "created_at", moment=True), "reporter_organization"),
        (within(FundingAgreement.objects.all(), "starts_on"), "funder"),
    ]
    q = Q()
    for rows, organization in sources:
        q |= Q(pk__in=rows.filter(**{f"{organization}__isnull": False}).values(organization))
    return q


def partners_indicator() -> Indicator:
    return Indicator(
        key="directory.partners_mobilised",
        label=gettext_lazy("partenaires mobilisés"),
        definition=gettext_lazy(
            "Structures distinctes de l'annuaire impliquées dans au moins une étape pendant la période : "
            "signalement d'un besoin, comité de pilotage d'une étude lancée, participation d'un de leurs "
            "contacts à un atelier, candidature ou portage d'un projet, orientation d'un porteur, "
            "financement d'un projet ou convention de financement. Chaque structure compte une fois."
        ),
        rows=lambda: Organization.objects.filter(_involvements(None)),
        period_rows=lambda period: Organization.objects.filter(_involvements(period)),
        dashboard=False,
        reporting=True,
        section="partners",
    )
