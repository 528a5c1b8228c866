"""Forms of the directory. They parse and validate input; the views hand `service_data()` to the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import CHECKLIST_HELP, ChecklistSelectMultiple
from fabrique.core.widgets import PrivateFileInput
from fabrique.territories.forms import CommuneChoiceField  # autocomplete: templates render form.media

from .autocomplete import as_autocomplete
from .models import EcosystemRole, Interaction, Organization, Person
from .selectors import organization_choices, organization_people

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MULTI_HELP = CHECKLIST_HELP


class DuplicateConfirmationMixin:
    """A hidden "not a duplicate" flag that turns into a checkbox once the service found duplicates."""

    duplicates: list = []

    def _add_confirmation_field(self) -> None:
        self.fields["confirm_not_duplicate"] = forms.BooleanField(
            label=_("Je confirme qu'il ne s'agit pas d'un doublon"), required=False, widget=forms.HiddenInput
        )
        self.duplicates = []

    def flag_duplicates(self, exc) -> None:
        self.duplicates = exc.duplicates
        self.fields["confirm_not_duplicate"].widget = forms.CheckboxInput()
        self.add_error(None, exc.message)

    @property
    def allow_duplicate(self) -> bool:
        return bool(self.cleaned_data.get("confirm_not_duplicate"))


class OrganizationForm(DuplicateConfirmationMixin, forms.ModelForm):
    commune = CommuneChoiceField(label=_("Commune"), required=False)
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")
    roles = forms.MultipleChoiceField(
        label=_("Rôles dans l'écosystème"),
        choices=EcosystemRole.choices,
        required=False,
        help_text=MULTI_HELP,
        widget=ChecklistSelectMultiple,
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "siren",
            "roles",
            "address",
            "postal_code",
            "commune",
            "website",
            "email",
            "phone",
            "description",
            "public_supporter",
            "logo",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
            "siren": forms.TextInput(attrs={"inputmode": "numeric"}),
            "logo": PrivateFileInput,
        }

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        self._add_confirmation_field()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PersonForm(DuplicateConfirmationMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "organization",
            "job_title",
            "email",
            "phone",
            "notes",
            "purpose",
            "legal_basis",
            "consent_given",
            "consent_date",
            "consent_source",
            "retention_until",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "consent_date": DATE_WIDGET,
            "retention_until": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        # tens of thousands of organisations at network scale: an autocomplete, never a <select>
        self.fields["organization"] = as_autocomplete(
            self.fields["organization"],
            kind="organization",
            fabrique=fabrique,
            queryset=organization_choices(fabrique=fabrique),
        )
        self._add_confirmation_field()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class InteractionForm(forms.ModelForm):
    """An exchange with an organisation (optionally one of its people) or with a person."""

    class Meta:
        model = Interaction
        fields = ["date", "kind", "person", "summary"]
        widgets = {"date": DATE_WIDGET, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = organization_people(organization=organization)
            self.fields["person"].label = _("Contact concerné (facultatif)")

    def service_data(self) -> dict:
        return dict(self.cleaned_data)
