"""Forms of the opportunity studies. Choices are scoped to the fabrique; the services check again."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from fabrique.committees.forms import MULTI_HELP, PersonMultipleChoiceField, people_of
from fabrique.core.forms import ChecklistSelectMultiple, french_number_formfield
from fabrique.directory.autocomplete import RecordMultipleChoiceField
from fabrique.directory.models import Organization, Person
from fabrique.fabriques.models import Role
from fabrique.workstreams.models import Workstream

from .models import BenchmarkEntry, Scenario, Study, Workshop
from .selectors import retained_needs

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NeedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} ({obj.get_stage_display()})"


class StudyForm(forms.ModelForm):
    steering_people = PersonMultipleChoiceField(
        label=_("Groupe de pilotage : personnes"),
        queryset=Person.objects.none(),
        required=False,
        help_text=MULTI_HELP,
    )

    class Meta:
        model = Study
        fields = [
            "title",
            "summary",
            "workstream",
            "officer",
            "started_on",
            "due_on",
            "steering_people",
            "steering_organizations",
            "conclusion",
        ]
        widgets = {
            "started_on": DATE_WIDGET,
            "due_on": DATE_WIDGET,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "conclusion": forms.Textarea(attrs={"rows": 8}),
            "steering_organizations": ChecklistSelectMultiple,
        }
        labels = {"steering_organizations": _("Groupe de pilotage : structures")}
        help_texts = {
            "steering_organizations": MULTI_HELP,
            "conclusion": _("Ce que l'étude conclut : le modèle qui émerge, ou pourquoi aucun n'émerge."),
        }

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        self.fields["workstream"].queryset = Workstream.objects.filter(fabrique=fabrique)
        self.fields["officer"].queryset = (
            get_user_model()
            .objects.filter(
                memberships__fabrique=fabrique,
                memberships__is_active=True,
                memberships__role__in=[Role.ADMIN, Role.OFFICER],
            )
            .distinct()
        )
        # the directory holds tens of thousands of rows at network scale: autocompletes
        self.fields["steering_people"] = RecordMultipleChoiceField(
            kind="person",
            fabrique=fabrique,
            queryset=people_of(fabrique),
            label=_("Groupe de pilotage : personnes"),
            required=False,
        )
        self.fields["steering_organizations"] = RecordMultipleChoiceField(
            kind="organization",
            fabrique=fabrique,
            queryset=Organization.objects.filter(fabrique=fabrique),
            label=_("Groupe de pilotage : structures"),
            required=False,
        )

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.Meta.fields}


class StudyOpenForm(StudyForm):
    """Open a study: the retained needs it studies, then the same fields as the study, without conclusion."""

    needs = NeedMultipleChoiceField(
        label=_("Besoins étudiés"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Seuls les besoins retenus peuvent faire l'objet d'une étude d'opportunité."),
    )

    field_order = ["needs"]

    def __init__(self, *args, fabrique, requested_needs=(), **kwargs):
        super().__init__(*args, fabrique=fabrique, **kwargs)
        del self.fields["conclusion"]
        # the retained needs may be hundreds at network scale: an autocomplete of them, with chips
        needs = RecordMultipleChoiceField(
            kind="retained_need",
            fabrique=fabrique,
            queryset=retained_needs(fabrique=fabrique, include_pks=requested_needs),
            label=_("Besoins étudiés"),
            help_text=_("Seuls les besoins retenus peuvent faire l'objet d'une étude d'opportunité."),
        )
        needs.error_messages["required"] = _("Choisissez au moins un besoin retenu à étudier.")
        self.fields["needs"] = needs
        self.order_fields(["needs", *self.Meta.fields])


class WorkshopForm(forms.ModelForm):
    participants = PersonMultipleChoiceField(
        label=_("Participants de l'annuaire"),
        queryset=Person.objects.none(),
        required=False,
        help_text=MULTI_HELP,
    )

    class Meta:
        model = Workshop
        fields = [
            "kind",
            "title",
            "date",
            "place",
            "participants",
            "other_participants",
            "participants_count",
            "notes",
            "decisions",
        ]
        widgets = {
            "date": DATE_WIDGET,
            "other_participants": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 6}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        # every contact of the directory (tens of thousands at network scale): an autocomplete with chips
        self.fields["participants"] = RecordMultipleChoiceField(
            kind="person",
            fabrique=fabrique,
            queryset=people_of(fabrique),
            label=_("Participants de l'annuaire"),
            required=False,
        )

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = [
            "title",
            "description",
            "pros",
            "cons",
            "value_proposition",
            "beneficiaries",
            "revenue_sources",
            "main_costs",
            "partners",
            "jobs_estimate",
            "is_preferred",
        ]
        formfield_callback = french_number_formfield  # "2,5" emplois
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "description",
                "pros",
                "cons",
                "value_proposition",
                "beneficiaries",
                "revenue_sources",
                "main_costs",
                "partners",
            )
        }
        help_texts = {
            "is_preferred": _("Une seule piste privilégiée par étude : elle remplace la précédente.")
        }

    # the economic sketch, shown as its own fieldset
    ECONOMIC = (
        "value_proposition",
        "beneficiaries",
        "revenue_sources",
        "main_costs",
        "partners",
        "jobs_estimate",
    )

    def general_fields(self):
        return [self[name] for name in self.fields if name not in self.ECONOMIC]

    def economic_fields(self):
        return [self[name] for name in self.ECONOMIC]

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BenchmarkForm(forms.ModelForm):
    url = forms.URLField(label=_("Lien"), required=False, assume_scheme="https")

    class Meta:
        model = BenchmarkEntry
        fields = ["name", "location", "is_local", "description", "lessons", "url"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "lessons": forms.Textarea(attrs={"rows": 3}),
        }

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
