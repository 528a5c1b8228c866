"""Forms of the intelligence pages. They parse input; the services decide and save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.core.choices import Theme
from fabrique.core.limits import LONG_TEXT
from fabrique.needs.models import NeedStage
from fabrique.projects.models import ProjectStage
from fabrique.territories.forms import TerritoryMultipleChoiceField

from .models import IMPORT_LEVELS, Aggregation, Indicator, Level, PriorityWeights

DIRECTIONS = [
    ("higher", _("une valeur élevée est défavorable (taux de pauvreté, chômage…)")),
    ("lower", _("une valeur basse est défavorable (revenu, équipements…)")),
    ("neutral", _("descriptif : jamais signalé comme défavorable (population…)")),
]
DIRECTION_VALUES = {"higher": True, "lower": False, "neutral": None}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "Tel que publié par l'INSEE ou data.gouv.fr : séparateur point-virgule, encodage Latin-1 ou UTF-8, "
            "virgules décimales, valeurs secrètes (s, nd) acceptés. 30 Mo au plus."
        ),
        error_messages={"required": _("Choisissez le fichier à importer.")},
    )


class MappingForm(forms.Form):
    """Columns, level and description of the indicator. `headers` are the file's column names."""

    sheet = forms.ChoiceField(label=_("Feuille du classeur"), required=False)
    header_row = forms.IntegerField(
        label=_("Ligne des en-têtes"),
        min_value=1,
        max_value=50,
        help_text=_("Les fichiers de l'INSEE commencent souvent par quelques lignes de titre."),
    )
    level = forms.ChoiceField(
        label=_("Niveau géographique"),
        choices=[(lvl.value, lvl.label) for lvl in IMPORT_LEVELS],
    )
    code_column = forms.ChoiceField(label=_("Colonne des codes de territoire"))
    value_column = forms.ChoiceField(label=_("Colonne des valeurs"))
    denominator_column = forms.ChoiceField(
        label=_("Colonne dénominateur (facultatif)"),
        required=False,
        help_text=_(
            "Pour calculer une part : par exemple ménages sans voiture / ensemble des ménages × 100. "
            "Choisissez alors le calcul « rapport de deux colonnes »."
        ),
    )
    ignore_unknown = forms.BooleanField(
        label=_("Ignorer les codes inconnus des tables territoriales (ils seront listés)"), required=False
    )
    target = forms.ChoiceField(label=_("Importer dans"), initial="new")
    name = forms.CharField(label=_("Nom de l'indicateur"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Définition"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=LONG_TEXT
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_(
            "Producteur et fichier, par exemple : INSEE, recensement de la population 2021, base logement."
        ),
    )
    source_url = forms.URLField(label=_("Adresse de la source"), required=False, assume_scheme="https")
    vintage = forms.CharField(label=_("Millésime"), max_length=20, required=False)
    unit = forms.CharField(
        label=_("Unité"), max_length=40, required=False, help_text=_("%, €, habitants, ménages…")
    )
    licence = forms.CharField(
        label=_("Licence"),
        max_length=200,
        required=False,
        initial=_("Licence Ouverte / conditions de réutilisation de l'INSEE"),
    )
    direction = forms.ChoiceField(label=_("Sens de lecture"), choices=DIRECTIONS, initial="neutral")
    aggregation = forms.ChoiceField(
        label=_("Calcul des références (intercommunalité, département, France)"),
        choices=Aggregation.choices,
        initial=Aggregation.NONE,
    )
    decimals = forms.IntegerField(label=_("Décimales affichées"), min_value=0, max_value=4, initial=0)

    def __init__(self, *args, headers: list[str], sheets: list[str], indicators, **kwargs):
        super().__init__(*args, **kwargs)
        columns = [(str(i), f"{name}") for i, name in enumerate(headers)]
        self.fields["code_column"].choices = columns
        self.fields["value_column"].choices = columns
        self.fields["denominator_column"].choices = [("", _("aucune"))] + columns
        if len(sheets) > 1:
            self.fields["sheet"].choices = [(s, s) for s in sheets]
        else:
            del self.fields["sheet"]
        self.fields["target"].choices = [("new", _("un nouvel indicateur"))] + [
            (str(i.pk), _("%(name)s (remplace ses valeurs de ce niveau)") % {"name": i}) for i in indicators
        ]
        self.indicators = {str(i.pk): i for i in indicators}

    def clean(self):
        data = super().clean()
        if data.get("target") == "new":
            missing = {
                "name": _("Donnez un nom à l'indicateur."),
                "source": _("Indiquez la source (producteur et fichier)."),
                "vintage": _("Indiquez le millésime des données."),
                "licence": _("Indiquez la licence des données."),
            }
            for name, message in missing.items():
                if not (data.get(name) or "").strip():
                    self.add_error(name, message)
        if data.get("denominator_column") and data.get("denominator_column") in (
            data.get("code_column"),
            data.get("value_column"),
        ):
            self.add_error(
                "denominator_column", _("Choisissez une autre colonne que celles des codes et des valeurs.")
            )
        if data.get("code_column") is not None and data.get("code_column") == data.get("value_column"):
            self.add_error("value_column", _("La colonne des valeurs doit différer de celle des codes."))
        return data

    def mapping(self) -> dict:
        data = self.cleaned_data
        return {
            "sheet": data.get("sheet", ""),
            "header_row": data["header_row"],
            "level": data["level"],
            "code_column": int(data["code_column"]),
            "value_column": int(data["value_column"]),
            "denominator_column": int(data["denominator_column"]) if data.get("denominator_column") else None,
            "ignore_unknown": data["ignore_unknown"],
        }

    def target_indicator(self) -> Indicator | None:
        return self.indicators.get(self.cleaned_data["target"])

    def indicator_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "source": data["source"],
            "source_url": data["source_url"],
            "vintage": data["vintage"],
            "unit": data["unit"],
            "licence": data["licence"],
            "higher_is_worse": DIRECTION_VALUES[data["direction"]],
            "aggregation": data["aggregation"],
            "decimals": data["decimals"],
        }


