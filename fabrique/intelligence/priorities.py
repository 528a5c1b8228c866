"""The priority ranking of a fabrique's open needs: the qualification score and the territorial context,
each a component scored 0 to 1, weighted by the fabrique (`PriorityWeights`, 0 to 10 each).

    score = 100 × Σ(weight × component) / Σ weights

Components:
- qualification: weighted total of the criteria scores / maximum;
- reports: number of reports attached, 5 or more = 1;
- poverty: poverty rate of the commune above its département: +50 % or more = 1;
- income: median income below its département: −30 % or less = 1;
- qpv: 1 in a priority neighbourhood, 0.5 in a commune that has one;
- rural: 1 in a commune of fewer than 2,000 inhabitants;
- no_offer: 1 when no existing offer is found, 0.5 for one or two, 0 for three or more;
- nearby: other needs of the same theme within the radius (or the same EPCI), 3 or more = 1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .loader import MEDIAN_INCOME, POVERTY_RATE
from .models import FRANCE_CODE, Indicator, IndicatorValue, Level, PriorityWeights
from .selectors import (
    format_number,
    format_value,
    is_rural,
    offer_candidates,
    place_of_need,
)

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique

OPEN_STAGES = ("new", "qualifying", "more_evidence", "retained")
COMPONENT_LABELS = {
    "qualification": gettext_lazy("Qualification"),
    "reports": gettext_lazy("Signalements"),
    "poverty": gettext_lazy("Pauvreté"),
    "income": gettext_lazy("Revenu médian"),
    "qpv": gettext_lazy("Quartier prioritaire"),
    "rural": gettext_lazy("Ruralité"),
    "no_offer": gettext_lazy("Absence d'offre"),
    "nearby": gettext_lazy("Besoins voisins"),
}


def weights_of(fabrique: Fabrique) -> PriorityWeights:
    """The fabrique's weights, or the defaults (unsaved) when it never set them."""
    return PriorityWeights.objects.filter(fabrique=fabrique).first() or PriorityWeights(fabrique=fabrique)


@dataclass
class Component:
    key: str
    label: str
    weight: int
    value: float  # 0..1
    detail: str
    points: float = 0.0  # share of the final score, out of 100

    # what `floatformat` would show, computed once: the priorities page shows 25 rows of components and
    # spent 7 ms in that filter alone
    @property
    def value_display(self) -> str:
        return _fixed(self.value, 2)

    @property
    def points_display(self) -> str:
        return _fixed(self.points, 1)

    @property
    def points_rounded(self) -> str:
        return _fixed(self.points, 0)


def _fixed(value: float, decimals: int) -> str:
    """`value` with `decimals` decimals, rounded half up, in the active language's decimal separator."""
    from decimal import ROUND_HALF_UP, Decimal

    from django.utils.formats import get_format

    text = str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    if text in ("-0", "-0.0", "-0.00"):
        text = text[1:]
    return text.replace(".", str(get_format("DECIMAL_SEPARATOR")))


@dataclass
class RankedNeed:
    need: Any  # a Need (annotated with its report_count)
    score: float
    components: list[Component] = field(default_factory=list)
    rank: int = 0
    qualification_total: int = 0
    nearby: list[Any] = field(default_factory=list)
    nearby_count: int = 0
    offer: Any = None

    @property
    def reasons(self) -> list[Component]:
        """The components that gave points, largest first."""
        return sorted((c for c in self.components if c.points > 0.05), key=lambda c: -c.points)

    @property
    def score_display(self) -> str:
        return format_number(self.score, 0)


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _reference_values(
    codes: set[str], departements: set[str], indicator_code: str
) -> tuple[Indicator | None, dict[str, float | None], dict[str, float | None]]:
    indicator = Indicator.objects.filter(fabrique__isnull=True, code=indicator_code).first()
    if indicator is None:
        return None, {}, {}
    communes = {
        v.code: v.value
        for v in IndicatorValue.objects.filter(indicator=indicator, level=Level.COMMUNE, code__in=codes)
    }
    refs = {
        v.code: v.value
        for v in IndicatorValue.objects.filter(
            Q(level=Level.DEPARTEMENT, code__in=departements) | Q(level=Level.FRANCE, code=FRANCE_CODE),
            indicator=indicator,
        )
    }
    return indicator, communes, refs


