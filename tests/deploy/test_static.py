"""Issue 9 item 1: the production static storage (manifest) accepts every vendored file."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

VENDOR = settings.BASE_DIR / "static" / "fabrique" / "vendor"
MAP_REFERENCE = re.compile(r"sourceMappingURL=(\S+?)(?:\s*\*/)?\s*$", re.M)


def test_vendored_files_reference_no_missing_source_map():
    missing = []
    for path in VENDOR.rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for target in MAP_REFERENCE.findall(path.read_text(encoding="utf-8", errors="replace")):
            if not (path.parent / target).exists():
                missing.append(f"{path.relative_to(VENDOR)} -> {target}")
    assert not missing, missing


@pytest.mark.django_db
def test_collectstatic_with_manifest_storage_then_a_page_uses_hashed_names(tmp_path, client):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path / "static"):
        call_command("collectstatic", "--noinput", verbosity=0)
        assert (tmp_path / "static" / "staticfiles.json").exists()
        response = client.get("/")
    assert response.status_code == 200
    # hashed names come from the manifest: e.g. fabrique/css/app.3f2a….css
    assert re.search(r'/static/fabrique/css/app\.[0-9a-f]{12}\.css"', response.content.decode())
