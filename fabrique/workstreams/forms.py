"""Forms of the workstreams. Choices are scoped to the fabrique; the services check again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import CHECKLIST_HELP
from fabrique.directory.autocomplete import RecordChoiceField, RecordMultipleChoiceField
from fabrique.directory.selectors import organization_choices

from .models import Workstream
from .selectors import workstream_lead_candidates

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique


class WorkstreamForm(forms.ModelForm[Workstream]):
    members = forms.Field(required=False)  # replaced in __init__ by an autocomplete of the directory

    class Meta:
        model = Workstream
        fields = ["name", "code", "status", "lead", "members", "colour", "description"]
        widgets = {
            "colour": forms.TextInput(attrs={"placeholder": "#1f4e79", "size": 8}),
        }
        help_texts = {"members": CHECKLIST_HELP}

    def __init__(self, *args: Any, fabrique: Fabrique, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        self.fields["code"].required = False
        lead = self.fields["lead"]
        assert isinstance(lead, forms.ModelChoiceField)
        lead.queryset = workstream_lead_candidates(fabrique=fabrique)
        # tens of thousands of organisations at network scale: an autocomplete, never a list of them all
        self.fields["members"] = RecordMultipleChoiceField(
            kind="organization",
            fabrique=fabrique,
            queryset=organization_choices(fabrique=fabrique),
            label=_("Structures membres"),
            required=False,
        )

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MemberAddForm(forms.Form):
    organization = forms.Field(label=_("Structure à ajouter"))

    def __init__(self, *args: Any, workstream: Workstream, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"] = RecordChoiceField(
            kind="organization",
            fabrique=workstream.fabrique,
            queryset=organization_choices(fabrique=workstream.fabrique).exclude(workstreams=workstream),
            label=_("Structure à ajouter"),
        )
