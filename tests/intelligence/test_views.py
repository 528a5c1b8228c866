"""Pages: the import in three steps, the map and its data, diagnoses, priorities, the need context.
French errors on bad input and nothing saved; readers may not write; another fabrique's objects are 404."""

import json

import pytest
from django.urls import reverse

from fabrique.intelligence.models import (
    DiagnosisZone,
    ImportBatch,
    ImportStage,
    Indicator,
    PriorityWeights,
)
from fabrique.intelligence.services import diagnosis_zone_create, import_batch_upload

from .conftest import commune
from .helpers import upload

pytestmark = pytest.mark.django_db


def url(team, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def page_text(response) -> str:
    return response.content.decode()


# --- import --------------------------------------------------------------------------------------------


def test_import_in_three_steps(team, login, media_root, reference_data):
    client = login(team.officer)
    # 1. upload
    response = client.post(
        url(team, "indicator_import"), {"file": upload("menages_sans_voiture_nantes_metropole_latin1.csv")}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        team, "indicator_import_preview", pk=batch.pk
    )
    # 2. preview and mapping
    response = client.get(response["Location"])
    text = page_text(response)
    assert "Windows-1252 (Latin-1)" in text and "Ménages sans voiture" in text and "Basse-Goulaine" in text
    assert "3 lignes de titre au-dessus des en-têtes" in text
    form = {
        "header_row": 4,
        "level": "commune",
        "code_column": 0,
        "value_column": 3,
        "denominator_column": 2,
        "target": "new",
        "name": "Part des ménages sans voiture",
        "source": "INSEE, RP 2021",
        "vintage": "2021",
        "unit": "%",
        "licence": "Licence Ouverte",
        "direction": "higher",
        "aggregation": "ratio",
        "decimals": 1,
    }
    response = client.post(url(team, "indicator_import_preview", pk=batch.pk), form)
    assert response.status_code == 302 and response["Location"] == url(
        team, "indicator_import_confirm", pk=batch.pk
    )
    # 3. confirm
    text = page_text(client.get(response["Location"]))
    assert "24 territoires : 22 valeurs, 1 secrètes, 1 manquantes" in text
    response = client.post(url(team, "indicator_import_confirm", pk=batch.pk), {"run": "1"})
    indicator = Indicator.objects.get(fabrique=team.fabrique)
    assert response["Location"] == url(team, "indicator_detail", pk=indicator.pk)
    text = page_text(client.get(response["Location"]))
    assert "Part des ménages sans voiture" in text and "Historique" in text
    # the imported indicator shows on the territory readings
    from fabrique.intelligence.selectors import territory_indicators

    names = [
        r.indicator.name
        for r in territory_indicators(fabrique=team.fabrique, territory=commune("44109")).readings
    ]
    assert "Part des ménages sans voiture" in names


def test_upload_errors_in_french_and_nothing_saved(team, login, media_root):
    client = login(team.officer)
    response = client.post(url(team, "indicator_import"), {})
    assert response.status_code == 400
    assert "Choisissez le fichier à importer." in page_text(response)
    response = client.post(url(team, "indicator_import"), {"file": upload("encodages_melanges.csv")})
    assert response.status_code == 400
    assert "mélange deux encodages de caractères" in page_text(response)
    assert not ImportBatch.objects.exists()


def test_mapping_errors_name_rows_and_columns(team, login, media_root, reference_data):
    client = login(team.officer)
    batch = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("population_codes_inconnus.csv")
    )
    response = client.post(
        url(team, "indicator_import_preview", pk=batch.pk),
        {
            "header_row": 1,
            "level": "commune",
            "code_column": 0,
            "value_column": 2,
            "target": "new",
            "name": "Population",
            "source": "INSEE",
            "vintage": "2021",
            "licence": "LO",
            "direction": "neutral",
            "aggregation": "sum",
            "decimals": 0,
        },
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "rien n'a été importé" in text
    assert "Ligne 3, colonne « CODGEO » : code commune « 99999 » inconnu des tables territoriales." in text
    batch.refresh_from_db()
    assert (
        batch.stage == ImportStage.UPLOADED and not Indicator.objects.filter(fabrique=team.fabrique).exists()
    )


def test_mapping_form_requires_the_description(team, login, media_root, reference_data):
    client = login(team.officer)
    batch = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("population_codes_inconnus.csv")
    )
    response = client.post(
        url(team, "indicator_import_preview", pk=batch.pk),
        {
            "header_row": 1,
            "level": "commune",
            "code_column": 0,
            "value_column": 2,
            "target": "new",
            "direction": "neutral",
            "aggregation": "sum",
            "decimals": 0,
        },
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Donnez un nom à l&#x27;indicateur." in text and "Indiquez la source" in text


def test_refresh_changes_the_header_row_without_saving(team, login, media_root, reference_data):
    client = login(team.officer)
    batch = import_batch_upload(
        fabrique=team.fabrique,
        actor=team.officer,
        uploaded_file=upload("menages_sans_voiture_nantes_metropole_latin1.csv"),
    )
    response = client.post(
        url(team, "indicator_import_preview", pk=batch.pk), {"header_row": 2, "refresh": "1"}
    )
    assert response.status_code == 200
    assert "1 ligne de titre au-dessus des en-têtes" in page_text(response)
    batch.refresh_from_db()
    assert batch.header_row == 4


def test_readers_may_not_import_and_batches_are_private(team, other_team, login, media_root, reference_data):
    batch = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("population_codes_inconnus.csv")
    )
    reader = login(team.reader)
    assert reader.get(url(team, "indicators")).status_code == 200
    assert (
        reader.post(url(team, "indicator_import"), {"file": upload("chomage_iris_utf8_bom.csv")}).status_code
        == 403
    )
    assert reader.post(url(team, "indicator_import_confirm", pk=batch.pk), {"run": "1"}).status_code == 403
    outsider = login(other_team.admin)
    other_url = reverse(
        "backoffice:indicator_import_preview",
        kwargs={"fabrique_slug": other_team.fabrique.slug, "pk": batch.pk},
    )
    assert outsider.get(other_url).status_code == 404


