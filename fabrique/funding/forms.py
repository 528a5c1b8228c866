"""Forms of agreements and reporting deadlines (the services validate; the forms parse)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import french_number_formfield
from fabrique.core.indicators import indicators
from fabrique.core.limits import validate_sane_date
from fabrique.directory.autocomplete import RecordChoiceField, as_autocomplete
from fabrique.directory.models import Organization
from fabrique.fabriques.models import Fabrique

from .models import FundingAgreement

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHOICE_LIMIT = 200  # the most recent diagnoses offered in a select (a fabrique draws a few a year)


def _recent(qs: QuerySet[Any], current: Any) -> QuerySet[Any]:
    """The CHOICE_LIMIT most recent rows of `qs`, plus the current value (one bounded subquery)."""
    ids = list(qs.order_by("-created_at").values_list("pk", flat=True)[:CHOICE_LIMIT])
    if current:
        ids.append(current)
    return qs.filter(pk__in=ids)


class AgreementForm(forms.ModelForm[FundingAgreement]):
    required_indicators = forms.MultipleChoiceField(
        label=_("Indicateurs demandés par le financeur"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = FundingAgreement
        formfield_callback = french_number_formfield  # "15 000,50 €"
        fields = [
            "funder",
            "title",
            "reference",
            "scope",
            "study",
            "diagnosis",
            "workstream",
            "support_plan",
            "starts_on",
            "ends_on",
            "amount_granted",
            "amount_paid",
            "status",
            "required_indicators",
            "notes",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, fabrique: Fabrique, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from fabrique.intelligence.models import DiagnosisZone
        from fabrique.studies.models import Study
        from fabrique.support.models import SupportPlan
        from fabrique.workstreams.models import Workstream

        self.fields["funder"] = RecordChoiceField(
            kind="organization", fabrique=fabrique, label=_("Financeur (structure de l'annuaire)")
        )
        fields: Any = self.fields
        fields["study"] = as_autocomplete(
            fields["study"], kind="study", fabrique=fabrique, queryset=Study.objects.filter(fabrique=fabrique)
        )
        fields["diagnosis"].queryset = _recent(
            DiagnosisZone.objects.filter(fabrique=fabrique), self.instance.diagnosis_id
        )
        fields["workstream"].queryset = Workstream.objects.filter(fabrique=fabrique).order_by("name")
        # a network signs thousands of support plans: chosen by autocomplete, searched by project
        fields["support_plan"] = as_autocomplete(
            fields["support_plan"],
            kind="plan",
            fabrique=fabrique,
            queryset=SupportPlan.objects.filter(fabrique=fabrique).select_related("project"),
        )
        fields["required_indicators"].choices = [
            (i.key, str(i.label).capitalize()) for i in indicators(reporting=True)
        ]
        for name in ("study", "diagnosis", "workstream", "support_plan"):
            fields[name].required = False
            fields[name].help_text = _(
                "Seulement si la convention finance cet objet (voir « objet financé »)."
            )

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DeadlineForm(forms.Form):
    label = forms.CharField(label=_("Rendu attendu"), max_length=200)
    due_on = forms.DateField(label=_("Échéance"), widget=DATE, validators=[validate_sane_date])


class FunderReportForm(forms.Form):
    """A funder and a period (or one agreement), a title and the team's narrative sections."""

    funder = forms.ModelChoiceField(label=_("Financeur"), queryset=Organization.objects.none())
    agreement = forms.ModelChoiceField(
        label=_("Convention (facultatif)"),
        queryset=FundingAgreement.objects.none(),
        required=False,
        help_text=_(
            "Avec une convention : les chiffres de ce qu'elle finance et les indicateurs qu'elle demande."
        ),
    )
    title = forms.CharField(label=_("Intitulé du rapport"), max_length=200)
    period_start = forms.DateField(
        label=_("Début de la période"), widget=DATE, validators=[validate_sane_date]
    )
    period_end = forms.DateField(label=_("Fin de la période"), widget=DATE, validators=[validate_sane_date])

    def __init__(self, *args: Any, fabrique: Fabrique, initial_report: Any = None, **kwargs: Any) -> None:
        from fabrique.reporting.filters import funders_of

        from .reports import NARRATIVES
        from .services import NARRATIVE_MAX

        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        # the directory's funders (an agreement, or marked "financeur"): by autocomplete, never listed
        fields["funder"] = as_autocomplete(
            fields["funder"], kind="report_funder", fabrique=fabrique, queryset=funders_of(fabrique)
        )
        # a fabrique signs a few agreements a year: a select stays short
        fields["agreement"].queryset = (
            FundingAgreement.objects.filter(fabrique=fabrique).select_related("funder").order_by("-starts_on")
        )
        for key, label in NARRATIVES:
            self.fields[f"text_{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=NARRATIVE_MAX,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
        if initial_report is not None:
            for key, _label in NARRATIVES:
                self.initial.setdefault(f"text_{key}", (initial_report.narratives or {}).get(key, ""))

    def service_data(self) -> dict[str, Any]:
        from .reports import NARRATIVES

        data = self.cleaned_data
        return {
            "funder": data["funder"],
            "agreement": data.get("agreement"),
            "title": data["title"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "narratives": {key: data.get(f"text_{key}", "") for key, _label in NARRATIVES},
        }
