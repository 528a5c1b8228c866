"""Form fields for territories, usable with and without JavaScript.

The widget is a text input. Without JavaScript one types an INSEE code, a postal code or an exact
name, and the field resolves it on the server (a clear French error when unknown or ambiguous).
With JavaScript, `territory-autocomplete.js` turns it into a Tom Select combobox fed by the public
endpoint `public:territory_search`; the value it sends is "commune:44162" (or "epci:…", …).

    commune = CommuneChoiceField(label=_("Commune"), required=False)
    coverage = TerritoryMultipleChoiceField(label=_("Territoire couvert"), required=False)

Templates must render `{{ form.media }}` (Tom Select and the script, deferred).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.widgets import Script
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import EPCI, QPV, Commune, Departement
from .selectors import TerritoryRef, territory_resolve

MAX_LISTED = 5


class _Shown(str):
    """The text a field shows (e.g. "Saint-Herblain (44162)") and the items the widget pre-selects."""

    items: list[dict]

    def __new__(cls, text: str, items: list[dict]):
        obj = super().__new__(cls, text)
        obj.items = items
        return obj


def territory_label(obj) -> str:
    """ "Saint-Herblain (44) — commune", "Nantes Métropole — EPCI", "Loire-Atlantique (44) — département"."""
    if isinstance(obj, Commune):
        return f"{obj.name} ({obj.departement_id}) — {obj.get_kind_display()}"
    if isinstance(obj, EPCI):
        return f"{obj.name} — {_('EPCI')}"
    if isinstance(obj, Departement):
        return f"{obj.name} ({obj.code}) — {_('département')}"
    if isinstance(obj, QPV):
        return f"{obj.name} — {_('quartier prioritaire')}"
    return str(obj)


def _kind_and_code(obj) -> tuple[str, str]:
    if isinstance(obj, Commune):
        return "commune", obj.code
    if isinstance(obj, EPCI):
        return "epci", obj.siren
    if isinstance(obj, Departement):
        return "departement", obj.code
    return "qpv", obj.code


def _shown(objects: Iterable) -> _Shown:
    objects = list(objects)
    text = "; ".join(f"{o.name} ({_kind_and_code(o)[1]})" for o in objects)
    items = [{"value": "{}:{}".format(*_kind_and_code(o)), "label": territory_label(o)} for o in objects]
    return _Shown(text, items)


class TerritoryAutocompleteWidget(forms.TextInput):
    """Text input that `territory-autocomplete.js` enhances into an accessible combobox (Tom Select).

    `types`: kinds offered by the autocomplete ("commune", "epci", "departement", "qpv").
    """

    def __init__(self, *, types: Iterable[str] = ("commune",), multiple: bool = False, attrs=None):
        super().__init__(attrs)
        self.types = tuple(types)
        self.multiple = multiple

    @property
    def media(self):
        return forms.Media(
            css={"all": ["fabrique/vendor/tom-select.css"]},
            js=[
                Script("fabrique/vendor/tom-select.complete.min.js", defer=True),
                Script("fabrique/js/territory-autocomplete.js", defer=True),
            ],
        )

    def get_context(self, name, value, attrs):
        items = value.items if isinstance(value, _Shown) else []
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.update(
            {
                "data-territory-autocomplete": "",
                "data-url": reverse("public:territory_search"),
                "data-types": ",".join(self.types),
                "data-msg-no-results": _("Aucun territoire trouvé."),
                "data-msg-loading": _("Recherche…"),
                "data-msg-type-more": _("Tapez au moins deux caractères."),
                "data-msg-remove": _("Retirer"),
                "autocomplete": "off",
                "spellcheck": "false",
            }
        )
        if self.multiple:
            widget_attrs["data-multiple"] = ""
        if items:
            widget_attrs["data-initial"] = json.dumps(items, ensure_ascii=False)
        return context


def _communes_for(refs: Iterable[TerritoryRef], queryset) -> list[Commune]:
    """Communes of `queryset` the refs designate. A ref outside the queryset (a commune déléguée when
    only communes actuelles are allowed) stands for its parent, the commune actuelle."""
    refs = [r for r in refs if r.kind == "commune"]
    if not refs:
        return []
    match = Q()
    for ref in refs:
        match |= Q(code=ref.code, kind=ref.commune_kind) if ref.commune_kind else Q(code=ref.code)
    found: dict[int, Commune] = {}
    for commune in Commune.objects.filter(match).select_related("parent"):
        if queryset.filter(pk=commune.pk).exists():
            found[commune.pk] = commune
        elif commune.parent_id and queryset.filter(pk=commune.parent_id).exists():
            found[commune.parent_id] = commune.parent
    return sorted(found.values(), key=lambda c: (-(c.population or 0), c.name))


def _listing(objects: list) -> str:
    names = [f"{o.name} ({_kind_and_code(o)[1]})" for o in objects[:MAX_LISTED]]
    return ", ".join(names) + (" …" if len(objects) > MAX_LISTED else "")


class CommuneChoiceField(forms.ModelChoiceField):
    """A commune (communes actuelles by default), chosen by autocomplete or typed as a code or name."""

    widget = TerritoryAutocompleteWidget
    default_error_messages = {
        "required": gettext_lazy("Indiquez une commune."),
        "invalid_choice": gettext_lazy(
            "Aucune commune ne correspond à « %(value)s ». Indiquez un nom, un code postal ou un code INSEE."
        ),
        "ambiguous": gettext_lazy(
            "« %(value)s » désigne plusieurs communes : %(choices)s. Précisez, par exemple avec le code INSEE."
        ),
    }

    def __init__(self, *, queryset=None, kinds: Iterable[str] = (Commune.Kind.CURRENT,), **kwargs):
        if queryset is None:
            queryset = Commune.objects.filter(kind__in=list(kinds))
        kwargs.setdefault("widget", TerritoryAutocompleteWidget(types=("commune",)))
        kwargs.setdefault("help_text", gettext_lazy("Nom, code postal ou code INSEE de la commune."))
        kwargs.setdefault("empty_label", None)
        super().__init__(queryset=queryset, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return _shown([value])
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit() and len(value) != 5):
            commune = self.queryset.filter(pk=value).first()
            return _shown([commune]) if commune else ""
        return value if value is not None else ""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Commune):
            return value
        # a primary key given by code (a text of digits is an INSEE or postal code)
        if isinstance(value, int):
            found = self.queryset.filter(pk=value).first()
            if found is not None:
                return found
        text = str(value).strip()
        communes = _communes_for(territory_resolve(text=text, kinds=["commune"]), self.queryset)
        if not communes:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
            )
        if len(communes) > 1:
            raise ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"value": text, "choices": _listing(communes)},
            )
        return communes[0]

    def validate(self, value):
        forms.Field.validate(self, value)

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        old = initial.pk if isinstance(initial, Commune) else initial
        return (new.pk if new else None) != (old or None)


@dataclass
class TerritorySelection:
    """What a TerritoryMultipleChoiceField returns: the chosen territories, by kind."""

    communes: list[Commune] = field(default_factory=list)
    epcis: list[EPCI] = field(default_factory=list)
    departements: list[Departement] = field(default_factory=list)
    qpvs: list[QPV] = field(default_factory=list)

    def __iter__(self):
        yield from self.departements
        yield from self.epcis
        yield from self.communes
        yield from self.qpvs

    def __len__(self) -> int:
        return len(self.communes) + len(self.epcis) + len(self.departements) + len(self.qpvs)

    @classmethod
    def of_fabrique(cls, fabrique) -> TerritorySelection:
        """The coverage of a fabrique (its communes, EPCI and départements)."""
        return cls(
            communes=list(fabrique.communes.all()),
            epcis=list(fabrique.epcis.all()),
            departements=list(fabrique.departements.all()),
        )


_SELECTION_ATTR = {"commune": "communes", "epci": "epcis", "departement": "departements", "qpv": "qpvs"}
_PIECES = re.compile(r"[;\n]+")
_CODE_LIST = re.compile(r"^[0-9A-Za-z:\s]+(,[0-9A-Za-z:\s]+)+$")


class TerritoryMultipleChoiceField(forms.Field):
    """Several territories (communes, EPCI, départements by default), e.g. the coverage of a fabrique.

    Without JavaScript: pieces separated by ";" or new lines (a list of codes may use commas), each
    an exact name, "Nom (code)", or a code.
    """

    default_error_messages = {
        "required": gettext_lazy("Indiquez au moins un territoire."),
        "invalid_piece": gettext_lazy(
            "Aucun territoire ne correspond à « %(value)s ». Indiquez un nom exact ou un code "
            "(INSEE, SIREN de l'EPCI, département)."
        ),
        "ambiguous": gettext_lazy(
            "« %(value)s » désigne plusieurs territoires : %(choices)s. Précisez avec le code."
        ),
        "too_many": gettext_lazy("Au plus %(max)s territoires."),
    }

    def __init__(
        self, *, kinds: Iterable[str] = ("commune", "epci", "departement"), max_items: int = 500, **kwargs
    ):
        self.kinds = tuple(kinds)
        self.max_items = max_items
        kwargs.setdefault("widget", TerritoryAutocompleteWidget(types=self.kinds, multiple=True))
        kwargs.setdefault(
            "help_text",
            format_lazy(
                "{} {}",
                gettext_lazy("Communes, intercommunalités ou départements."),
                gettext_lazy("Sans JavaScript : noms ou codes séparés par des points-virgules."),
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value or ""
        return _shown(value)

    def _pieces(self, text: str) -> list[str]:
        pieces = []
        for piece in _PIECES.split(text):
            piece = piece.strip()
            if not piece:
                continue
            pieces += [p.strip() for p in piece.split(",")] if _CODE_LIST.match(piece) else [piece]
        return [p for p in pieces if p]

    def to_python(self, value) -> TerritorySelection:
        if isinstance(value, TerritorySelection):
            return value
        if value in self.empty_values:
            return TerritorySelection()
        pieces = self._pieces(str(value))
        if len(pieces) > self.max_items:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": self.max_items}
            )
        selection = TerritorySelection()
        seen: set[tuple[str, str]] = set()
        errors = []
        communes_qs = Commune.objects.filter(kind=Commune.Kind.CURRENT)
        for piece in pieces:
            refs = territory_resolve(text=piece, kinds=self.kinds)
            objects = self._objects(refs, communes_qs)
            if not objects:
                errors.append(ValidationError(self.error_messages["invalid_piece"], params={"value": piece}))
                continue
            if len(objects) > 1:
                errors.append(
                    ValidationError(
                        self.error_messages["ambiguous"],
                        params={"value": piece, "choices": _listing(objects)},
                    )
                )
                continue
            obj = objects[0]
            key = _kind_and_code(obj)
            if key in seen:
                continue
            seen.add(key)
            getattr(selection, _SELECTION_ATTR[key[0]]).append(obj)
        if errors:
            raise ValidationError(errors)
        return selection

    @staticmethod
    def _objects(refs: list[TerritoryRef], communes_qs) -> list:
        objects: list = _communes_for(refs, communes_qs)
        by_kind: dict[str, list[str]] = {}
        for ref in refs:
            by_kind.setdefault(ref.kind, []).append(ref.code)
        objects += list(EPCI.objects.filter(siren__in=by_kind.get("epci", [])))
        objects += list(Departement.objects.filter(code__in=by_kind.get("departement", [])))
        objects += list(QPV.objects.filter(code__in=by_kind.get("qpv", [])).defer("geometry"))
        return objects

    def validate(self, value: TerritorySelection):
        if self.required and not len(value):
            raise ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data):
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        old = initial if isinstance(initial, TerritorySelection) else TerritorySelection()
        return {_kind_and_code(o) for o in new} != {_kind_and_code(o) for o in old}


def as_commune_autocomplete(commune_filter) -> None:
    """Turn a django-filter commune filter into the commune autocomplete (a list's filter bar never
    lists the communes: there are 35,000). The value sent ("commune:44109", a name, a postal or INSEE
    code) is resolved among the communes actuelles; a commune without rows simply finds nothing."""
    commune_filter.field_class = CommuneChoiceField
    for key in ("empty_label", "null_label"):
        commune_filter.extra.pop(key, None)
    commune_filter.queryset = Commune.objects.filter(kind=Commune.Kind.CURRENT)
    commune_filter.extra["help_text"] = ""
    commune_filter.extra["error_messages"] = {
        "invalid_choice": gettext_lazy("Aucune commune ne correspond à « %(value)s ».")
    }
