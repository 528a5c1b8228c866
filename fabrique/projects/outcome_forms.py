"""Forms of the outcome pages: the enterprise created and its follow-ups.

The checks (SIRET, dates, jobs) live in `fabrique.projects.outcome`; the forms parse input and show
the services' French errors next to the right field.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import FrenchDecimalField
from fabrique.directory.autocomplete import as_autocomplete
from fabrique.directory.selectors import organization_choices
from fabrique.territories.forms import CommuneChoiceField

from .models import Enterprise, FollowUp, FollowUpHorizon

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _jobs_field(label, *, required: bool) -> FrenchDecimalField:
    return FrenchDecimalField(
        label=label,
        required=required,
        max_digits=6,
        decimal_places=1,
        help_text=_("Équivalents temps plein, par exemple 2,5 (0 si aucun)."),
    )


class EnterpriseForm(forms.ModelForm):
    commune = CommuneChoiceField(label=_("Commune du siège"), required=False)
    jobs_fte = _jobs_field(_("Emplois à la création (ETP)"), required=True)
    siret = forms.CharField(
        label=_("SIRET"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_(
            "14 chiffres ; facultatif seulement pour la nouvelle activité d'une structure existante."
        ),
    )
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https", max_length=200)
    create_organization = forms.BooleanField(
        label=_("Créer la fiche de cette structure dans l'annuaire"), required=False
    )

    class Meta:
        model = Enterprise
        fields = [
            "legal_name",
            "legal_form",
            "siret",
            "created_on",
            "jobs_fte",
            "commune",
            "website",
            "organization",
        ]
        widgets = {"created_on": DATE_WIDGET}
        labels = {"organization": _("Fiche existante dans l'annuaire")}
        help_texts = {"organization": _("Par exemple la structure porteuse d'une nouvelle activité.")}

    def __init__(self, *args, fabrique, with_create_option: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # tens of thousands of organisations at network scale: an autocomplete, never a <select>
        self.fields["organization"] = as_autocomplete(
            self.fields["organization"],
            kind="organization",
            fabrique=fabrique,
            queryset=organization_choices(fabrique=fabrique),
        )
        self.fields["created_on"].initial = timezone.localdate()
        if not with_create_option:
            del self.fields["create_organization"]

    def _post_clean(self):
        # model validation happens in the service (projects.outcome.enterprise_clean)
        pass

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if "create_organization" in self.fields:
            data["create_organization"] = self.cleaned_data["create_organization"]
        return data


class FollowUpForm(forms.ModelForm):
    jobs_fte = _jobs_field(_("Emplois (ETP)"), required=False)

    class Meta:
        model = FollowUp
        fields = ["horizon", "observed_on", "still_active", "jobs_fte", "notes"]
        widgets = {"observed_on": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, fabrique=None, horizon: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observed_on"].initial = timezone.localdate()
        self.fields["horizon"].choices = FollowUpHorizon.choices
        if horizon in FollowUpHorizon.values:
            self.fields["horizon"].initial = horizon

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