def priorities_rank(
    *,
    fabrique: Fabrique,
    weights: PriorityWeights | None = None,
    stages: Iterable[str] | None = OPEN_STAGES,
    theme: str = "",
    need_filter: Q | None = None,
    context: bool = False,
) -> list[RankedNeed]:
    """The fabrique's needs in `stages` (every stage with `stages=None`; `need_filter` narrows further),
    ranked by weighted score, each with its components. With `context`, each row also carries its
    nearby needs and existing offer (what the stored insights keep).

    The neighbourhood is computed with `neighbourhood.py`'s indexes: needs grouped by place, offer
    candidates by theme and workstream — the fabrique's rows are read once, never once per need."""
    from fabrique.needs.models import Criterion, CriterionScore, Need

    from .neighbourhood import NearbyIndex, OfferIndex

    weights = weights or weights_of(fabrique)
    radius = weights.radius_km
    qs = Need.objects.filter(fabrique=fabrique)
    if stages is not None:
        qs = qs.filter(stage__in=stages)
    if theme:
        qs = qs.filter(theme=theme)
    if need_filter is not None:
        qs = qs.filter(need_filter)
    needs = list(
        qs.select_related("commune__parent", "commune__epci", "qpv", "epci", "workstream")
        .annotate(report_count=Count("reports", filter=Q(reports__deleted_at__isnull=True)))
        .order_by("reference", "pk")
    )
    if not needs:
        return []
    # qualification totals
    maximum = 3 * sum(c.weight for c in Criterion.objects.filter(fabrique=fabrique, is_active=True))
    totals: dict[int, int] = defaultdict(int)
    for need_id, criterion_score, weight in CriterionScore.objects.filter(
        need__fabrique=fabrique, need__in=[n.pk for n in needs], criterion__is_active=True
    ).values_list("need_id", "score", "criterion__weight"):
        totals[need_id] += criterion_score * weight
    # territorial values
    communes = {}
    for need in needs:
        place = place_of_need(need)
        if place.commune is not None:
            communes[need.pk] = place.commune
    codes = {c.code for c in communes.values()}
    departements = {c.departement_id for c in communes.values() if c.departement_id}
    poverty_ind, poverty, poverty_refs = _reference_values(codes, departements, POVERTY_RATE)
    income_ind, income, income_refs = _reference_values(codes, departements, MEDIAN_INCOME)
    qpv_communes = set(_qpv_commune_ids(c.pk for c in communes.values()))
    # every located need of the fabrique, grouped by place (nearby needs)
    located = NearbyIndex(
        Need.objects.filter(fabrique=fabrique)
        .filter(Q(commune__isnull=False) | Q(epci__isnull=False))
        .select_related("commune__parent", "qpv", "epci")
        .order_by("pk")
    )
    offers = OfferIndex(offer_candidates(fabrique=fabrique))
    total_weight = sum(weights.as_dict().values()) or 1

    ranked = []
    for need in needs:
        commune = communes.get(need.pk)
        components: list[Component] = []

        def add(key: str, value: float, detail: str, components: list[Component] = components) -> None:
            weight = getattr(weights, key)
            components.append(Component(key, str(COMPONENT_LABELS[key]), weight, _clamp(value), detail))

        total = totals.get(need.pk, 0)
        add(
            "qualification",
            total / maximum if maximum else 0,
            _("%(total)s / %(max)s") % {"total": total, "max": maximum} if total else _("pas encore noté"),
        )
        reports = need.report_count
        add(
            "reports",
            reports / 5,
            ngettext("%(n)s signalement", "%(n)s signalements", reports) % {"n": reports},
        )
        dep = (commune.departement_id or "") if commune else ""
        add(
            *_relative(
                "poverty",
                poverty_ind,
                poverty.get(commune.code) if commune else None,
                poverty_refs,
                dep,
                0.5,
                True,
            )
        )
        add(
            *_relative(
                "income",
                income_ind,
                income.get(commune.code) if commune else None,
                income_refs,
                dep,
                0.3,
                False,
            )
        )
        if need.qpv is not None:
            add("qpv", 1.0, _("dans le quartier %(name)s") % {"name": need.qpv.name})
        elif commune is not None and commune.pk in qpv_communes:
            add("qpv", 0.5, _("la commune compte un quartier prioritaire"))
        else:
            add("qpv", 0.0, _("hors quartier prioritaire"))
        if commune is not None and is_rural(commune):
            add("rural", 1.0, _("%(pop)s habitants") % {"pop": format_number(commune.population)})
        else:
            add("rural", 0.0, _("commune urbaine") if commune else _("commune non renseignée"))
        offer = offers.offer(need, radius)
        if offer.missing_theme:
            add("no_offer", 0.0, _("thème non renseigné"))
        else:
            found = offer.local_count
            value = 1.0 if found == 0 else (0.5 if found <= 2 else 0.0)
            add(
                "no_offer",
                value,
                _("aucune offre repérée")
                if not found
                else ngettext("%(n)s offre repérée", "%(n)s offres repérées", found) % {"n": found},
            )
        same = located.same_theme_count(need, radius)
        add(
            "nearby",
            same / 3,
            ngettext(
                "%(n)s besoin du même thème à proximité", "%(n)s besoins du même thème à proximité", same
            )
            % {"n": same}
            if need.theme
            else _("thème non renseigné"),
        )
        score = 0.0
        for component in components:
            component.points = 100 * component.weight * component.value / total_weight
            score += component.points
        row = RankedNeed(need=need, score=score, components=components, qualification_total=total)
        if context:
            row.nearby, row.nearby_count = located.nearby(need, radius)
            row.offer = offer
        ranked.append(row)
    ranked.sort(key=lambda r: (-r.score, -r.qualification_total, r.need.reference))
    for i, row in enumerate(ranked, start=1):
        row.rank = i
    return ranked


def _qpv_commune_ids(ids: Iterable[int]) -> list[int]:
    from fabrique.territories.models import QPV

    return list(
        QPV.communes.through.objects.filter(commune_id__in=list(ids)).values_list("commune_id", flat=True)
    )


def _relative(
    key: str,
    indicator: Indicator | None,
    value: float | None,
    refs: dict[str, float | None],
    departement: str,
    full_gap: float,
    higher_is_worse: bool,
) -> tuple[str, float, str]:
    if indicator is None or value is None:
        return key, 0.0, _("non publié pour la commune")
    ref = refs.get(departement) or refs.get(FRANCE_CODE)
    if not ref:
        return key, 0.0, format_value(value, indicator.decimals, indicator.unit)
    gap = (value - ref) / ref
    score = gap / full_gap if higher_is_worse else -gap / full_gap
    where = _("département") if refs.get(departement) else _("France")
    detail = _("%(value)s (%(where)s : %(ref)s)") % {
        "value": format_value(value, indicator.decimals, indicator.unit),
        "where": where,
        "ref": format_value(ref, indicator.decimals, indicator.unit),
    }
    return key, score, detail
