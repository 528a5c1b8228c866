"""The priority ranking: components, weights, reasons, and the weights service."""

import pytest
from django.core.exceptions import ValidationError

from fabrique.audit.models import AuditEntry
from fabrique.intelligence.models import PriorityWeights
from fabrique.intelligence.priorities import priorities_rank, weights_of
from fabrique.intelligence.services import priority_weights_set

pytestmark = pytest.mark.django_db


def test_ranking_combines_qualification_and_territory(nantes):
    ranked = priorities_rank(fabrique=nantes.team.fabrique)
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    assert ranked[0].score >= ranked[-1].score
    food = next(r for r in ranked if r.need == nantes.food_bellevue)
    components = {c.key: c for c in food.components}
    assert components["qpv"].value == 1.0
    assert components["poverty"].value > 0
    assert "Bellevue" in components["qpv"].detail
    assert food.reasons[0].points >= food.reasons[-1].points
    assert sum(c.points for c in food.components) == pytest.approx(food.score)
    rural = next(r for r in ranked if r.need == nantes.mobility_rural)
    assert {c.key: c.value for c in rural.components}["rural"] == 1.0


def test_weights_change_the_order(nantes):
    fabrique = nantes.team.fabrique
    only_rural = PriorityWeights(
        fabrique=fabrique, **dict.fromkeys(PriorityWeights.COMPONENTS, 0) | {"rural": 10}
    )
    ranked = priorities_rank(fabrique=fabrique, weights=only_rural)
    assert ranked[0].need == nantes.mobility_rural
    assert ranked[0].score == pytest.approx(100)
    only_qpv = PriorityWeights(
        fabrique=fabrique, **dict.fromkeys(PriorityWeights.COMPONENTS, 0) | {"qpv": 10}
    )
    assert priorities_rank(fabrique=fabrique, weights=only_qpv)[0].need == nantes.food_bellevue


def test_qualification_scores_count(nantes):
    from fabrique.needs.models import Criterion
    from fabrique.needs.services import criteria_setup_defaults, need_score_set

    fabrique, officer = nantes.team.fabrique, nantes.team.officer
    criteria_setup_defaults(fabrique=fabrique)
    for criterion in Criterion.objects.filter(fabrique=fabrique):
        need_score_set(need=nantes.housing_nantes, criterion=criterion, score=3, comment="", actor=officer)
    only_scores = PriorityWeights(
        fabrique=fabrique, **dict.fromkeys(PriorityWeights.COMPONENTS, 0) | {"qualification": 10}
    )
    ranked = priorities_rank(fabrique=fabrique, weights=only_scores)
    assert ranked[0].need == nantes.housing_nantes and ranked[0].score == pytest.approx(100)


def test_weights_service(team):
    assert weights_of(team.fabrique).pk is None  # defaults until the fabrique sets them
    weights = priority_weights_set(fabrique=team.fabrique, actor=team.admin, rural=7, radius_km=20)
    assert (weights.rural, weights.radius_km) == (7, 20)
    assert AuditEntry.objects.for_target(weights).get().action == "intelligence.priorityweights.created"
    weights = priority_weights_set(fabrique=team.fabrique, actor=team.admin, rural=3)
    entry = AuditEntry.objects.for_target(weights).latest("pk")
    assert entry.action == "intelligence.priorityweights.updated"
    assert entry.old_values == {"rural": 7} and entry.new_values == {"rural": 3}
    with pytest.raises(ValidationError):
        priority_weights_set(
            fabrique=team.fabrique, actor=team.admin, **dict.fromkeys(PriorityWeights.COMPONENTS, 0)
        )
    with pytest.raises(ValidationError):
        priority_weights_set(fabrique=team.fabrique, actor=team.admin, rural=11)
    assert PriorityWeights.objects.get(fabrique=team.fabrique).rural == 3


def test_component_figures_are_shown_as_floatformat_would_show_them():
    """The page shows precomputed strings (floatformat cost 7 ms a page of 25 rows): same text."""
    from django.template.defaultfilters import floatformat
    from django.utils import translation

    from fabrique.intelligence.priorities import Component

    with translation.override("fr"):
        for value in (0.0, 0.005, 0.125, 0.995, 1.0, 0.3333333):
            for points in (0.0, 0.05, 12.25, 33.3333, 99.95):
                component = Component("k", "label", 3, value, "", points)
                assert component.value_display == floatformat(value, 2)
                assert component.points_display == floatformat(points, 1)
                assert component.points_rounded == floatformat(points, 0)
