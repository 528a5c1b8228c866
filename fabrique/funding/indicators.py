"""The funding figures (amounts granted by agreements) and the funder filter of every indicator."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import Indicator, register, register_funder_filter

from .models import GRANTED_STATUSES, AgreementScope, FundingAgreement


def funder_q(indicator: Indicator, funder_id: int | None, agreement_id: int | None = None) -> Q:
    """The rows an agreement of this funder (signed or closed) covers — or this one agreement, whatever
    its status: every row of a fabrique whose programme it funds, and the rows of the chantier, study
    or support plan it funds."""
    if agreement_id is not None:
        agreements = FundingAgreement.objects.filter(pk=agreement_id)
    else:
        agreements = FundingAgreement.objects.filter(funder_id=funder_id, status__in=GRANTED_STATUSES)
    if funder_id is not None:
        agreements = agreements.filter(funder_id=funder_id)
    if indicator.rows().model is FundingAgreement:
        return Q(pk__in=agreements.values("pk"))
    q = Q(
        **{
            f"{indicator.fabrique_field}__in": agreements.filter(scope=AgreementScope.PROGRAMME).values(
                "fabrique"
            )
        }
    )
    if indicator.workstream_field:
        q |= Q(
            **{
                f"{indicator.workstream_field}__in": agreements.filter(
                    scope=AgreementScope.WORKSTREAM
                ).values("workstream")
            }
        )
    if indicator.study_field:
        q |= Q(
            **{f"{indicator.study_field}__in": agreements.filter(scope=AgreementScope.STUDY).values("study")}
        )
    if indicator.project_field:
        plan = (
            "support_plan" if indicator.project_field == "pk" else f"{indicator.project_field}__support_plan"
        )
        q |= Q(**{f"{plan}__in": agreements.filter(scope=AgreementScope.SUPPORT_PLAN).values("support_plan")})
    return q


def register_all() -> None:
    register_funder_filter(funder_q)
    common = {
        "dashboard": False,
        "reporting": True,
        "section": "partners",
        "unit": "€",
        "date": "starts_on",
        "workstream_field": "workstream",
        "study_field": "study",
        "project_field": "support_plan__project",
        "url_name": "backoffice:agreement_list",
    }
    register(
        Indicator(
            key="funding.amounts_granted",
            label=gettext_lazy("montants accordés par les financeurs"),
            definition=gettext_lazy(
                "Somme des montants accordés par les conventions de financement signées ou soldées "
                "dont la date de début tombe dans la période."
            ),
            rows=lambda: FundingAgreement.objects.filter(status__in=GRANTED_STATUSES),
            aggregate=lambda: Sum("amount_granted"),
            describe=lambda a: f"{a} — {a.funder} — {a.amount_granted} €",
            **common,  # type: ignore[arg-type]
        ),
        Indicator(
            key="funding.amounts_paid",
            label=gettext_lazy("montants versés par les financeurs"),
            definition=gettext_lazy(
                "Somme des montants déjà versés au titre des conventions signées ou soldées dont la "
                "date de début tombe dans la période."
            ),
            rows=lambda: FundingAgreement.objects.filter(status__in=GRANTED_STATUSES),
            aggregate=lambda: Sum("amount_paid"),
            describe=lambda a: f"{a} — {a.funder} — {a.amount_paid} €",
            **common,  # type: ignore[arg-type]
        ),
    )
