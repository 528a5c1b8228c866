"""Choosing a row of a table that grows (people, organisations, needs, studies, support plans, funders, the
agenda's dossiers: `SCOPES`) without listing it: a text input
that `territory-autocomplete.js` turns into a combobox fed by the back-office search endpoint
(`backoffice:record_search`, at most RECORD_SEARCH_LIMIT rows per answer, one bounded query), and that
the server resolves without JavaScript (an id, or a name matching exactly one row).

A `<select>` of every person of a fabrique took 5.8 s to render with 15,000 contacts (issue 10).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.widgets import Script
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fabrique.core.models import search_text_q

from .models import Organization, Person
from .selectors import organization_search_q, person_search_q

RECORD_SEARCH_LIMIT = 20
DELIMITER = ";"


def _need_model():
    from fabrique.needs.models import Need

    return Need


def _people(fabrique) -> QuerySet:
    return Person.objects.filter(fabrique=fabrique).select_related("organization")


def _organizations(fabrique) -> QuerySet:
    return Organization.objects.filter(fabrique=fabrique)


def _needs(fabrique) -> QuerySet:
    return _need_model().objects.filter(fabrique=fabrique)


def _retained_needs(fabrique) -> QuerySet:
    from fabrique.needs.models import NeedStage

    return _needs(fabrique).filter(stage=NeedStage.RETAINED)


def _open_needs(fabrique) -> QuerySet:
    from fabrique.needs.grouping import SUGGESTABLE_STAGES

    return _needs(fabrique).filter(stage__in=SUGGESTABLE_STAGES)


def _studies(fabrique) -> QuerySet:
    from fabrique.studies.models import Study

    return Study.objects.filter(fabrique=fabrique)


def _funders(fabrique) -> QuerySet:
    from fabrique.support.services import funder_organizations_q

    return _organizations(fabrique).filter(funder_organizations_q())


def _agreement_funders(fabrique) -> QuerySet:
    from fabrique.reporting.filters import funders_with_agreements

    return funders_with_agreements(fabrique)


def _report_funders(fabrique) -> QuerySet:
    from fabrique.reporting.filters import funders_of

    return funders_of(fabrique)


def _support_plans(fabrique) -> QuerySet:
    from fabrique.support.models import SupportPlan

    return SupportPlan.objects.filter(fabrique=fabrique).select_related("project")


def _referral_organizations(fabrique) -> QuerySet:
    from fabrique.support.services import referral_organizations_q

    return _organizations(fabrique).filter(referral_organizations_q())


def _agenda_options(fabrique, query: str, limit: int) -> list[dict]:
    from fabrique.committees.forms import agenda_option
    from fabrique.committees.selectors import agenda_candidate_search

    return [agenda_option(c) for c in agenda_candidate_search(fabrique=fabrique, query=query, limit=limit)]


@dataclass(frozen=True)
class Scope:
    """What one autocomplete chooses from: the rows of the fabrique (`rows`), searched as `search`
    ("person", "organization", "need", "study" or "plan"), newest first when `recent`; or, for
    choices that are not the rows of one table, `options(fabrique, query, limit)` answers them."""

    search: str
    rows: Callable[[Any], QuerySet] | None
    empty: Any
    recent: bool = False
    options: Callable[[Any, str, int], list[dict]] | None = None


# the `types` the search endpoint answers (`data-types` of the widget)
SCOPES: dict[str, Scope] = {
    "person": Scope("person", _people, _("Aucun contact trouvé.")),
    "organization": Scope("organization", _organizations, _("Aucune structure trouvée.")),
    "funder": Scope("organization", _funders, _("Aucun financeur trouvé.")),
    # the funders with an agreement of the fabrique (the reporting filter counts nothing for the others)
    "agreement_funder": Scope("organization", _agreement_funders, _("Aucun financeur conventionné trouvé.")),
    # the funders a funder report can be written for: an agreement, or marked "financeur"
    "report_funder": Scope("organization", _report_funders, _("Aucun financeur trouvé.")),
    "referral": Scope("organization", _referral_organizations, _("Aucune structure trouvée.")),
    "need": Scope("need", _needs, _("Aucun besoin trouvé."), recent=True),
    "retained_need": Scope("need", _retained_needs, _("Aucun besoin retenu trouvé."), recent=True),
    "open_need": Scope("need", _open_needs, _("Aucun besoin ouvert trouvé."), recent=True),
    "study": Scope("study", _studies, _("Aucune étude trouvée."), recent=True),
    "plan": Scope("plan", _support_plans, _("Aucun accompagnement trouvé."), recent=True),
    # what a committee can decide on now (needs, studies, applications): the agenda's "dossier"
    "agenda": Scope("agenda", None, _("Aucun dossier à examiner trouvé."), options=_agenda_options),
}
KINDS = tuple(SCOPES)


def record_label(obj) -> str:
    if isinstance(obj, Person) and obj.organization_id and "organization" in obj._state.fields_cache:
        return f"{obj} ({obj.organization})"
    if "project" in obj._state.fields_cache and obj.project is not None and obj.project.reference:
        return f"{obj} ({obj.project.reference})"  # a support plan: its project's reference
    return str(obj)


def _title_or_reference_q(query: str, prefix: str = "") -> Q | None:
    """The exact reference, or every word in the stored folded search column (accents and case
    ignored: core.models.SearchText)."""
    query = (query or "").strip()
    if not query:
        return None
    by_reference = Q(**{f"{prefix}reference__iexact": query})
    by_words = search_text_q(query, prefix=prefix)
    return by_reference | by_words if by_words is not None else by_reference


def record_search_q(kind: str, query: str) -> Q | None:
    search = SCOPES[kind].search if kind in SCOPES else kind
    if search == "person":
        q = person_search_q(query)
        return q & Q(anonymized_at__isnull=True) if q is not None else None
    if search == "organization":
        return organization_search_q(query)
    if search == "plan":  # a support plan is named by its project
        return _title_or_reference_q(query, prefix="project__")
    return _title_or_reference_q(query)


def record_queryset(kind: str, fabrique) -> QuerySet:
    rows = SCOPES[kind].rows
    assert rows is not None, f"the {kind} autocomplete answers options, not rows"
    return rows(fabrique)


def record_search(*, fabrique, kind: str, query: str, limit: int = RECORD_SEARCH_LIMIT) -> list[dict]:
    """At most `limit` rows of the fabrique matching `query`, as autocomplete options."""
    if kind not in SCOPES:
        return []
    options = SCOPES[kind].options
    if options is not None:
        return options(fabrique, query, limit)
    q = record_search_q(kind, query)
    if q is None:
        return []
    rows = record_queryset(kind, fabrique).filter(q)
    if SCOPES[kind].recent:
        rows = rows.order_by("-created_at", "-pk")
    return [{"value": str(obj.pk), "label": record_label(obj)} for obj in rows[:limit]]


class RecordAutocompleteWidget(forms.TextInput):
    """The territory autocomplete's markup and script, pointed at the back-office record search."""

    def __init__(self, *, kind: str, multiple: bool = False, attrs=None):
        super().__init__(attrs)
        self.kind = kind
        self.multiple = multiple
        self.url = ""

    @property
    def media(self):
        return forms.Media(
            css={"all": ["fabrique/vendor/tom-select.css"]},
            js=[
                Script("fabrique/vendor/tom-select.complete.min.js", defer=True),  # type: ignore[list-item]
                Script("fabrique/js/territory-autocomplete.js", defer=True),  # type: ignore[list-item]
            ],
        )

    def value_from_datadict(self, data, files, name):
        if self.multiple and hasattr(data, "getlist"):
            values = [str(v) for v in data.getlist(name) if str(v).strip()]
            return DELIMITER.join(values) if values else None
        return super().value_from_datadict(data, files, name)

    def format_value(self, value):
        if isinstance(value, _Shown):
            return str(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.update(
            {
                "data-territory-autocomplete": "",
                "data-url": self.url,
                "data-types": self.kind,
                "data-msg-no-results": SCOPES[self.kind].empty,
                "data-msg-loading": _("Recherche…"),
                "data-msg-type-more": _("Tapez au moins deux caractères."),
                "data-msg-remove": _("Retirer"),
                "autocomplete": "off",
                "spellcheck": "false",
            }
        )
        if self.multiple:
            widget_attrs["data-multiple"] = ""
        items = value.items if isinstance(value, _Shown) else []
        if items:
            widget_attrs["data-initial"] = json.dumps(items, ensure_ascii=False)
        return context


class _Shown(str):
    """The value shown in the input (ids joined) with the items the autocomplete starts with."""

    items: list

    def __new__(cls, objects: Iterable):
        objects = list(objects)
        shown = super().__new__(cls, DELIMITER.join(str(o.pk) for o in objects))
        shown.items = [{"value": str(o.pk), "label": record_label(o)} for o in objects]
        return shown


class _RecordFieldMixin:
    kind = "person"
    queryset: Any
    help_text: Any
    unknown_id_message: Any = None  # said when an id is not among the choices (default: "no match")

    def setup_autocomplete(self, *, kind: str, fabrique, multiple: bool) -> None:
        self.kind = kind
        self.widget = RecordAutocompleteWidget(kind=kind, multiple=multiple)
        self.widget.url = reverse("backoffice:record_search", kwargs={"fabrique_slug": fabrique.slug})
        self.help_text = self.help_text or _("Tapez un nom, puis choisissez dans la liste.")

    def _resolve(self, text: str):
        """One row of the queryset from an id or a typed name; a French error otherwise."""
        text = text.strip()
        if text.isdigit():
            obj = self.queryset.filter(pk=int(text)).first()
            if obj is not None:
                return obj
            if self.unknown_id_message:
                raise ValidationError(self.unknown_id_message)
        q = record_search_q(self.kind, text)
        found = list(self.queryset.filter(q)[:6]) if q is not None else []
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(_("Aucun élément ne correspond à « %(value)s ».") % {"value": text})
        names = ", ".join(record_label(o) for o in found[:5])
        raise ValidationError(
            _("« %(value)s » désigne plusieurs éléments : %(names)s. Précisez.")
            % {"value": text, "names": names}
        )


class RecordChoiceField(_RecordFieldMixin, forms.ModelChoiceField):
    """One person, organisation or need of the fabrique, chosen by autocomplete (never a full <select>)."""

    def __init__(self, *, kind: str, fabrique, queryset=None, **kwargs):
        kwargs.setdefault("empty_label", None)
        super().__init__(
            queryset=queryset if queryset is not None else record_queryset(kind, fabrique), **kwargs
        )
        self.setup_autocomplete(kind=kind, fabrique=fabrique, multiple=False)

    def prepare_value(self, value):
        if isinstance(value, self.queryset.model):
            return _Shown([value])
        if value in self.empty_values:
            return ""
        obj = self.queryset.filter(pk=value).first() if str(value).isdigit() else None
        return _Shown([obj]) if obj else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            return value
        return self._resolve(str(value))

    def validate(self, value):
        forms.Field.validate(self, value)

    def has_changed(self, initial, data):
        initial_pk = getattr(initial, "pk", initial)
        return str(initial_pk or "") != str(data or "")


class RecordMultipleChoiceField(_RecordFieldMixin, forms.ModelMultipleChoiceField):
    """Several rows, chosen by autocomplete; the input holds their ids joined by ";"."""

    def __init__(self, *, kind: str, fabrique, queryset=None, **kwargs):
        super().__init__(
            queryset=queryset if queryset is not None else record_queryset(kind, fabrique), **kwargs
        )
        self.setup_autocomplete(kind=kind, fabrique=fabrique, multiple=True)

    def _pieces(self, value) -> list[str]:
        if value in self.empty_values:
            return []
        pieces = [str(v) for v in value] if isinstance(value, list | tuple) else str(value).split(DELIMITER)
        return [p.strip() for p in pieces if p.strip()]

    def prepare_value(self, value):
        if value in self.empty_values:
            return ""
        if isinstance(value, QuerySet):
            return _Shown(value[:50])
        values = list(value) if isinstance(value, list | tuple) else [value]
        objects = [v for v in values if isinstance(v, self.queryset.model)]
        ids = [v for v in values if not isinstance(v, self.queryset.model) and str(v).isdigit()]
        if ids:
            objects += list(self.queryset.filter(pk__in=ids))
        return _Shown(objects)

    def clean(self, value):
        pieces = self._pieces(value)
        if not pieces:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return self.queryset.none()
        errors, pks = [], []
        for piece in pieces:
            try:
                pks.append(self._resolve(piece).pk)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return self.queryset.filter(pk__in=pks)

    def has_changed(self, initial, data):
        initial_ids = {str(getattr(v, "pk", v)) for v in (initial or [])}
        return initial_ids != set(self._pieces(data))


def as_autocomplete(field: forms.Field, *, kind: str, fabrique, queryset=None) -> forms.Field:
    """`field` (a model choice of a growing table) as the same field chosen by autocomplete: same
    label, help text and requirement; `queryset` (default: the field's) still bounds what is accepted."""
    assert isinstance(field, forms.ModelChoiceField)
    cls = (
        RecordMultipleChoiceField if isinstance(field, forms.ModelMultipleChoiceField) else RecordChoiceField
    )
    new = cls(
        kind=kind,
        fabrique=fabrique,
        queryset=queryset if queryset is not None else field.queryset,
        label=field.label,
        help_text=field.help_text,
        required=field.required,
        initial=field.initial,
    )
    if "required" in field.error_messages:
        new.error_messages["required"] = field.error_messages["required"]
    invalid = field.error_messages.get("invalid_choice")
    if invalid and invalid != forms.ModelChoiceField.default_error_messages["invalid_choice"]:
        new.unknown_id_message = invalid
    return new
