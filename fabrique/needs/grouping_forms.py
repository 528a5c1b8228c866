"""Forms of need grouping: the "c'est le même besoin" field of the report forms, merge and split."""

from __future__ import annotations

import json

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.forms.widgets import Script
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .grouping import SPLIT_MODES
from .models import Need

MAX_TEXT = 2000


def suggestion_data(form_class, *, fabrique, params) -> dict:
    """The report fields the suggestions use, read from a GET query (bad values are just ignored)."""
    form = form_class(fabrique=fabrique)
    data = {name: (params.get(name) or "")[:MAX_TEXT] for name in ("title", "description", "place")}
    for name in ("public", "theme"):
        value = params.get(name) or ""
        field = form.fields.get(name)
        data[name] = value if field is not None and value in dict(field.choices) else ""
    commune = (params.get("commune") or "").strip()
    try:
        data["commune"] = form.fields["commune"].clean(commune) if commune else None
    except ValidationError:
        data["commune"] = None
    return data


def selected_need(params) -> str:
    return (params.get("same_as_need") or params.get("selected") or "").strip()


SUGGESTION_INPUTS = "#id_title, #id_commune, #id_place, #id_public, #id_theme, #id_description"


class NeedSuggestionsWidget(forms.HiddenInput):
    """Not an input: the place where the suggestions of `url_name` appear (htmx, from the title and
    commune fields), as radios named like the field. `need-suggestions.js` moves it under the "Où ?"
    fields. Without JavaScript nothing shows and the form works as before."""

    def __init__(self, *, url_name: str, attrs=None):
        super().__init__(attrs)
        self.url_name = url_name
        self.fabrique_slug = ""

    @property
    def media(self):
        return forms.Media(js=[Script("fabrique/js/need-suggestions.js", defer=True)])

    def render(self, name, value, attrs=None, renderer=None):
        try:
            url = reverse(self.url_name, kwargs={"fabrique_slug": self.fabrique_slug})
        except NoReverseMatch:
            return ""
        return format_html(
            '<div class="need-suggestions" id="need-suggestions" aria-live="polite" hx-get="{}" '
            'hx-trigger="load, keyup changed delay:500ms from:#id_title, change from:#id_title, '
            'change from:#id_commune, change from:#id_place" hx-include="{}, [name={}]" hx-vals=\'{}\' '
            'hx-swap="innerHTML"></div>',
            url,
            SUGGESTION_INPUTS,
            name,
            json.dumps({"selected": str(value or "")}),
        )


# The public form never takes a need id: the suggestions hand out a signed token naming the need and
# the fabrique, valid for a while; a visitor can only attach a report to a need offered to them.
SUGGESTION_SALT = "fabrique.needs.same_as_need"
SUGGESTION_MAX_AGE = 3 * 3600  # seconds: long enough to finish writing a report
NOT_OFFERED = _("Ce besoin n'est plus proposé. Décochez-le ou choisissez-en un autre.")


def suggestion_token(*, need_id: int, fabrique_id: int) -> str:
    return signing.dumps({"n": need_id, "f": fabrique_id}, salt=SUGGESTION_SALT)


def suggested_need_id(token: str, *, fabrique_id: int) -> int | None:
    """The need a token names, if it was signed here for this fabrique and is not too old."""
    try:
        data = signing.loads(token, salt=SUGGESTION_SALT, max_age=SUGGESTION_MAX_AGE)
    except signing.BadSignature:  # forged, damaged or expired
        return None
    if not isinstance(data, dict) or data.get("f") != fabrique_id or not isinstance(data.get("n"), int):
        return None
    return data["n"]


class SuggestedNeedField(forms.CharField):
    """The public "c'est le même besoin": a signed token from the suggestions (see above)."""

    def __init__(self, *, url_name: str, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("label", _("C'est le même besoin"))
        kwargs.setdefault("widget", NeedSuggestionsWidget(url_name=url_name))
        kwargs.setdefault("error_messages", {"max_length": NOT_OFFERED})
        super().__init__(**kwargs)


class SameAsNeedField(forms.IntegerField):
    def __init__(self, *, url_name: str, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("C'est le même besoin"))
        kwargs.setdefault("widget", NeedSuggestionsWidget(url_name=url_name))
        kwargs.setdefault("error_messages", {"invalid": _("Choisissez un des besoins proposés.")})
        super().__init__(**kwargs)


class ReportMergeForm(forms.Form):
    need = forms.ModelChoiceField(
        label=_("Besoin dans lequel fusionner le signalement"),
        queryset=Need.objects.none(),
        empty_label=_("— Choisir un besoin —"),
        error_messages={
            "required": _("Choisissez le besoin dans lequel fusionner le signalement."),
            "invalid_choice": _("Ce besoin n'est pas proposé : choisissez-en un dans la liste."),
        },
    )

    def __init__(self, *args, needs, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        from fabrique.directory.autocomplete import as_autocomplete

        # every open need of the fabrique (thousands at network scale): an autocomplete of them
        self.fields["need"] = as_autocomplete(
            self.fields["need"], kind="open_need", fabrique=fabrique, queryset=needs
        )


class ReportSplitForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Que devient le signalement ?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez ce que devient le signalement."),
            "invalid_choice": _("Choisissez une des options proposées."),
        },
    )

    LABELS = {
        "restore": _("Le remettre là d'où il vient (avant la fusion)"),
        "new_need": _("En faire un besoin à part"),
        "unattached": _("Le détacher : il revient parmi les signalements à traiter"),
    }

    def __init__(self, *args, can_restore: bool, **kwargs):
        super().__init__(*args, **kwargs)
        modes = [m for m in SPLIT_MODES if can_restore or m != "restore"]
        self.fields["mode"].choices = [(m, self.LABELS[m]) for m in modes]
