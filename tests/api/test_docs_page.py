"""The API's documentation page and schema (issue 13): served from local files only, OpenAPI 3.1."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_nothing_from_outside(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "fonts.googleapis" not in html and "gstatic" not in html
    assert not re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html), "an absolute URL in the docs page"
    scripts = re.findall(r"""<script[^>]*src=["']([^"']+)["']""", html)
    assert scripts, "Redoc's script is on the page"
    for src in scripts:
        assert src.startswith("/static/")
        # the file is one of ours (drf-spectacular-sidecar), and it fetches no web font itself
        path = finders.find(src.removeprefix("/static/").split("?")[0])
        assert path, src
        with open(path, encoding="utf-8", errors="ignore") as handle:
            assert "fonts.googleapis.com/css" not in handle.read()


def test_the_schema_is_openapi_3_1_and_documents_the_token(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    assert schema["openapi"].startswith("3.1")
    assert schema["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"
    transitions = schema["paths"]["/api/v1/{fabrique_slug}/calls/{id}/transitions/"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "429"} <= set(transitions["responses"])
    assert transitions["responses"]["409"]["content"]["application/json"]["examples"]
