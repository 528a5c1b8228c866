"""Real answers of every API endpoint validate against the published OpenAPI schema (issue 9, item 13).

A property-based probe found answers outside the schema: `commune_name` null but not nullable, "" for
`public` and `dismiss_reason` outside their enums, unknown filter values silently ignored and many
undocumented status codes. Here every endpoint is called in its usual and error cases, and each
answer must be documented for its status code and match the documented body.
"""

from __future__ import annotations

import copy

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from fabrique.needs.services import need_create_from_report, need_report_submit
from tests.directory.factories import make_organization, make_person
from tests.needs.conftest import report_data
from tests.workstreams.factories import make_workstream

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1/{fabrique_slug}"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(node, components):
    """OpenAPI 3.0 schema -> JSON Schema: $ref inlined, `nullable` as a null alternative, `oneOf` as
    `anyOf` (drf-spectacular writes "a URL, or blank" as oneOf, and without a URI format checker
    installed "" would match both alternatives)."""
    if isinstance(node, list):
        return [_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _json_schema(copy.deepcopy(components[node["$ref"].rsplit("/", 1)[-1]]), components)
    out = {
        ("anyOf" if key == "oneOf" else key): _json_schema(value, components)
        for key, value in node.items()
        if key != "nullable"
    }
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def check(schema, method: str, template: str, response) -> None:
    operation = schema["paths"][PREFIX + template][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {template}: {status} is not documented"
    documented = operation["responses"][status]
    if response.status_code == 204:
        return
    body_schema = documented["content"]["application/json"]["schema"]
    jsonschema.validate(
        response.json(),
        _json_schema(body_schema, schema["components"]["schemas"]),
        format_checker=jsonschema.FormatChecker(),
    )


@pytest.fixture
def world(team, other_team):
    report = need_report_submit(fabrique=team.fabrique, **report_data(public="", commune=None))
    attached = need_report_submit(fabrique=team.fabrique, **report_data(title="Autre", public=""))
    need = need_create_from_report(report=attached, actor=team.officer)
    return {
        "report": report,
        "need": need,
        "organization": make_organization(team.fabrique, team.officer),
        "person": make_person(team.fabrique, team.officer),
        "workstream": make_workstream(team.fabrique, team.officer),
        "foreign": make_organization(other_team.fabrique, other_team.officer, name="Ailleurs"),
    }


def url(team, template: str, **kwargs) -> str:
    path = PREFIX.replace("{fabrique_slug}", team.fabrique.slug) + template
    for key, value in kwargs.items():
        path = path.replace("{" + key + "}", str(value))
    return path


READS = [
    ("/reports/", "/reports/{id}/", "report"),
    ("/needs/", "/needs/{id}/", "need"),
    ("/organizations/", "/organizations/{id}/", "organization"),
    ("/people/", "/people/{id}/", "person"),
    ("/workstreams/", "/workstreams/{id}/", "workstream"),
]


@pytest.mark.parametrize(("listing", "detail", "key"), READS)
def test_reads_match_the_schema(client, login, team, world, schema, listing, detail, key):
    login(team.reader)
    check(schema, "GET", listing, client.get(url(team, listing)))
    check(schema, "GET", detail, client.get(url(team, detail, id=world[key].pk)))
    check(schema, "GET", detail, client.get(url(team, detail, id=world["foreign"].pk + 10_000)))  # 404
    check(schema, "GET", listing, client.get(url(team, listing), {"page": 99}))  # 404: no such page
    client.logout()
    check(schema, "GET", listing, client.get(url(team, listing)))  # 401/403 anonymous


@pytest.mark.parametrize(
    ("listing", "params"),
    [
        ("/reports/", {"stage": "nimportequoi"}),
        ("/reports/", {"commune": "99999"}),
        ("/needs/", {"theme": "pas-un-theme"}),
        ("/needs/", {"workstream": "abc"}),
        ("/organizations/", {"kind": "licorne"}),
        ("/people/", {"organization": "-1"}),
        ("/workstreams/", {"status": "inconnu"}),
        ("/reports/", {"sttage": "new"}),
    ],
)
def test_an_unknown_filter_or_value_is_a_french_400(client, login, team, world, schema, listing, params):
    login(team.reader)
    response = client.get(url(team, listing), params)
    assert response.status_code == 400
    check(schema, "GET", listing, response)


def test_writes_and_their_errors_match_the_schema(client, login, team, world, schema):
    login(team.officer)
    created = client.post(
        url(team, "/reports/"),
        {
            "title": "Pas de laverie",
            "reporter_name": "Samia",
            "reporter_type": "inhabitant",
            "consent_processing": True,
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    check(schema, "POST", "/reports/", created)
    assert created.json()["commune_name"] is None
    check(
        schema, "POST", "/reports/", client.post(url(team, "/reports/"), {}, content_type="application/json")
    )
    organization = url(team, "/organizations/{id}/", id=world["organization"].pk)
    check(
        schema,
        "PATCH",
        "/organizations/{id}/",
        client.patch(organization, {"name": "Ruche"}, content_type="application/json"),
    )
    check(
        schema,
        "PATCH",
        "/organizations/{id}/",
        client.patch(organization, {"kind": "x"}, content_type="application/json"),
    )
    check(
        schema,
        "POST",
        "/workstreams/",
        client.post(url(team, "/workstreams/"), {"name": ""}, content_type="application/json"),
    )
    check(schema, "DELETE", "/people/{id}/", client.delete(url(team, "/people/{id}/", id=world["person"].pk)))
    # a reader may not write: 403
    login(team.reader)
    check(
        schema,
        "POST",
        "/organizations/",
        client.post(url(team, "/organizations/"), {"name": "X"}, content_type="application/json"),
    )


def test_token_errors_match_the_schema(client, team, world, schema, settings):
    import datetime

    from django.utils import timezone

    from fabrique.api.tokens import api_token_create

    settings.API_TOKEN_RATE = "1/minute"  # the 403 below is refused before the throttle counts
    _token, clear = api_token_create(
        user=team.reader,
        fabrique=team.fabrique,
        actor=team.reader,
        name="Sonde",
        scope="read",
        expires_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    check(schema, "GET", "/needs/", client.get(url(team, "/needs/"), HTTP_AUTHORIZATION="Bearer fab_faux"))
    good = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    check(schema, "GET", "/needs/", client.get(url(team, "/needs/"), **good))
    check(
        schema,
        "POST",
        "/organizations/",
        client.post(url(team, "/organizations/"), {"name": "X"}, content_type="application/json", **good),
    )
    throttled = client.get(url(team, "/needs/"), **good)
    assert throttled.status_code == 429
    check(schema, "GET", "/needs/", throttled)


def test_the_commune_filter_takes_the_communes_id_as_documented(client, login, team, world, schema):
    from fabrique.needs.services import need_create
    from fabrique.territories.models import Commune

    reze, nantes = Commune.objects.get(code="44143"), Commune.objects.get(code="44109")
    need_create(fabrique=team.fabrique, actor=team.officer, title="Laverie à Rezé", commune=reze)
    need_create(fabrique=team.fabrique, actor=team.officer, title="Laverie à Nantes", commune=nantes)
    login(team.reader)
    response = client.get(url(team, "/needs/"), {"commune": reze.pk})
    assert response.status_code == 200
    check(schema, "GET", "/needs/", response)
    assert [row["title"] for row in response.json()["results"]] == ["Laverie à Rezé"]
    # an id that is no commune's is refused in French
    response = client.get(url(team, "/needs/"), {"commune": 10_000_000})
    assert response.status_code == 400 and "Aucune commune" in str(response.json())
