"""CommuneChoiceField and TerritoryMultipleChoiceField: resolution, French errors, widget, media."""

import pytest
from django import forms

from fabrique.territories.forms import (
    CommuneChoiceField,
    TerritoryAutocompleteWidget,
    TerritoryMultipleChoiceField,
    TerritorySelection,
)
from fabrique.territories.models import EPCI, Commune, Departement

pytestmark = pytest.mark.django_db


class CommuneForm(forms.Form):
    commune = CommuneChoiceField(label="Commune")


class OptionalCommuneForm(forms.Form):
    commune = CommuneChoiceField(label="Commune", required=False)


class CoverageForm(forms.Form):
    coverage = TerritoryMultipleChoiceField(label="Territoire")


def clean(form_class, value):
    form = form_class(data={"commune" if form_class is not CoverageForm else "coverage": value})
    form.is_valid()
    return form


@pytest.mark.parametrize(
    "value",
    [
        "commune:44162",
        "44162",
        "44800",
        "Saint-Herblain",
        "st herblain",
        "SAINT-HERBLAIN",
        "Saint-Herblain (44162)",
    ],
)
def test_commune_resolved(value):
    form = clean(CommuneForm, value)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].code == "44162"
    assert form.cleaned_data["commune"].kind == Commune.Kind.CURRENT


def test_commune_deleguee_stands_for_its_commune_actuelle():
    form = clean(CommuneForm, "commune:44004")  # Anetz, déléguée of Vair-sur-Loire
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].code == "44163"


def test_required_message_in_french():
    form = clean(CommuneForm, "")
    assert form.errors["commune"] == ["Indiquez une commune."]
    assert clean(OptionalCommuneForm, "").cleaned_data["commune"] is None


def test_unknown_commune_message_in_french():
    form = clean(CommuneForm, "99999")
    assert form.errors["commune"] == [
        "Aucune commune ne correspond à « 99999 ». Indiquez un nom, un code postal ou un code INSEE."
    ]
    assert "Aucune commune ne correspond" in clean(CommuneForm, "Atlantide")["commune"].errors[0]
    assert "Aucune commune" in clean(CommuneForm, "epci:244400404")["commune"].errors[0]


def test_ambiguous_postal_code_message_in_french():
    # 44240 is shared by La Chapelle-sur-Erdre and Sucé-sur-Erdre
    communes = set(Commune.objects.filter(postal_code_rows__code="44240").values_list("name", flat=True))
    assert len(communes) > 1
    form = clean(CommuneForm, "44240")
    message = form.errors["commune"][0]
    assert message.startswith("« 44240 » désigne plusieurs communes : ")
    assert "Précisez, par exemple avec le code INSEE." in message
    assert all(name in message for name in communes)


def test_widget_renders_an_enhanceable_text_input_with_the_current_value():
    commune = Commune.objects.get(code="44162", kind=Commune.Kind.CURRENT)
    html = str(OptionalCommuneForm(initial={"commune": commune})["commune"])
    assert 'type="text"' in html
    assert 'value="Saint-Herblain (44162)"' in html
    assert "data-territory-autocomplete" in html
    assert 'data-url="/territoires/recherche/"' in html
    assert 'data-types="commune"' in html
    assert "Saint-Herblain (44) — commune" in html  # data-initial for the combobox
    # an initial given as a primary key works too
    html = str(OptionalCommuneForm(initial={"commune": commune.pk})["commune"])
    assert 'value="Saint-Herblain (44162)"' in html


def test_bound_value_is_shown_back_as_typed():
    form = clean(CommuneForm, "Atlantide")
    assert 'value="Atlantide"' in str(form["commune"])


def test_media_brings_tom_select_and_the_script():
    media = str(CommuneForm().media)
    assert "fabrique/vendor/tom-select.css" in media
    assert "fabrique/vendor/tom-select.complete.min.js" in media
    assert "fabrique/js/territory-autocomplete.js" in media
    assert "defer" in media


def test_has_changed():
    commune = Commune.objects.get(code="44162", kind=Commune.Kind.CURRENT)
    field = CommuneChoiceField()
    assert not field.has_changed(commune, "commune:44162")
    assert field.has_changed(commune, "commune:44109")


def test_multiple_field():
    form = clean(CoverageForm, "commune:44109;epci:244400404;departement:85;Rezé;44800")
    assert form.is_valid(), form.errors
    selection = form.cleaned_data["coverage"]
    assert isinstance(selection, TerritorySelection)
    assert [c.code for c in selection.communes] == ["44109", "44143", "44162"]
    assert [e.siren for e in selection.epcis] == ["244400404"]
    assert [d.code for d in selection.departements] == ["85"]
    assert len(selection) == 5


def test_multiple_field_codes_with_commas_and_names_with_commas():
    form = clean(CoverageForm, "44109, 44143, 85")
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["coverage"]) == 3
    epci = EPCI.objects.filter(name__contains=",").first()
    form = clean(CoverageForm, f"{epci.name} ({epci.siren})")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["coverage"].epcis == [epci]


def test_multiple_field_errors_in_french():
    form = clean(CoverageForm, "Atlantide; 44109")
    assert form.errors["coverage"] == [
        "Aucun territoire ne correspond à « Atlantide ». Indiquez un nom exact ou un code "
        "(INSEE, SIREN de l'EPCI, département)."
    ]
    assert clean(CoverageForm, "").errors["coverage"] == ["Indiquez au moins un territoire."]


def test_multiple_field_shows_a_selection():
    selection = TerritorySelection(
        communes=[Commune.objects.get(code="44109", kind=Commune.Kind.CURRENT)],
        departements=[Departement.objects.get(code="85")],
    )
    html = str(CoverageForm(initial={"coverage": selection})["coverage"])
    assert 'value="Vendée (85); Nantes (44109)"' in html
    assert "data-multiple" in html
    assert 'data-types="commune,epci,departement"' in html


def test_widget_types():
    widget = TerritoryAutocompleteWidget(types=("epci", "qpv"))
    html = widget.render("x", "", attrs={"id": "id_x"})
    assert 'data-types="epci,qpv"' in html
