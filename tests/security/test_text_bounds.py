"""Every free-text input is bounded (issue 9, item 4): models, forms and API serializers.

An unbounded text field lets one anonymous request store megabytes and hold a worker in the text
processing that follows (grouping features, search); every text field must say how long it can be,
and a too-long value is refused with a French message.
"""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.db import models
from rest_framework import serializers

import fabrique
from fabrique.core.limits import LONG_TEXT
from fabrique.needs.forms import PublicReportForm

pytestmark = pytest.mark.django_db

# Text the platform writes itself (never from a request): error logs, feature caches of the engine.
NOT_FROM_INPUT = {
    ("needs", "reportfeatures", "communes"),
    ("needs", "reportfeatures", "concepts"),
    ("needs", "regroupingrun", "error"),
    # a notification's detail is composed by the handlers from bounded fields
    ("notifications", "notification", "body"),
    # append-only table (rebuilding it on SQLite would drop its triggers): bounded by the forms
    ("audit", "auditentry", "note"),
    # the folded copy of bounded fields that list searches read (core.models.SearchText): derived, never input
    ("needs", "needreport", "search_text"),
    ("needs", "need", "search_text"),
    ("studies", "study", "search_text"),
    ("projects", "project", "search_text"),
    ("essaimage", "modelsheet", "search_text"),
}


def _fabrique_modules():
    for info in pkgutil.walk_packages(fabrique.__path__, "fabrique."):
        if ".migrations" in info.name or ".settings" in info.name or info.name.endswith(".manage"):
            continue
        yield importlib.import_module(info.name)


def _classes(base):
    seen = {}
    for module in _fabrique_modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, base) and obj.__module__.startswith("fabrique.") and obj is not base:
                seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return seen


def test_every_model_text_field_has_a_maximum_length():
    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("fabrique.")
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField)
        and field.max_length is None
        and (model._meta.app_label, model._meta.model_name, field.name) not in NOT_FROM_INPUT
    ]
    assert unbounded == []


def test_every_form_text_field_has_a_maximum_length():
    unbounded = []
    for name, form_class in _classes(forms.BaseForm).items():
        for field_name, field in form_class.base_fields.items():
            is_text = isinstance(field, forms.CharField) and not isinstance(
                field, forms.URLField | forms.EmailField
            )
            if is_text and field.max_length is None:
                unbounded.append(f"{name}.{field_name}")
    assert unbounded == []


def test_every_serializer_text_field_has_a_maximum_length():
    unbounded = []
    for name, serializer_class in _classes(serializers.Serializer).items():
        try:
            fields = serializer_class().fields
        except Exception:  # a serializer that needs a context to build its fields
            continue
        for field_name, field in fields.items():
            if isinstance(field, serializers.CharField) and not field.read_only and field.max_length is None:
                unbounded.append(f"{name}.{field_name}")
    assert unbounded == []


def test_a_too_long_public_description_gets_a_french_error(fabrique):
    form = PublicReportForm(
        {
            "title": "Laverie",
            "description": "a" * (LONG_TEXT + 1),
            "reporter_name": "Samia",
            "reporter_type": "inhabitant",
            "consent_processing": "on",
        },
        fabrique=fabrique,
    )
    assert not form.is_valid()
    assert "au plus" in str(form.errors["description"])
