from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.core.widgets import PrivateFileInput
from fabrique.territories.forms import TerritoryMultipleChoiceField

from .models import Fabrique, Role

TEAM_ROLES = [(value, label) for value, label in Role.choices]


class FabriqueSettingsForm(forms.ModelForm[Fabrique]):
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")
    coverage = TerritoryMultipleChoiceField(
        label=_("Territoire couvert"), required=False, kinds=("commune", "epci", "departement")
    )

    class Meta:
        model = Fabrique
        fields = [
            "name",
            "short_description",
            "description",
            "operator_name",
            "since_year",
            "contact_email",
            "contact_phone",
            "website",
            "logo",
            "public_how_we_work",
            "public_team",
            "committee_opens_study",
            "admins_require_otp",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "public_how_we_work": forms.Textarea(attrs={"rows": 5}),
            "public_team": forms.Textarea(attrs={"rows": 5}),
            "logo": PrivateFileInput,
        }


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rôle"), choices=TEAM_ROLES, initial=Role.OFFICER)


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=TEAM_ROLES)
    is_active = forms.BooleanField(label=_("Accès actif"), required=False)
