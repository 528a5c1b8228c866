"""The declared list of personal-data fields covers every text, file and JSON column of the models."""

from django.apps import apps
from django.db import models

from fabrique.privacy.registry import FABRIQUE_PATHS, FREE, NONE, PERSONAL_DATA, SUBJECT


def _columns():
    for model in apps.get_models():
        if not model.__module__.startswith("fabrique."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.FileField | models.JSONField):
                if field.choices:  # a closed list of values holds no free personal data
                    continue
                yield model._meta.label_lower, field.name


def test_every_text_file_or_json_column_is_declared():
    missing = [f"{label}.{name}" for label, name in _columns() if name not in PERSONAL_DATA.get(label, {})]
    assert missing == [], (
        "Declare these columns in fabrique/privacy/registry.py (SUBJECT, FREE or NONE): " + ", ".join(missing)
    )


def test_declared_columns_exist():
    stale = []
    for label, fields in PERSONAL_DATA.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields}
        stale += [f"{label}.{name}" for name in fields if name not in names]
        assert set(fields.values()) <= {SUBJECT, FREE, NONE}
    assert stale == []


def test_free_text_models_reach_their_fabrique():
    for label, fields in PERSONAL_DATA.items():
        if FREE not in fields.values():
            continue
        model = apps.get_model(label)
        path = FABRIQUE_PATHS.get(label, "fabrique")
        model._base_manager.filter(**{path: 1}).exists  # noqa: B018 - the lookup must build
        str(model._base_manager.filter(**{path: 1}).query)
