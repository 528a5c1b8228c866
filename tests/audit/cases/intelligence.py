"""Territorial intelligence: indicator imports, indicators, diagnosis zones and priority weights."""

from __future__ import annotations

from fabrique.intelligence import services as s
from fabrique.intelligence.models import PriorityWeights
from fabrique.territories.models import Commune
from tests.audit.harness import case
from tests.intelligence.helpers import upload

NO_CAR = "menages_sans_voiture_nantes_metropole_latin1.csv"
INDICATOR = {
    "name": "Part des ménages sans voiture",
    "description": "Ménages sans voiture / ensemble des ménages.",
    "source": "INSEE, recensement de la population 2021",
    "source_url": "https://www.insee.fr/",
    "vintage": "2021",
    "unit": "%",
    "licence": "Licence Ouverte",
    "higher_is_worse": True,
    "aggregation": "ratio",
    "decimals": 1,
}
MAPPING = {
    "level": "commune",
    "header_row": 4,
    "code_column": 0,
    "value_column": 3,
    "denominator_column": 2,
    "ignore_unknown": False,
}


def _batch(t):
    return s.import_batch_upload(fabrique=t.fabrique, actor=t.officer, uploaded_file=upload(NO_CAR))


def _mapped(t):
    batch = _batch(t)
    s.import_batch_map(batch=batch, actor=t.officer, mapping=MAPPING, indicator_data=INDICATOR)
    batch.refresh_from_db()
    return batch


def _imported(t):
    batch = _mapped(t)
    s.import_batch_run(batch=batch, actor=t.officer)
    return batch


def _queued(t):
    batch = _mapped(t)
    return s.import_batch_queue(batch=batch, actor=t.officer)


def _run_in_background(t):
    batch = _queued(t)
    s.import_batch_run_background(batch_id=batch.pk, actor_id=t.officer.pk)
    return batch


def _indicator(t):
    batch = _imported(t)
    batch.refresh_from_db()
    return batch.indicator


def _zone(t):
    return s.diagnosis_zone_create(
        fabrique=t.fabrique,
        actor=t.officer,
        name="Vignoble et Vallet",
        description="Mobilité inclusive : état des lieux.",
        communes=[Commune.objects.get(code="44212", kind="commune-actuelle")],
    )


def _weights(t):
    s.priority_weights_set(fabrique=t.fabrique, actor=t.officer, poverty=5)
    return PriorityWeights.objects.get(fabrique=t.fabrique)


CASES = [
    case(s.import_batch_upload, _batch, "intelligence.importbatch.created"),
    case(s.import_batch_map, _mapped, "intelligence.importbatch.validated", {"stage"}),
    case(
        s.import_batch_remap,
        lambda t: s.import_batch_remap(batch=_mapped(t), actor=t.officer),
        "intelligence.importbatch.uploaded",
        {"stage"},
    ),
    case(
        s.import_batch_cancel,
        lambda t: s.import_batch_cancel(batch=_batch(t), actor=t.officer),
        "intelligence.importbatch.cancelled",
        {"stage"},
    ),
    case(s.import_batch_run, _imported, "intelligence.importbatch.imported", {"stage"}),
    case(s.import_batch_queue, _queued, "intelligence.importbatch.queued"),
    case(s.import_batch_run_background, _run_in_background, "intelligence.importbatch.imported", {"stage"}),
    case(
        s.indicator_update,
        lambda t: s.indicator_update(indicator=_indicator(t), actor=t.officer, vintage="2022"),
        "intelligence.indicator.updated",
        {"vintage"},
    ),
    case(
        s.indicator_delete,
        lambda t: s.indicator_delete(indicator=_indicator(t), actor=t.officer),
        "intelligence.indicator.deleted",
    ),
    case(s.diagnosis_zone_create, _zone, "intelligence.diagnosiszone.created", {"name", "communes"}),
    case(
        s.diagnosis_zone_update,
        lambda t: s.diagnosis_zone_update(
            zone=(zone := _zone(t)), actor=t.officer, name="Vignoble", communes=list(zone.communes.all())
        ),
        "intelligence.diagnosiszone.updated",
        {"name"},
    ),
    case(s.priority_weights_set, _weights, "intelligence.priorityweights.created", {"poverty"}),
]
