"""Paramètres › Méthode (administrators): the fabrique's own words for its method — the labels of the
stages of every workflow, the milestones proposed when a support starts (creation and change of
scale), and the texts of the e-mails sent to reporters and candidates. Criteria and committee types
have their own settings pages (needs, committees)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.audit.selectors import audit_timeline
from fabrique.core.emailtexts import EMAIL_TEXTS, check_email_text
from fabrique.core.workflow import Workflow
from fabrique.fabriques.models import Fabrique, Permission
from fabrique.fabriques.services import fabrique_configure_method
from fabrique.support.milestones import (
    DEFAULT_TEMPLATES,
    PATHS,
    format_template,
    milestone_template,
    parse_template,
)

from .base import ServiceFormView


def workflows() -> list[tuple[str, str, Workflow]]:
    """(model label, French name, workflow) of every model with a state machine, in a stable order."""
    found = []
    for model in apps.get_models():
        workflow = getattr(model, "workflow", None)
        if isinstance(workflow, Workflow):
            found.append((model._meta.label_lower, str(model._meta.verbose_name_plural), workflow))
    return sorted(found, key=lambda row: row[0])


# the order of the chain; import batches are a technical step with no label of the fabrique's own
LABELLED_WORKFLOWS = (
    "needs.needreport",
    "needs.need",
    "studies.study",
    "projects.project",
    "recruitment.call",
    "recruitment.application",
    "support.supportplan",
    "committees.meeting",
)


def labelled_workflows() -> list[tuple[str, str, Workflow]]:
    found = {row[0]: row for row in workflows()}
    return [found[label] for label in LABELLED_WORKFLOWS if label in found]


def _stage_field(model: str, stage: str) -> str:
    return f"stage__{model.replace('.', '__')}__{stage}"


class MethodSettingsForm(forms.Form):
    def __init__(self, *args: Any, fabrique: Fabrique, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        self.stage_groups: list[tuple[str, list[str]]] = []
        for model, name, workflow in labelled_workflows():
            names = []
            for stage in workflow.stages:
                field_name = _stage_field(model, stage.value)
                self.fields[field_name] = forms.CharField(
                    label=str(stage.label),
                    required=False,
                    max_length=60,
                    initial=(fabrique.stage_labels or {}).get(model, {}).get(stage.value, ""),
                    widget=forms.TextInput(attrs={"placeholder": str(stage.label)}),
                )
                names.append(field_name)
            self.stage_groups.append((name, names))
        for key, label in PATHS.items():
            own = (fabrique.milestone_templates or {}).get(key)
            self.fields[f"milestones_{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=6000,
                initial=format_template(milestone_template(fabrique, key)) if own else "",
                widget=forms.Textarea(
                    attrs={
                        "rows": 7,
                        "placeholder": format_template([(str(t), m) for t, m in DEFAULT_TEMPLATES[key]]),
                    }
                ),
                help_text=gettext_lazy(
                    "Un jalon par ligne : « Titre | nombre de mois après le début ». Laisser vide pour la "
                    "liste standard (affichée en grisé)."
                ),
            )
        for key, spec in EMAIL_TEXTS.items():
            self.fields[f"email_{key}"] = forms.CharField(
                label=f"{spec.label} ({str(spec.audience).lower()})",
                required=False,
                max_length=2000,
                initial=(fabrique.email_texts or {}).get(key, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=gettext_lazy(
                    "Remplace le paragraphe principal du message standard. Variables : %(v)s."
                )
                % {"v": ", ".join(f"{{{name}}}" for name in spec.placeholders)},
            )

    @property
    def stage_fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(name, [self[f] for f in names]) for name, names in self.stage_groups]

    @property
    def milestone_fields(self) -> list[forms.BoundField]:
        return [self[f"milestones_{key}"] for key in PATHS]

    @property
    def email_fields(self) -> list[forms.BoundField]:
        return [self[f"email_{key}"] for key in EMAIL_TEXTS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key in PATHS:
            name = f"milestones_{key}"
            if name in cleaned:
                try:
                    cleaned[name] = parse_template(cleaned[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        for key in EMAIL_TEXTS:
            name = f"email_{key}"
            if name in cleaned:
                try:
                    cleaned[name] = check_email_text(key, cleaned[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "stage_labels": {
                model: {
                    stage.value: data.get(_stage_field(model, stage.value), "") for stage in workflow.stages
                }
                for model, _name, workflow in labelled_workflows()
            },
            "milestone_templates": {key: data.get(f"milestones_{key}") or [] for key in PATHS},
            "email_texts": {key: data.get(f"email_{key}", "") for key in EMAIL_TEXTS},
        }


class MethodSettingsView(ServiceFormView):
    permission = Permission.MANAGE
    template_name = "backoffice/settings/method.html"
    form_class = MethodSettingsForm

    def perform(self, form: MethodSettingsForm) -> Fabrique:
        return fabrique_configure_method(
            fabrique=self.fabrique,
            actor=self.user,
            **form.service_data(),
        )

    def get_success_message(self, obj: Fabrique) -> str:
        return _("Les réglages de la méthode sont enregistrés.")

    def success_url_for(self, obj: Fabrique) -> str:
        return self.url("method_settings")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["timeline"] = audit_timeline(target=self.fabrique, limit=20)
        return context


urlpatterns = [path("parametres/methode/", MethodSettingsView.as_view(), name="method_settings")]
