"""Forms of the webhook settings pages (parsing only: the rules live in `services.py`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import ChecklistSelectMultiple

from .events import EVENT_TYPE_CHOICES


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Adresse (URL)"),
        max_length=500,
        help_text=_("Adresse https:// du serveur qui reçoit les événements (requête POST, corps JSON)."),
        widget=forms.URLInput(attrs={"placeholder": "https://exemple.fr/webhooks/fabrique"}),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Événements envoyés"),
        choices=EVENT_TYPE_CHOICES,
        widget=ChecklistSelectMultiple,
        error_messages={"required": _("Choisissez au moins un événement.")},
    )

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"].strip()
        if any(c.isspace() or not c.isprintable() for c in url):
            raise forms.ValidationError(_("L'adresse ne doit contenir ni espace ni caractère invisible."))
        return url


class EndpointCreateForm(EndpointForm):
    secret = forms.CharField(
        label=_("Secret de signature"),
        required=False,
        max_length=200,
        strip=True,
        help_text=_(
            "Laissez vide pour qu'un secret sûr soit généré. Il ne sera affiché qu'une fois, "
            "après l'enregistrement."
        ),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class EndpointUpdateForm(EndpointForm):
    is_active = forms.BooleanField(
        label=_("Actif"),
        required=False,
        help_text=_("Réactiver un webhook désactivé remet son compteur d'échecs à zéro."),
    )


class SecretForm(forms.Form):
    secret = forms.CharField(
        label=_("Nouveau secret"),
        required=False,
        max_length=200,
        help_text=_("Laissez vide pour en générer un. L'ancien secret cesse aussitôt de signer."),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