class DiagnosisZoneForm(forms.Form):
    name = forms.CharField(
        label=_("Nom de la zone"),
        max_length=200,
        error_messages={"required": _("Donnez un nom à la zone.")},
        help_text=_("Par exemple : Vignoble nantais, ou Nord-Ouest de la métropole."),
    )
    description = forms.CharField(
        label=_("Objet du diagnostic"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=LONG_TEXT,
    )
    territories = TerritoryMultipleChoiceField(
        label=_("Communes et intercommunalités"),
        kinds=("commune", "epci"),
        max_items=400,
        error_messages={"required": _("Choisissez au moins une commune ou une intercommunalité.")},
    )


class PriorityWeightsForm(forms.ModelForm):
    class Meta:
        model = PriorityWeights
        fields = [*PriorityWeights.COMPONENTS, "radius_km"]
        widgets = {
            name: forms.NumberInput(attrs={"min": 0, "max": 10}) for name in PriorityWeights.COMPONENTS
        }


SHOW_CHOICES = [("all", _("besoins et projets")), ("needs", _("besoins")), ("projects", _("projets"))]


class MapFilterForm(forms.Form):
    theme = forms.ChoiceField(
        label=_("Thème"), choices=[("", _("Tous"))] + list(Theme.choices), required=False
    )
    need_stage = forms.ChoiceField(
        label=_("Étape des besoins"), choices=[("", _("Toutes"))] + list(NeedStage.choices), required=False
    )
    project_stage = forms.ChoiceField(
        label=_("Étape des projets"), choices=[("", _("Toutes"))] + list(ProjectStage.choices), required=False
    )
    workstream = forms.ChoiceField(label=_("Chantier"), required=False)
    show = forms.ChoiceField(label=_("Afficher"), choices=SHOW_CHOICES, required=False, initial="all")

    def __init__(self, *args, workstreams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].choices = [("", _("Tous"))] + [(str(w.pk), w.name) for w in workstreams]


class PriorityFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Besoins"),
        choices=[
            ("open", _("ouverts (à examiner ou retenus)")),
            ("examined", _("en cours d'examen seulement")),
            ("retained", _("retenus seulement")),
        ],
        required=False,
    )
    theme = forms.ChoiceField(
        label=_("Thème"), choices=[("", _("Tous"))] + list(Theme.choices), required=False
    )


SCOPE_STAGES = {
    "open": ("new", "qualifying", "more_evidence", "retained"),
    "examined": ("new", "qualifying", "more_evidence"),
    "retained": ("retained",),
}
LEVEL_LABELS = dict(Level.choices)
