"""Forms of the support pages. They parse input; `service_data()` is what the services receive.

Business rules (dates coherent, amounts > 0, organisations of the fabrique...) live in
`fabrique.support.services`; the views attach the services' ValidationError to these forms.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import FrenchDecimalField
from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.directory.autocomplete import as_autocomplete

from .milestones import milestone_template, path_of
from .models import (
    FundingLine,
    Milestone,
    Referral,
    SupportActivity,
    SupportPlan,
)
from .selectors import funder_choices, officer_choices, referral_organization_choices

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OfficerField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.email


class SupportPlanStartForm(forms.Form):
    """Start date, officer, objectives, and the proposed due date of each default milestone."""

    started_on = forms.DateField(
        label=_("Début de l'accompagnement"), widget=DATE_WIDGET, validators=[validate_sane_date]
    )
    officer = OfficerField(
        label=_("Chargé·e d'accompagnement"), queryset=None, required=False, empty_label=_("— personne —")
    )
    objectives = forms.CharField(
        label=_("Objectifs"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=LONG_TEXT
    )

    def __init__(self, *args, fabrique, project, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = officer_choices(fabrique=fabrique)
        self.fields["officer"].queryset = choices
        self.fields["started_on"].initial = timezone.localdate()
        # the project's officer, else the person starting the support when they can carry it
        for candidate in (project.officer_id, getattr(user, "pk", None)):
            if candidate and choices.filter(pk=candidate).exists():
                self.fields["officer"].initial = candidate
                break
        self.milestone_count = 0
        for index, (title, months) in enumerate(milestone_template(fabrique, path_of(project))):
            self.milestone_count += 1
            self.fields[f"milestone_{index}"] = forms.DateField(
                label=_("Échéance — %(title)s") % {"title": title},
                required=False,
                widget=DATE_WIDGET,
                help_text=_("Laisser vide : début + %(months)s mois.") % {"months": months},
                validators=[validate_sane_date],
            )

    @property
    def milestone_fields(self):
        return [self[name] for name in self.fields if name.startswith("milestone_")]

    @property
    def plan_fields(self):
        return [self[name] for name in ("started_on", "officer", "objectives")]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("started_on", "officer", "objectives")}
        data["milestone_due_dates"] = [
            self.cleaned_data.get(f"milestone_{i}") for i in range(self.milestone_count)
        ]
        return data


class SupportPlanUpdateForm(forms.ModelForm):
    officer = OfficerField(
        label=_("Chargé·e d'accompagnement"), queryset=None, required=False, empty_label=_("— personne —")
    )

    class Meta:
        model = SupportPlan
        fields = ["started_on", "officer", "objectives"]
        widgets = {"started_on": DATE_WIDGET, "objectives": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officer_choices(fabrique=fabrique)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SupportPlanStopForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'interruption"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "status", "done_on", "notes"]
        widgets = {"due_on": DATE_WIDGET, "done_on": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"done_on": _("Laisser vide pour un jalon fait aujourd'hui.")}

    def __init__(self, *args, fabrique=None, **kwargs):
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["organization", "purpose", "referred_on", "outcome"]
        widgets = {"referred_on": DATE_WIDGET, "outcome": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "organization": _("Réseaux d'accompagnement, financeurs et partenaires de l'annuaire."),
        }

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        # organisations of the directory (thousands at network scale): an autocomplete of those that refer
        self.fields["organization"] = as_autocomplete(
            self.fields["organization"],
            kind="referral",
            fabrique=fabrique,
            queryset=referral_organization_choices(fabrique=fabrique),
        )
        self.fields["referred_on"].initial = timezone.localdate()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class FundingLineForm(forms.ModelForm):
    amount = FrenchDecimalField(label=_("Montant (€)"), max_digits=12, decimal_places=2)

    class Meta:
        model = FundingLine
        fields = ["funder", "source_label", "amount", "status", "requested_on", "decided_on"]
        widgets = {"requested_on": DATE_WIDGET, "decided_on": DATE_WIDGET}
        help_texts = {
            "funder": _("Si le financeur est dans l'annuaire."),
            "source_label": _("Sinon, indiquez la source (par exemple : apport du porteur, prêt d'honneur)."),
        }

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        # organisations of the directory (thousands at network scale): an autocomplete of the funders
        self.fields["funder"] = as_autocomplete(
            self.fields["funder"],
            kind="funder",
            fabrique=fabrique,
            queryset=funder_choices(fabrique=fabrique),
        )
        self.fields["source_label"].required = False

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ActivityForm(forms.ModelForm):
    class Meta:
        model = SupportActivity
        fields = ["date", "kind", "summary", "minutes_spent"]
        widgets = {
            "date": DATE_WIDGET,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "minutes_spent": forms.NumberInput(attrs={"min": 1, "step": 5, "inputmode": "numeric"}),
        }
        help_texts = {"minutes_spent": _("Par exemple 90 pour une heure et demie.")}

    def __init__(self, *args, fabrique=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
