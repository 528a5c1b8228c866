"""Forms of the recruitment: calls and their grid, evaluators, the public application, the
evaluation grid and the staff decision. They validate input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.directory.validators import phone_normalize, validate_phone

from .models import Application, Call
from .selectors import evaluator_candidates
from .services import MAX_CRITERION_SCORE, MAX_WEIGHT
from .validators import validate_application_document

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = [
            "title",
            "description",
            "profile_sought",
            "selection_criteria",
            "support_offered",
            "deadline",
        ]
        widgets = {
            "deadline": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 6}),
            "profile_sought": forms.Textarea(attrs={"rows": 4}),
            "selection_criteria": forms.Textarea(attrs={"rows": 4}),
            "support_offered": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "description": _(
                "Le projet tel que le public le découvrira : besoin, réponse imaginée, territoire."
            ),
            "selection_criteria": _("Affiché sur la page publique de l'appel."),
        }

    def __init__(self, *args, fabrique=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CriterionForm(forms.Form):
    label = forms.CharField(label=_("Critère"), max_length=200, required=False)
    weight = forms.IntegerField(
        label=_("Poids"), min_value=1, max_value=MAX_WEIGHT, required=False, initial=1
    )
    max_score = forms.IntegerField(
        label=_("Note maximale"), min_value=1, max_value=MAX_CRITERION_SCORE, required=False, initial=5
    )


class BaseCriterionFormSet(forms.BaseFormSet):
    """The grid's rows. Its rules (at least one criterion, no two alike, bounds) are the call
    services' (`recruitment.services._clean_criteria`): the view shows their "criteria" error here."""

    def rows(self) -> list[dict]:
        return [
            {
                "label": f.cleaned_data["label"],
                "weight": f.cleaned_data.get("weight"),
                "max_score": f.cleaned_data.get("max_score"),
            }
            for f in self.forms
            if (f.cleaned_data or {}).get("label")
        ]


CriterionFormSet = forms.formset_factory(CriterionForm, formset=BaseCriterionFormSet, extra=2, max_num=20)


class CallEvaluatorsForm(forms.Form):
    evaluators = forms.ModelMultipleChoiceField(
        label=_("Évaluateur·rices"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Membres de l'équipe ou du comité qui participent aux décisions."),
    )

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluators"].queryset = evaluator_candidates(fabrique=fabrique)
        self.fields["evaluators"].label_from_instance = lambda u: u.get_full_name() or u.email


class CallCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi annuler l'appel ?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=LONG_TEXT
    )


class ApplicationForm(forms.ModelForm):
    """The public application form."""

    document = forms.FileField(
        label=_("Votre dossier de candidature"),
        help_text=_("PDF, ODT ou DOCX, 10 Mo au plus."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.odt,.docx,application/pdf,application/vnd.oasis.opendocument.text,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        ),
    )
    consent_processing = forms.BooleanField(
        label=_(
            "J'accepte que la fabrique conserve et utilise ces informations pour étudier ma candidature "
            "et me recontacter à son sujet."
        ),
        error_messages={"required": _("Nous ne pouvons étudier votre candidature sans votre accord.")},
    )
    # left empty by people; robots fill it
    website = forms.CharField(label=_("Ne pas remplir ce champ"), required=False, max_length=LONG_TEXT)

    class Meta:
        model = Application
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "organization_name",
            "motivation",
            "experience",
        ]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "motivation": forms.Textarea(attrs={"rows": 6}),
            "experience": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {"motivation": _("Pourquoi ce projet vous intéresse")}
        help_texts = {
            "organization_name": _("Seulement si vous candidatez au nom d'une structure existante."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        optional = _("(facultatif)")
        for name, field in self.fields.items():
            if name != "website" and not field.required and not isinstance(field, forms.BooleanField):
                field.label = f"{field.label} {optional}"

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if phone:
            validate_phone(phone)
            phone = phone_normalize(phone)
        return phone

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document:
            validate_application_document(document)
        return document

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["consent_processing"] = self.cleaned_data["consent_processing"]
        return data


class EvaluationForm(forms.Form):
    """One score (0..max) and a comment per criterion, and an overall comment."""

    comment = forms.CharField(
        label=_("Appréciation générale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=LONG_TEXT,
    )

    def __init__(self, *args, criteria, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        existing = {s.criterion_id: s for s in evaluation.scores.all()} if evaluation is not None else {}
        if evaluation is not None and not self.is_bound:
            self.initial["comment"] = evaluation.comment
        for criterion in criteria:
            score = existing.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("%(label)s — note sur %(max)s (poids %(weight)s)")
                % {"label": criterion.label, "max": criterion.max_score, "weight": criterion.weight},
                min_value=0,
                max_value=criterion.max_score,
                required=False,
                initial=score.score if score else None,
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "min": 0, "max": criterion.max_score}
                ),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Commentaire sur « %(label)s »") % {"label": criterion.label},
                required=False,
                initial=score.comment if score else "",
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=LONG_TEXT,
            )
        self.order_fields([*(f for c in criteria for f in (f"score_{c.pk}", f"comment_{c.pk}")), "comment"])

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"comment_{c.pk}") or "")
            for c in self.criteria
        }


class DecisionForm(forms.Form):
    """A staff decision on an application (outcomes from the decision registry)."""

    outcome = forms.ChoiceField(label=_("Décision"), widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("Motifs"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=LONG_TEXT
    )
    decided_on = forms.DateField(
        label=_("Date de la décision"), widget=DATE_WIDGET, required=False, validators=[validate_sane_date]
    )

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {o.code: o for o in outcomes}
        self.fields["outcome"].choices = [(o.code, o.label) for o in outcomes]
        if not self.is_bound:
            self.initial.setdefault("decided_on", timezone.localdate())
