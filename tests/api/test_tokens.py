"""Personal API tokens (issue 13, item 1): per user and fabrique, scopes, expiry, revocation,
hashed at rest, created and revoked from the back-office, throttled per token."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fabrique.api.models import ApiToken, token_digest
from fabrique.api.tokens import MAX_ACTIVE_TOKENS, api_token_create, api_token_revoke
from fabrique.audit.models import AuditEntry
from fabrique.core.errors import DomainError

pytestmark = pytest.mark.django_db


def make_token(team, user=None, scope="read", days=30):
    user = user or team.officer
    return api_token_create(
        user=user,
        fabrique=team.fabrique,
        actor=user,
        name="Tableur",
        scope=scope,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
    )


def bearer(clear: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def orgs(team) -> str:
    return reverse("api:organization-list", kwargs={"fabrique_slug": team.fabrique.slug})


def test_only_a_digest_is_stored(team):
    token, clear = make_token(team)
    stored = ApiToken.objects.get(pk=token.pk)
    assert clear.startswith("fab_") and len(clear) > 40
    assert stored.digest == token_digest(clear)
    values = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().first().values()]
    assert clear not in values
    assert clear.startswith(stored.prefix) and len(stored.prefix) < 12
    assert AuditEntry.objects.filter(action="api_token_created").count() == 1


def test_a_read_token_reads_but_does_not_write(client, team):
    _token, clear = make_token(team, scope="read")
    assert client.get(orgs(team), **bearer(clear)).status_code == 200
    response = client.post(orgs(team), {"name": "Ruche"}, content_type="application/json", **bearer(clear))
    assert response.status_code == 403
    assert response.json()["detail"] == "Ce jeton est en lecture seule."


def test_a_write_token_writes_through_the_service(client, team):
    _token, clear = make_token(team, scope="write")
    body = {"name": "Ruche", "kind": "association"}
    response = client.post(orgs(team), body, content_type="application/json", **bearer(clear))
    assert response.status_code == 201, response.json()
    assert AuditEntry.objects.filter(actor=team.officer, target_repr="Ruche").exists()


def test_a_token_never_gives_more_than_the_role(client, team):
    with pytest.raises(DomainError):
        make_token(team, user=team.reader, scope="write")
    _token, clear = make_token(team, user=team.reader, scope="read")
    assert client.get(orgs(team), **bearer(clear)).status_code == 200
    # the role is lowered after the token was made: the token follows the role
    membership = team.fabrique.memberships.get(user=team.officer)
    _t, officer_clear = make_token(team, scope="write")
    membership.role = "reader"
    membership.save()
    response = client.post(
        orgs(team), {"name": "X"}, content_type="application/json", **bearer(officer_clear)
    )
    assert response.status_code == 403


def test_a_token_is_for_its_fabrique_only(client, team, other_team):
    other_team.fabrique.memberships.create(user=team.officer, role="officer")
    _token, clear = make_token(team)
    response = client.get(orgs(other_team), **bearer(clear))
    assert response.status_code == 403
    assert team.fabrique.name in response.json()["detail"]


def test_an_expired_token_is_refused(client, team):
    token, clear = make_token(team)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(orgs(team), **bearer(clear))
    assert response.status_code == 401
    assert response.json()["detail"] == "Ce jeton a expiré."


def test_a_revoked_token_is_refused(client, team):
    token, clear = make_token(team)
    api_token_revoke(token=token, actor=team.officer)
    response = client.get(orgs(team), **bearer(clear))
    assert response.status_code == 401
    assert response.json()["detail"] == "Ce jeton a été révoqué."


def test_a_wrong_token_or_a_password_is_refused(client, team):
    assert client.get(orgs(team), **bearer("fab_nimportequoi")).status_code == 401
    assert client.get(orgs(team), HTTP_AUTHORIZATION="Bearer").status_code == 401
    assert client.get(orgs(team), HTTP_AUTHORIZATION="Basic YTpi").status_code == 401


def test_only_the_owner_revokes(team):
    token, _clear = make_token(team)
    with pytest.raises(DomainError):
        api_token_revoke(token=token, actor=team.admin)


def test_expiry_is_bounded_and_active_tokens_are_counted(team):
    with pytest.raises(DomainError):
        make_token(team, days=0)
    with pytest.raises(DomainError):
        make_token(team, days=400)
    for _ in range(MAX_ACTIVE_TOKENS):
        make_token(team)
    with pytest.raises(DomainError):
        make_token(team)


def test_throttling_is_per_token(client, team, settings):
    settings.API_TOKEN_RATE = "3/minute"
    _a, first = make_token(team)
    _b, second = make_token(team)
    for _ in range(3):
        assert client.get(orgs(team), **bearer(first)).status_code == 200
    throttled = client.get(orgs(team), **bearer(first))
    assert throttled.status_code == 429
    assert "Retry-After" in throttled
    assert client.get(orgs(team), **bearer(second)).status_code == 200


def test_the_session_still_works_for_the_browser(client, login, team):
    login(team.reader)
    assert client.get(orgs(team)).status_code == 200


def test_create_and_revoke_from_the_back_office(client, login, team):
    login(team.officer)
    url = reverse("backoffice:api_tokens", kwargs={"fabrique_slug": team.fabrique.slug})
    expires = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = client.post(url, {"name": "Mon script", "scope": "write", "expires_on": expires})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    clear = response.context["clear_token"]
    assert clear in response.content.decode()
    # shown once: the list does not show it again
    assert clear not in client.get(url).content.decode()
    client.logout()
    assert client.get(orgs(team), **bearer(clear)).status_code == 200
    login(team.officer)
    token = ApiToken.objects.get(name="Mon script")
    assert client.post(url, {"revoke": token.pk}).status_code == 302
    client.logout()
    assert client.get(orgs(team), **bearer(clear)).status_code == 401


def test_the_back_office_refuses_a_write_token_to_a_reader_and_another_users_token(client, login, team):
    token, _clear = make_token(team, user=team.officer)
    login(team.reader)
    url = reverse("backoffice:api_tokens", kwargs={"fabrique_slug": team.fabrique.slug})
    expires = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = client.post(url, {"name": "X", "scope": "write", "expires_on": expires})
    assert response.status_code == 400
    assert "lecture seule" in response.content.decode()
    client.post(url, {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is None
