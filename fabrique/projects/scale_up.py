"""The form of the change-of-scale path (service: `projects.services.project_create_scale_up`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT
from fabrique.directory.autocomplete import RecordChoiceField
from fabrique.fabriques.models import Fabrique


class ScaleUpForm(forms.Form):
    title = forms.CharField(label=_("Intitulé du projet"), max_length=200)
    summary = forms.CharField(
        label=_("Ce que la structure va faire ici (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=LONG_TEXT,
    )
    reasons = forms.CharField(
        label=_("Pourquoi confier ce besoin à cette structure"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=LONG_TEXT,
        help_text=_("Inscrit dans l'historique du besoin et du projet."),
    )

    def __init__(self, *args: Any, fabrique: Fabrique, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"] = RecordChoiceField(
            kind="organization",
            fabrique=fabrique,
            label=_("Structure existante qui étend son activité"),
        )
        self.order_fields(["organization", "title", "summary", "reasons"])
