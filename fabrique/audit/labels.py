"""French labels for dotted audit action names."""

from django.apps import apps
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

_VERBS = {
    "created": _("Création"),
    "updated": _("Modification"),
    "deleted": _("Suppression"),
    "restored": _("Restauration"),
}
_CUSTOM: dict[str, StrOrPromise] = {}


def register_action_label(action: str, label: StrOrPromise) -> None:
    """Domain apps register labels for their transitions, e.g. "needs.need.retained"."""
    _CUSTOM[action] = label


def action_label(action: str) -> str:
    if action in _CUSTOM:
        return str(_CUSTOM[action])
    parts = action.split(".")
    if len(parts) >= 3:
        app_label, model_name, verb = parts[0], parts[1], ".".join(parts[2:])
        try:
            model = apps.get_model(app_label, model_name)
            noun = str(model._meta.verbose_name)
        except LookupError:
            noun = model_name
        verb_label = _VERBS.get(verb, verb.replace("_", " "))
        return f"{verb_label} — {noun}"
    return action
