"""Issue 15, third round: the batch's département counts arrondissement codes, a label naming the coded
commune is that commune (not one of its QPV), and the clustering's cannot-link level."""

import json
from dataclasses import replace

import numpy as np

from fabrique.grouping import engine
from fabrique.grouping.adapt import calibrated
from fabrique.grouping.api import featurize
from fabrique.grouping.territory import territories


def test_the_batch_departement_counts_arrondissement_and_postal_codes():
    # a Paris batch coded by arrondissements, with a few reports of the Seine-Saint-Denis
    reports = [{"id": f"p{k}", "commune": c} for k, c in enumerate(["75120", "75118", "75019", "75110"])]
    reports += [{"id": "s1", "commune": "93066"}]
    assert engine._dominant_dept(reports).split(",")[0] == "75"


def test_an_arrondissement_without_a_city_is_read_in_the_batch_departement():
    reports = [{"id": f"p{k}", "commune": c} for k, c in enumerate(["75120", "75118", "75110", "75113"])]
    reports += [{"id": "s1", "commune": "93066"}, {"id": "x", "territory_label": "20e arrondissement"}]
    feats = engine.featurize_all(reports, workers=1)
    place = feats[-1].place
    assert place.commune == "75056" and place.arrs == frozenset({"75120"})


def test_a_label_naming_the_coded_commune_is_the_commune_not_its_qpv():
    terr = territories()
    # 'Le Port' is also the start of the QPV 'Le Port - Secteur Ouest' of that commune
    place = terr.resolve("97407", "Le Port", "974")
    assert place.level == "commune" and place.commune == "97407" and not place.qpv
    # a QPV named alone next to its commune's code is still the QPV
    assert terr.resolve("97407", "Le Port - secteur Ouest", "974").qpv
    assert terr.resolve("03185", "Fontbouillant", "03").level == "qpv"
    a = featurize({"id": "a", "commune": "97407", "territory_label": "Le Port"})
    b = featurize({"id": "b", "territory_label": "Le Port 97420"})
    assert a.place.level == b.place.level == "commune"


def _chain() -> np.ndarray:
    # A~B and B~C are strong, A~C is almost surely not the same need
    return np.array([[1.0, 0.9, 0.02], [0.9, 1.0, 0.9], [0.02, 0.9, 1.0]])


def test_average_linkage_alone_lets_a_chain_through():
    pm = replace(engine.model(), cannot_link=0.0)
    clusters = engine._cluster_component(None, np.arange(3), pm, 0.3, _chain())  # type: ignore[arg-type]
    assert len(clusters) == 1


def test_a_pair_below_the_cannot_link_level_is_never_in_one_cluster():
    pm = replace(engine.model(), cannot_link=0.05)
    clusters = engine._cluster_component(None, np.arange(3), pm, 0.3, _chain())  # type: ignore[arg-type]
    assert len(clusters) == 2
    assert not any({0, 2} <= set(c.tolist()) for c in clusters)


def test_the_shipped_model_reads_its_cannot_link_level_and_adaptation_keeps_it(tmp_path):
    path = tmp_path / "model.json"
    data = engine._DEFAULT_MODEL | {"cannot_link": 0.07}
    path.write_text(json.dumps(data))
    pm = engine.PairModel.load(path)
    assert pm.cannot_link == 0.07
    assert calibrated(pm, 0.75, 0.4).cannot_link == 0.07
