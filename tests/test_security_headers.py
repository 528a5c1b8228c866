"""Security headers on every kind of page (public, back-office, API documentation), a Content-Security-
Policy that allows no inline script and nothing from outside, and templates that need none."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import fabrique

pytestmark = pytest.mark.django_db

TEMPLATES = Path(fabrique.__file__).parent / "templates"


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("who", ["anonymous", "officer"])
def test_pages_carry_the_security_headers(client, team, who):
    if who == "officer":
        client.force_login(team.officer, backend="django.contrib.auth.backends.ModelBackend")
    urls = [reverse("public:home"), reverse("api:docs")]
    if who == "officer":
        urls.append(reverse("backoffice:dashboard", kwargs={"fabrique_slug": team.fabrique.slug}))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = directives(response)
        assert csp["script-src"] == ["'self'"], url  # no 'unsafe-inline', no outside host
        assert csp["default-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
        assert not any("http" in source for sources in csp.values() for source in sources)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api_documentation_loads_nothing_from_outside(client):
    body = client.get(reverse("api:docs")).content.decode()
    assert "fonts.googleapis" not in body and "fonts.gstatic" not in body
    assert not re.search(r"""(src|href)=["']https?://""", body)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)  # no inline script


def test_templates_have_no_inline_script_nor_handler_attribute():
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", text
        ):
            problems.append(f"{path.relative_to(TEMPLATES)}: inline {match.group(0)}")
        for match in re.finditer(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", text):
            problems.append(f"{path.relative_to(TEMPLATES)}: handler attribute in {match.group(0)[:60]}")
        if "javascript:" in text:
            problems.append(f"{path.relative_to(TEMPLATES)}: javascript: URL")
    assert not problems, "\n".join(problems)