def test_indicator_detail_reference_and_private(team, other_team, login, reference_data):
    client = login(team.reader)
    reference = Indicator.objects.get(code="filosofi-2021-revenu-median")
    text = page_text(client.get(url(team, "indicator_detail", pk=reference.pk)))
    assert "Filosofi 2021" in text and "Départements et France" in text and "Historique" in text
    foreign = Indicator.objects.create(
        fabrique=other_team.fabrique,
        code="x",
        name="Secret B",
        source="s",
        vintage="1",
        unit="",
        licence="l",
        level="commune",
    )
    assert client.get(url(team, "indicator_detail", pk=foreign.pk)).status_code == 404
    assert client.get(url(team, "indicator_delete", pk=reference.pk)).status_code == 403


def test_indicator_delete_page(team, login):
    indicator = Indicator.objects.create(
        fabrique=team.fabrique,
        code="x",
        name="À supprimer",
        source="s",
        vintage="1",
        unit="",
        licence="l",
        level="commune",
    )
    client = login(team.officer)
    assert client.get(url(team, "indicator_delete", pk=indicator.pk)).status_code == 200
    response = client.post(url(team, "indicator_delete", pk=indicator.pk))
    assert response.status_code == 302
    assert not Indicator.objects.filter(pk=indicator.pk).exists()


# --- map -------------------------------------------------------------------------------------------------


def test_map_page_and_data_are_scoped_and_filtered(nantes, other_team, login):
    from fabrique.needs.services import need_create

    need_create(
        fabrique=other_team.fabrique,
        actor=other_team.officer,
        title="Besoin ZZB",
        commune=commune("44109"),
        theme="mobility",
    )
    team = nantes.team
    client = login(team.reader)
    text = page_text(client.get(url(team, "map")))
    assert "Se rendre au travail sans voiture" in text and "Besoin ZZB" not in text
    assert "Bellevue" in text  # QPV list, the accessible alternative
    data = json.loads(client.get(url(team, "map_data")).content)
    titles = {f["properties"]["title"] for f in data["needs"]["features"]}
    assert titles == {
        "Se rendre au travail sans voiture",
        "Aller au marché sans voiture",
        "Manger frais à petit prix",
        "Logements pour apprentis",
    }
    assert data["qpvs"]["features"] and data["communes"]["features"] and data["departements"]["features"]
    filtered = json.loads(client.get(url(team, "map_data") + "?theme=mobility&show=needs").content)
    assert {f["properties"]["theme"] for f in filtered["needs"]["features"]} == {"mobility"}
    assert filtered["projects"]["features"] == []
    text = page_text(client.get(url(team, "map") + "?theme=food"))
    assert "Manger frais à petit prix" in text and "Logements pour apprentis" not in text
    assert 'data-url="/espace/' in text and "theme=food" in text


