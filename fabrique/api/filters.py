"""List filters of the API are checked, not silently ignored: an unknown parameter or value is a 400."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

# parameters of the API itself, not filters
GENERAL_PARAMETERS = frozenset({"page", "format", "cursor", "page_size"})


def api_params(params: Any) -> Any:
    """The API's list parameters as the filter sets read them. The API names a commune by its id (its
    documentation says so); the back-office's commune filter reads a code or a name typed in its
    autocomplete: an id that is a commune's becomes that commune, anything else is left to the filter
    (which refuses it in French)."""
    value = params.get("commune")
    if not value or not str(value).isdigit():
        return params
    from fabrique.territories.models import Commune

    commune = Commune.objects.filter(pk=int(value)).first()
    if commune is None:
        return params
    copied = params.copy()
    copied["commune"] = commune
    return copied


def check_filters(*, filterset_class: Any, params: Any, fabrique: Any, model: Any) -> None:
    """Raise a 400 (French messages) when `params` holds a parameter `filterset_class` does not know
    or a value it refuses (a choice outside the list, an id that is not one of the fabrique's)."""
    known = set(filterset_class.base_filters)
    unknown = sorted(set(params) - known - GENERAL_PARAMETERS)
    if unknown:
        raise ValidationError(
            {
                "detail": _("Paramètre inconnu : %(names)s. Paramètres acceptés : %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(sorted(known | {"page"}))}
            }
        )
    filterset = filterset_class(params, queryset=model.objects.none(), fabrique=fabrique)
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
