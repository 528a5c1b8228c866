"""Combining values into larger territories, and the Filosofi reference loader."""

import pytest

from fabrique.intelligence.loader import (
    MEDIAN_INCOME,
    POVERTY_RATE,
    REFERENCE_CODES,
    reference_indicators_load,
)
from fabrique.intelligence.models import Indicator, IndicatorValue
from fabrique.intelligence.references import Geography, Item, combine, computed_values


def items(*rows):
    return [
        Item(str(i), value, "ok" if value is not None else "secret", weight)
        for i, (value, weight) in enumerate(rows)
    ]


def test_sum_mean_ratio():
    assert combine(items((10, 1), (20, 1), (None, 1)), "sum").value == 30
    assert combine(items((10, 100), (20, 300)), "weighted_mean").value == pytest.approx(17.5)
    assert combine(items((10, None), (20, None)), "weighted_mean").value == 15  # no weights: plain mean
    # ratio: 10 % of 100 households and 20 % of 300 → 70 / 400
    assert combine(items((10, 100), (20, 300)), "ratio").value == pytest.approx(17.5)
    assert combine(items((10, 1), (20, 1)), "mean").value == 15
    assert combine(items((10, 1)), "none").value is None
    assert combine(items((None, 1)), "sum").status == "secret"


def test_weighted_median_is_a_smooth_mixture():
    one = combine(items((20000, 1000)), "weighted_median").value
    assert one == 20000
    # a big commune does not impose its value: the mixture median lies between
    value = combine(items((20000, 3000), (30000, 2000)), "weighted_median").value
    assert 20000 < value < 30000
    assert value < 25000  # the larger population pulls it down


def test_coverage_rule():
    geography = Geography(
        population={"a": 900, "b": 100, "c": 1000},
        current_of={},
        epci_of={"a": "E1", "b": "E1", "c": "E2"},
        departement_of={"a": "D", "b": "D", "c": "D"},
        france_population=2000,
    )
    rows = computed_values(
        items=[Item("a", 10, "ok", 900), Item("b", None, "secret", 100)],
        level="commune",
        aggregation="sum",
        geography=geography,
    )
    places = {(level, code) for level, code, _c in rows}
    assert ("epci", "E1") in places  # a secret value still covers its commune
    assert ("departement", "D") not in places  # half of the département only
    assert ("france", "FR") not in places


@pytest.mark.django_db
def test_reference_loader_is_idempotent_and_computes_references(reference_data):
    # given: loaded by the session fixture; when: loaded again
    report = reference_indicators_load(departements=["44", "85"])
    # then
    assert not report.changed
    assert set(Indicator.objects.filter(fabrique__isnull=True).values_list("code", flat=True)) == set(
        REFERENCE_CODES
    )
    median = Indicator.objects.get(code=MEDIAN_INCOME)
    nantes = IndicatorValue.objects.get(indicator=median, level="commune", code="44109")
    assert nantes.value == 24170 and nantes.origin == "file"
    france = IndicatorValue.objects.get(indicator=median, level="france", code="FR").value
    assert 22000 < france < 24000  # INSEE publishes 23,160 € for 2021
    loire_atlantique = IndicatorValue.objects.get(indicator=median, level="departement", code="44").value
    assert loire_atlantique != nantes.value
    # every département has its reference, whatever is loaded
    assert IndicatorValue.objects.filter(indicator=median, level="departement").count() > 95
    poverty = Indicator.objects.get(code=POVERTY_RATE)
    assert IndicatorValue.objects.get(indicator=poverty, level="commune", code="44109").origin == "computed"
    assert (
        IndicatorValue.objects.filter(indicator=poverty, level="iris", code__startswith="44109").count() > 80
    )
    # communes outside 44 and 85 are not loaded
    assert not IndicatorValue.objects.filter(indicator=median, level="commune", code="75056").exists()


@pytest.mark.django_db
def test_loader_repairs_a_changed_value(reference_data):
    median = Indicator.objects.get(code=MEDIAN_INCOME)
    IndicatorValue.objects.filter(indicator=median, level="commune", code="44109").update(value=1)
    report = reference_indicators_load(departements=["44", "85"])
    assert report.values["updated"] == 1
    assert IndicatorValue.objects.get(indicator=median, level="commune", code="44109").value == 24170


@pytest.mark.django_db
def test_command(reference_data, capsys):
    from django.core.management import call_command

    call_command("load_reference_indicators", "--departements", "44,85")
    assert "rien à changer" in capsys.readouterr().out