def test_map_page_table_shows_the_first_rows_and_links_to_the_whole_list(nantes, login, monkeypatch):
    """The table of the map page is bounded (it rendered up to 400 rows, 170 KB, at network scale): the
    first rows of each kind, those the map cannot place first, and a link to the needs list, same filters."""
    from fabrique.backoffice.views import intelligence

    monkeypatch.setattr(intelligence, "MAP_TABLE_ROWS", 1)
    team = nantes.team
    text = page_text(login(team.reader).get(url(team, "map") + "?theme=mobility"))
    assert text.count('data-label="Type">besoin<') == 1
    assert "Ce tableau montre les 1 premiers besoins" in text
    assert url(team, "need_list") + "?theme=mobility" in text
    text = page_text(login(team.reader).get(url(team, "map") + "?theme=food"))
    assert "Ce tableau montre" not in text  # one need of that theme: nothing cut


def test_map_shapes_are_kept_unpickled_in_the_process_while_the_shared_cache_holds_them(nantes):
    """Reading the shapes from the shared cache unpickles megabytes (~25 ms of CPU a map request): each
    process keeps what it read, and drops it when the shared cache no longer has the key."""
    from django.core.cache import cache

    from fabrique.intelligence import mapdata

    cache.clear()
    mapdata._LOCAL_SHAPES.clear()
    fabrique = nantes.team.fabrique
    first = mapdata.map_shapes(fabrique=fabrique)
    assert mapdata.map_shapes(fabrique=fabrique) is first  # no unpickling
    cache.clear()
    rebuilt = mapdata.map_shapes(fabrique=fabrique)
    assert rebuilt is not first and rebuilt == first
    # bounded: the oldest entries go first
    for index in range(mapdata._LOCAL_SHAPES_MAX + 5):
        mapdata._LOCAL_SHAPES[f"other-{index}"] = (float(index), {})
    cache.clear()
    mapdata.map_shapes(fabrique=fabrique)
    assert len(mapdata._LOCAL_SHAPES) == mapdata._LOCAL_SHAPES_MAX and "other-0" not in mapdata._LOCAL_SHAPES


# --- diagnoses ---------------------------------------------------------------------------------------------


def test_diagnosis_create_detail_pdf(nantes, login):
    team = nantes.team
    client = login(team.officer)
    response = client.get(url(team, "diagnosis_create") + "?territoires=commune:44043&nom=Clisson")
    assert 'value="Clisson"' in page_text(response)
    response = client.post(
        url(team, "diagnosis_create"), {"name": "Vignoble", "territories": "epci:200067635; 44212"}
    )
    zone = DiagnosisZone.objects.get()
    assert response["Location"] == url(team, "diagnosis_detail", pk=zone.pk)
    text = page_text(client.get(response["Location"]))
    assert "Vignoble" in text and "Mobil&#x27;Aide Vignoble" in text and "Manques et pistes" in text
    assert "<svg" in text
    pdf = client.get(url(team, "diagnosis_pdf", pk=zone.pk))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="diagnostic-vignoble.pdf"' in pdf["Content-Disposition"]
    response = client.post(
        url(team, "diagnosis_update", pk=zone.pk),
        {"name": "Vignoble nantais", "territories": "epci:200067635"},
    )
    zone.refresh_from_db()
    assert zone.name == "Vignoble nantais" and not zone.communes.exists()


