"""Forms of the import pages: the upload, and the column mapping built from the file's header."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.intelligence.tabular import MAX_BYTES

from .models import ImportBatch, ImportKind, ImportPreset
from .schema import SCHEMAS

NOT_IMPORTED = ""


def _preset_label(preset: ImportPreset) -> str:
    return f"{preset.name} ({preset.get_kind_display()})"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Le fichier contient"), choices=ImportKind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "Première ligne : les noms des colonnes. CSV séparé par des points-virgules ou des virgules, "
            "en UTF-8 ou Windows-1252 ; ou classeur Excel .xlsx (première feuille). 30 Mo et 5 000 lignes au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,.xlsm"}),
    )
    preset = forms.ModelChoiceField(
        label=_("Modèle de correspondance (facultatif)"),
        queryset=ImportPreset.objects.none(),
        required=False,
        empty_label=_("— deviner d'après les noms des colonnes —"),
        help_text=_("Un modèle enregistré lors d'un import précédent, du même type."),
    )

    def __init__(self, *args: Any, fabrique: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        preset = self.fields["preset"]
        assert isinstance(preset, forms.ModelChoiceField)
        preset.queryset = ImportPreset.objects.filter(fabrique=fabrique).order_by("kind", "name")[:200]
        preset.label_from_instance = _preset_label  # type: ignore[method-assign,assignment]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 30 Mo."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        preset = data.get("preset")
        if preset is not None and data.get("kind") and preset.kind != data["kind"]:
            self.add_error(
                "preset", _("Ce modèle sert à importer des %(kind)s.") % {"kind": preset.get_kind_display()}
            )
        return data


class MappingForm(forms.Form):
    """One select per target field (the file's columns), a default value for some choice fields."""

    def __init__(self, *args: Any, batch: ImportBatch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.schema = SCHEMAS[batch.kind]
        columns: list[tuple[str, Any]] = [(NOT_IMPORTED, _("— pas dans le fichier —"))] + [
            (str(i), f"{name} (colonne {i + 1})") for i, name in enumerate(batch.header)
        ]
        for target in self.schema.targets:
            current = batch.mapping.get(target.key)
            self.fields[f"col_{target.key}"] = forms.ChoiceField(
                label=str(target.label),
                choices=columns,
                required=False,
                initial="" if current is None else str(current),
                help_text=_("obligatoire") if target.required else "",
            )
            if target.default_allowed:
                self.fields[f"default_{target.key}"] = forms.ChoiceField(
                    label=_("%(field)s si la cellule est vide") % {"field": target.label},
                    choices=[("", str(_("— aucune —"))), *target.choice_pairs],
                    required=False,
                    initial=batch.defaults.get(target.key, ""),
                )
        self.fields["skip_duplicates"] = forms.BooleanField(
            label=_("Ne pas importer les lignes signalées comme doublons probables"),
            required=False,
            initial=batch.skip_duplicates,
        )
        self.fields["preset_name"] = forms.CharField(
            label=_("Enregistrer cette correspondance comme modèle (facultatif)"),
            max_length=120,
            required=False,
            help_text=_(
                "Donnez-lui un nom pour la reprendre au prochain fichier ; un modèle du même nom est remplacé."
            ),
        )

    def rows(self) -> list[tuple[Any, Any]]:
        """(column field, default field or None) per target, for the template."""
        out = []
        for target in self.schema.targets:
            default = self[f"default_{target.key}"] if target.default_allowed else None
            out.append((self[f"col_{target.key}"], default))
        return out

    def service_data(self) -> dict[str, Any]:
        mapping = {}
        defaults = {}
        for target in self.schema.targets:
            value = self.cleaned_data.get(f"col_{target.key}")
            mapping[target.key] = int(value) if value not in (None, "") else None
            if target.default_allowed:
                defaults[target.key] = self.cleaned_data.get(f"default_{target.key}") or ""
        return {
            "mapping": mapping,
            "defaults": defaults,
            "skip_duplicates": bool(self.cleaned_data.get("skip_duplicates")),
            "preset_name": self.cleaned_data.get("preset_name") or "",
        }
