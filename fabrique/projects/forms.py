"""Forms of the projects. They parse and validate input; the views hand `service_data()` to the services.
Choices are scoped to the fabrique; the services check again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import CHECKLIST_HELP, ChecklistSelectMultiple
from fabrique.core.limits import LONG_TEXT
from fabrique.directory.autocomplete import RecordChoiceField, RecordMultipleChoiceField
from fabrique.directory.models import Organization, Person
from fabrique.territories.forms import CommuneChoiceField
from fabrique.workstreams.models import Workstream

from .models import Project, StopReason
from .selectors import officer_candidates


class ProjectForm(forms.ModelForm):
    commune = CommuneChoiceField(label=_("Commune d'implantation"), required=False)

    class Meta:
        model = Project
        fields = ["title", "summary", "public_summary", "is_public", "workstream", "officer", "commune"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "public_summary": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "public_summary": _(
                "Ce que montre le portfolio public : pas de nom de personne ni de donnée confidentielle."
            ),
            "is_public": _("Le projet apparaît alors sur la page publique des projets de la fabrique."),
        }

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        self.fields["workstream"].queryset = Workstream.objects.filter(fabrique=fabrique)
        self.fields["officer"].queryset = officer_candidates(fabrique=fabrique)
        self.fields["officer"].label_from_instance = lambda u: u.get_full_name() or u.email

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProjectCreateForm(ProjectForm):
    needs = forms.ModelMultipleChoiceField(
        label=_("Besoins auxquels il répond"),
        queryset=None,
        required=False,
        help_text=CHECKLIST_HELP,
        widget=ChecklistSelectMultiple,
    )

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, fabrique=fabrique, **kwargs)
        from fabrique.needs.models import Need

        # every need of the fabrique (thousands at network scale): an autocomplete
        self.fields["needs"] = RecordMultipleChoiceField(
            kind="need",
            fabrique=fabrique,
            queryset=Need.objects.filter(fabrique=fabrique).order_by("-created_at"),
            label=_("Besoins auxquels il répond"),
            required=False,
        )


class ProjectStopForm(forms.Form):
    reason = forms.ChoiceField(label=_("Motif de l'arrêt"), choices=[("", "—"), *StopReason.choices])
    details = forms.CharField(
        label=_("Précisions"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_(
            "Ce qui s'est passé, ce que la fabrique en retient. Obligatoire pour le motif « autre »."
        ),
        max_length=LONG_TEXT,
    )


class DirectApproachForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Contact de l'annuaire"), queryset=None, required=False)
    organization = forms.ModelChoiceField(label=_("Structure de l'annuaire"), queryset=None, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Laissez vide pour reprendre celui de l'annuaire."),
    )
    phone = forms.CharField(label=_("Téléphone"), required=False, max_length=30)
    motivation = forms.CharField(
        label=_("Pourquoi ce porteur"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    experience = forms.CharField(
        label=_("Parcours et compétences"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=LONG_TEXT,
    )
    designate = forms.BooleanField(
        label=_("Le désigner directement comme porteur du projet (décision de l'équipe)"), required=False
    )
    reasons = forms.CharField(
        label=_("Motifs de la décision"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Si vous le désignez directement : ce qui justifie ce choix sans appel à porteurs."),
        max_length=LONG_TEXT,
    )

    def __init__(self, *args, fabrique, can_decide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # the directory holds tens of thousands of contacts at network scale: autocompletes
        self.fields["person"] = RecordChoiceField(
            kind="person",
            fabrique=fabrique,
            queryset=Person.objects.filter(fabrique=fabrique, anonymized_at__isnull=True).select_related(
                "organization"
            ),
            label=_("Contact de l'annuaire"),
            required=False,
        )
        self.fields["organization"] = RecordChoiceField(
            kind="organization",
            fabrique=fabrique,
            queryset=Organization.objects.filter(fabrique=fabrique),
            label=_("Structure de l'annuaire"),
            required=False,
        )
        if not can_decide:
            del self.fields["designate"]
            del self.fields["reasons"]

    def clean(self):
        # a contact or a structure: application_create_direct's rule (its error shows on "person")
        cleaned = super().clean()
        if cleaned.get("designate") and not (cleaned.get("reasons") or "").strip():
            self.add_error("reasons", _("Indiquez les motifs de la désignation directe."))
        return cleaned
