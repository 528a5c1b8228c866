"""Forms of the committees. They parse and validate input; choices are scoped to the fabrique and the
services check again. Views hand `service_data()` to the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import CHECKLIST_HELP, ChecklistSelectMultiple
from fabrique.core.limits import LONG_TEXT
from fabrique.directory.autocomplete import RecordChoiceField, RecordMultipleChoiceField
from fabrique.directory.models import Person
from fabrique.studies.models import Study

from . import registry
from .models import Committee, CommitteeType, Meeting, MeetingStatus, VoteChoice
from .selectors import AgendaCandidate

MULTI_HELP = CHECKLIST_HELP
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    widget = ChecklistSelectMultiple

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj} ({obj.organization})" if obj.organization_id else str(obj)


def people_of(fabrique):
    return Person.objects.filter(fabrique=fabrique, anonymized_at__isnull=True).select_related("organization")


class CommitteeTypeForm(forms.ModelForm):
    class Meta:
        model = CommitteeType
        fields = ["label", "kind", "description", "order"]
        labels = {"order": _("Ordre d'affichage")}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, fabrique=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CommitteeForm(forms.ModelForm):
    members = PersonMultipleChoiceField(
        label=_("Membres (contacts de l'annuaire)"),
        queryset=Person.objects.none(),
        required=False,
        help_text=MULTI_HELP,
    )

    class Meta:
        model = Committee
        fields = ["name", "committee_type", "description", "members", "quorum", "study"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"study": _("Pour un comité de pilotage : l'étude d'opportunité qu'il suit.")}

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        self.fields["committee_type"].queryset = CommitteeType.objects.filter(fabrique=fabrique)
        self.fields["committee_type"].empty_label = _("— choisir —")
        # the directory holds tens of thousands of contacts at network scale: an autocomplete
        self.fields["members"] = RecordMultipleChoiceField(
            kind="person",
            fabrique=fabrique,
            queryset=people_of(fabrique),
            label=_("Membres (contacts de l'annuaire)"),
            required=False,
        )
        # thousands of studies at network scale: an autocomplete, never a <select> of them all
        self.fields["study"] = RecordChoiceField(
            kind="study",
            fabrique=fabrique,
            queryset=Study.objects.filter(fabrique=fabrique),
            label=self.fields["study"].label,
            help_text=self.fields["study"].help_text,
            required=False,
        )

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MeetingForm(forms.ModelForm):
    attendees = PersonMultipleChoiceField(
        label=_("Présents (contacts de l'annuaire)"),
        queryset=Person.objects.none(),
        required=False,
        help_text=MULTI_HELP,
    )

    class Meta:
        model = Meeting
        fields = ["date", "place", "status", "attendees", "notes"]
        widgets = {"date": DATETIME_WIDGET, "notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        # every contact of the directory (tens of thousands at network scale): an autocomplete with chips
        self.fields["attendees"] = RecordMultipleChoiceField(
            kind="person",
            fabrique=fabrique,
            queryset=people_of(fabrique),
            label=_("Présents (contacts de l'annuaire)"),
            required=False,
        )
        if self.instance.pk is None:
            del self.fields["status"]  # a new meeting is planned; its status changes afterwards
        else:
            self.fields["status"].help_text = _(
                "« Tenue » une fois la séance passée ; une séance qui a des décisions ne peut pas être annulée."
            )
            self.fields["status"].choices = MeetingStatus.choices
        self.fields["date"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


def agenda_option(candidate: AgendaCandidate) -> dict:
    """One answer of the agenda autocomplete: the candidate's key and its label ("Besoin — B-… title")."""
    label = candidate.label
    if candidate.scheduled:
        label = _("%(label)s (déjà inscrit)") % {"label": label}
    return {"value": candidate.key, "label": str(label)}


