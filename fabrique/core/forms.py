"""Form helpers shared by every interface."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CHECKLIST_HELP = _("Cochez une ou plusieurs cases ; le champ « Filtrer » réduit la liste.")


class ChecklistSelectMultiple(forms.CheckboxSelectMultiple):
    """A multiple choice as a list of checkboxes (no "Ctrl or Cmd + click", usable on a phone).
    `includes/form.html` marks it `data-checklist`; static/fabrique/js/checklist.js adds a search box
    that filters a long list (the page works without it)."""

    checklist = True


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: to its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