def test_diagnosis_errors_in_french(team, login, reference_data):
    client = login(team.officer)
    response = client.post(
        url(team, "diagnosis_create"), {"name": "", "territories": "Commune-qui-n-existe-pas"}
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Donnez un nom à la zone." in text
    assert "Aucun territoire ne correspond à « Commune-qui-n-existe-pas »" in text
    assert not DiagnosisZone.objects.exists()


def test_diagnosis_permissions(team, other_team, login, reference_data):
    zone = diagnosis_zone_create(
        fabrique=other_team.fabrique,
        actor=other_team.officer,
        name="B",
        communes=[commune("85191")],
    )
    reader = login(team.reader)
    assert (
        reader.post(url(team, "diagnosis_create"), {"name": "X", "territories": "44109"}).status_code == 403
    )
    assert reader.get(url(team, "diagnosis_detail", pk=zone.pk)).status_code == 404
    assert reader.get(url(team, "diagnosis_pdf", pk=zone.pk)).status_code == 404


# --- priorities ---------------------------------------------------------------------------------------------


def test_priorities_page_and_settings(nantes, login):
    team = nantes.team
    reader = login(team.reader)
    text = page_text(reader.get(url(team, "priorities")))
    assert "Manger frais à petit prix" in text and "Détail du calcul" in text and "× 5" in text
    assert reader.post(url(team, "priority_settings"), {"rural": 5}).status_code == 403
    client = login(team.officer)
    data = dict.fromkeys(PriorityWeights.COMPONENTS, 0) | {"rural": 10, "radius_km": 15}
    assert client.post(url(team, "priority_settings"), data).status_code == 302
    assert PriorityWeights.objects.get(fabrique=team.fabrique).rural == 10
    text = page_text(client.get(url(team, "priorities")))
    assert text.index("Se rendre au travail sans voiture") < text.index("Manger frais à petit prix")
    response = client.post(
        url(team, "priority_settings"), dict.fromkeys(PriorityWeights.COMPONENTS, 0) | {"radius_km": 15}
    )
    assert response.status_code == 400
    assert "Donnez un poids à au moins une composante." in page_text(response)
    response = client.post(url(team, "priority_settings"), data | {"rural": 12})
    assert response.status_code == 400 and "inférieure ou égale à 10" in page_text(response)
    assert PriorityWeights.objects.get(fabrique=team.fabrique).rural == 10


# --- need context ---------------------------------------------------------------------------------------------


def test_need_context_page(nantes, other_team, login):
    team = nantes.team
    client = login(team.reader)
    response = client.get(url(team, "need_context", pk=nantes.mobility_rural.pk))
    text = page_text(response)
    assert "Contexte territorial" in text and "commune rurale" in text and "Mobil&#x27;Aide Vignoble" in text
    assert "Revenu disponible médian" in text and "Historique" in text
    assert url(team, "need_detail", pk=nantes.mobility_rural.pk) in text
    text = page_text(client.get(url(team, "need_context", pk=nantes.mobility_rural.pk) + "?rayon=30"))
    assert "Aller au marché sans voiture" in text
    from fabrique.needs.services import need_create

    foreign = need_create(fabrique=other_team.fabrique, actor=other_team.officer, title="B")
    assert client.get(url(team, "need_context", pk=foreign.pk)).status_code == 404
    assert login(team.partner).get(url(team, "need_context", pk=nantes.mobility_rural.pk)).status_code == 403


def test_invalid_indicator_description_shows_on_its_field(team, login, media_root, reference_data):
    client = login(team.officer)
    batch = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("population_codes_inconnus.csv")
    )
    response = client.post(
        url(team, "indicator_import_preview", pk=batch.pk),
        {
            "header_row": 1,
            "level": "commune",
            "code_column": 0,
            "value_column": 2,
            "ignore_unknown": "on",
            "target": "new",
            "name": "Population",
            "source": "INSEE",
            "vintage": "2021",
            "licence": "LO",
            "direction": "neutral",
            "aggregation": "sum",
            "decimals": 0,
            "denominator_column": 1,
        },
    )
    assert response.status_code == 400
    assert "Avec une colonne dénominateur, choisissez le calcul « rapport de deux colonnes »." in page_text(
        response
    )


def test_context_of_a_need_without_territory(team, login, reference_data):
    from fabrique.needs.services import need_create

    need = need_create(fabrique=team.fabrique, actor=team.officer, title="Quelque part")
    text = page_text(login(team.reader).get(url(team, "need_context", pk=need.pk)))
    assert "Le besoin n'est pas localisé" in text


def test_confirm_needs_an_explicit_choice_and_delete_needs_edit(team, login, media_root, reference_data):
    batch = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("chomage_iris_utf8_bom.csv")
    )
    client = login(team.officer)
    response = client.post(url(team, "indicator_import_confirm", pk=batch.pk), {})
    assert response.status_code == 400
    assert "Choisissez : importer, revenir aux colonnes ou abandonner." in page_text(response)
    response = client.post(url(team, "indicator_import_confirm", pk=batch.pk), {"run": "1"})
    assert response.status_code == 400
    assert "Associez d&#x27;abord les colonnes du fichier" in page_text(response)
    indicator = Indicator.objects.create(
        fabrique=team.fabrique,
        code="x",
        name="X",
        source="s",
        vintage="1",
        unit="",
        licence="l",
        level="commune",
    )
    assert login(team.reader).post(url(team, "indicator_delete", pk=indicator.pk)).status_code == 403
    assert Indicator.objects.filter(pk=indicator.pk).exists()