class AgendaItemForm(forms.Form):
    target = forms.CharField(
        label=_("Dossier à examiner"),
        required=False,
        max_length=100,
        help_text=_(
            "Les dossiers sur lesquels le comité peut décider aujourd'hui : tapez un intitulé ou une "
            "référence, puis choisissez dans la liste. Laissez vide pour un point libre."
        ),
    )
    title = forms.CharField(
        label=_("Intitulé"),
        max_length=250,
        required=False,
        help_text=_("Par défaut, le nom du dossier."),
    )
    presenter = forms.CharField(label=_("Présenté par"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=LONG_TEXT
    )

    def __init__(self, *args, fabrique, **kwargs):
        """The "dossier" is chosen by autocomplete among what awaits a decision (the record search's
        "agenda" source, 20 answers at most); without JavaScript a typed key, reference or title is
        resolved on the server."""
        import json

        from django.urls import reverse

        from fabrique.directory.autocomplete import RecordAutocompleteWidget

        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        widget = RecordAutocompleteWidget(kind="agenda")
        widget.url = reverse("backoffice:record_search", kwargs={"fabrique_slug": fabrique.slug})
        initial = "" if self.is_bound else str(self.initial.get("target") or "")
        found = self._search(initial) if initial else []
        if len(found) == 1:
            widget.attrs["data-initial"] = json.dumps([agenda_option(found[0])], ensure_ascii=False)
            self.initial["target"] = found[0].key
        self.fields["target"].widget = widget

    def _search(self, text: str) -> list[AgendaCandidate]:
        from .selectors import agenda_candidate_search

        return agenda_candidate_search(fabrique=self.fabrique, query=text, limit=6)

    def clean_target(self) -> str:
        text = (self.cleaned_data.get("target") or "").strip()
        if not text:
            return ""
        found = self._search(text)
        exact = [c for c in found if c.key == text]
        if exact or len(found) == 1:
            return (exact or found)[0].key
        if not found:
            raise forms.ValidationError(
                _("Aucun dossier à examiner ne correspond à « %(value)s ».") % {"value": text}
            )
        names = ", ".join(str(c.obj) for c in found[:5])
        raise forms.ValidationError(
            _("« %(value)s » désigne plusieurs dossiers : %(names)s. Précisez.")
            % {"value": text, "names": names}
        )


class DecisionForm(forms.Form):
    """The decision on one object: an outcome among those possible now, its reason and the votes."""

    outcome = forms.ChoiceField(label=_("Décision"), widget=forms.RadioSelect)
    reason_code = forms.ChoiceField(label=_("Motif"), required=False)
    reasons = forms.CharField(
        label=_("Motifs et commentaires"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ils figurent au compte rendu et dans l'historique du dossier."),
        max_length=LONG_TEXT,
    )
    votes_for = forms.IntegerField(label=_("Voix pour"), min_value=0, max_value=999, required=False)
    votes_against = forms.IntegerField(label=_("Voix contre"), min_value=0, max_value=999, required=False)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, max_value=999, required=False)

    def __init__(self, *args, target, with_votes: bool = True, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.member_fields: list[tuple[object, str, str]] = []  # (person, vote field, conflict field)
        # no target (a free agenda item): nothing to decide
        self.options = {o.code: o for o in registry.outcomes_for(target)} if target is not None else {}
        self.fields["outcome"].choices = [(o.code, o.label) for o in self.options.values()]
        reason_groups = [(o.label, list(o.reason_choices)) for o in self.options.values() if o.reason_choices]
        if reason_groups:
            self.fields["reason_code"].choices = [("", _("— aucun —")), *reason_groups]
            self.fields["reason_code"].help_text = _("Selon la décision choisie.")
        else:
            del self.fields["reason_code"]
        if not with_votes:
            for name in ("votes_for", "votes_against", "votes_abstain"):
                del self.fields[name]
        elif meeting is not None and target is not None:
            self._add_member_votes(meeting, target)

    def _add_member_votes(self, meeting, target) -> None:
        """One vote (optional) and one conflict-of-interest box per member present (or every member
        when the attendance is not recorded); conflicts found from the file are pre-checked."""
        members = list(
            meeting.committee.members.filter(deleted_at__isnull=True).select_related("organization")
        )
        present = set(meeting.attendees.values_list("pk", flat=True))
        if present:
            members = [m for m in members if m.pk in present]
        involved = registry.involved_organization_ids(target)
        choices = [("", _("— non exprimé —")), *VoteChoice.choices]
        for person in members:
            vote, conflict = f"vote_{person.pk}", f"conflict_{person.pk}"
            name = f"{person} ({person.organization})" if person.organization_id else str(person)
            self.fields[vote] = forms.ChoiceField(
                label=_("Vote de %(name)s") % {"name": name}, choices=choices, required=False
            )
            self.fields[conflict] = forms.BooleanField(
                label=_("%(name)s déclare un conflit d'intérêts (s'abstient)") % {"name": name},
                required=False,
                initial=person.organization_id in involved,
            )
            if person.organization_id in involved:
                self.fields[vote].initial = VoteChoice.ABSTAIN
                self.fields[conflict].help_text = _("Sa structure est concernée par ce dossier.")
            self.member_fields.append((person, vote, conflict))
        if self.member_fields:
            for name in ("votes_for", "votes_against", "votes_abstain"):
                self.fields[name].help_text = _(
                    "Ou laissez vide et notez le vote de chaque membre ci-dessous."
                )

    def member_votes(self) -> list[dict]:
        votes = []
        for person, vote, conflict in self.member_fields:
            choice = self.cleaned_data.get(vote) or ""
            declared = bool(self.cleaned_data.get(conflict))
            if declared and not choice:
                choice = VoteChoice.ABSTAIN
            if choice:
                votes.append({"person": person, "choice": choice, "conflict": declared})
        return votes

    def service_data(self) -> dict:
        data = {
            "outcome": self.cleaned_data["outcome"],
            "reasons": self.cleaned_data.get("reasons", ""),
            "reason_code": self.cleaned_data.get("reason_code") or "",
        }
        for name in ("votes_for", "votes_against", "votes_abstain"):
            if name in self.fields:
                data[name] = self.cleaned_data.get(name)
        votes = self.member_votes()
        if votes:
            data["member_votes"] = votes
        return data
