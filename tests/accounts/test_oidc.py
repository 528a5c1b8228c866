"""OpenID Connect login (ProConnect-shaped) against a provider the tests run on 127.0.0.1."""

import html
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fabrique.accounts.models import User
from fabrique.fabriques.models import Membership

from .oidc_provider import CLIENT_ID, CLIENT_SECRET, OpenIDProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    with OpenIDProvider() as op:
        settings.OIDC_ISSUER = op.issuer
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_ACR_VALUES = ""
        settings.OIDC_PROVIDER_NAME = "ProConnect"
        settings.OIDC_ASSUME_EMAIL_VERIFIED = False
        yield op


def agent(email: str, *, verified=True, sub="agent-1") -> dict:
    return {"sub": sub, "email": email, "email_verified": verified, "given_name": "Ana", "usual_name": "Lune"}


def start(client, op, next_url=""):
    response = client.get(reverse("accounts:oidc_login") + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{op.issuer}/authorize?")
    return response["Location"]


def at_provider(authorize_url: str) -> str:
    """The browser at the provider: it answers with the redirect to our callback (path and query)."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.path == reverse("accounts:oidc_callback")
    return f"{back.path}?{back.query}"


def sso_login(client, op, next_url=""):
    return client.get(at_provider(start(client, op, next_url)))


def logged_in_as(client):
    return client.session.get(SESSION_KEY)


def page_messages(client, response) -> str:
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    return html.unescape(client.get(response["Location"]).content.decode())


def test_login_by_verified_email_matches_the_invited_account(client, team, provider):
    provider.person = agent(team.officer.email.upper())
    response = sso_login(client, provider)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:home")
    assert logged_in_as(client) == str(team.officer.pk)
    request = provider.authorize_requests[-1]
    assert request["client_id"] == CLIENT_ID
    assert set(request["scope"].split()) >= {"openid", "email"}
    assert request["nonce"] and request["state"] and request["code_challenge_method"] == "S256"
    assert "acr_values" not in request  # only when OIDC_ACR_VALUES asks for a level
    dashboard = client.get(reverse("backoffice:dashboard", kwargs={"fabrique_slug": team.fabrique.slug}))
    assert dashboard.status_code == 200


def test_an_invited_account_without_a_name_takes_the_providers(client, team, provider):
    invited = User.objects.create_user("invitee@collectivite.test", None)
    named = team.officer
    provider.person = agent(invited.email)
    sso_login(client, provider)
    invited.refresh_from_db()
    assert (invited.first_name, invited.last_name) == ("Ana", "Lune")
    client.logout()
    provider.person = agent(named.email, sub="agent-2")
    sso_login(client, provider)
    named.refresh_from_db()
    assert named.last_name == "NANTES"  # a name the account has is kept


def test_the_next_page_is_kept_through_the_provider(client, team, provider):
    provider.person = agent(team.officer.email)
    target = reverse("backoffice:dashboard", kwargs={"fabrique_slug": team.fabrique.slug})
    assert sso_login(client, provider, next_url=target)["Location"] == target


def test_a_signed_userinfo_answer_is_accepted_as_proconnect_sends_it(client, team, provider):
    provider.person = agent(team.reader.email)
    provider.userinfo_as_jwt = True
    sso_login(client, provider)
    assert logged_in_as(client) == str(team.reader.pk)


def test_an_unverified_address_is_refused(client, team, provider):
    provider.person = agent(team.officer.email, verified=False)
    response = sso_login(client, provider)
    assert logged_in_as(client) is None
    assert "n'indique pas que l'adresse" in page_messages(client, response)


def test_an_unknown_address_is_refused_without_creating_an_account_or_rights(client, team, provider):
    users, memberships = User.objects.count(), Membership.objects.count()
    provider.person = agent("inconnue@collectivite.test")
    response = sso_login(client, provider)
    assert logged_in_as(client) is None
    page = page_messages(client, response)
    assert "Aucun compte n'existe pour l'adresse inconnue@collectivite.test" in page
    assert "demandez à un·e administrateur·rice" in page
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)


def test_a_wrong_nonce_is_refused(client, team, provider):
    provider.person = agent(team.officer.email)
    provider.id_token_changes = {"nonce": "un-autre-nonce"}
    response = sso_login(client, provider)
    assert logged_in_as(client) is None
    assert "n'a pas abouti" in page_messages(client, response)


@pytest.mark.parametrize(
    "changes", [{"aud": "un-autre-client"}, {"iss": "http://127.0.0.1:9/faux"}], ids=["audience", "issuer"]
)
def test_an_id_token_for_another_client_or_from_another_issuer_is_refused(client, team, provider, changes):
    provider.person = agent(team.officer.email)
    provider.id_token_changes = changes
    sso_login(client, provider)
    assert logged_in_as(client) is None


def test_a_wrong_state_is_refused(client, team, provider):
    provider.person = agent(team.officer.email)
    callback = at_provider(start(client, provider))
    path, query = callback.split("?")
    params = {k: v[0] for k, v in parse_qs(query).items()}
    response = client.get(path, {**params, "state": "etat-forge"})
    assert logged_in_as(client) is None
    assert "n'a pas abouti" in page_messages(client, response)


def test_a_callback_cannot_be_replayed(client, team, provider):
    provider.person = agent(team.officer.email)
    callback = at_provider(start(client, provider))
    client.get(callback)
    assert logged_in_as(client) == str(team.officer.pk)
    client.logout()
    start(client, provider)  # a new login is under way in this browser: the old answer is not its answer
    client.get(callback)
    assert logged_in_as(client) is None


def test_the_acr_level_is_asked_and_checked(client, team, provider, settings):
    settings.OIDC_ACR_VALUES = "eidas2 eidas3"
    provider.person = agent(team.officer.email)
    provider.acr = "eidas1"
    response = sso_login(client, provider)
    assert provider.authorize_requests[-1]["acr_values"] == "eidas2 eidas3"
    assert logged_in_as(client) is None
    assert "niveau d'authentification" in page_messages(client, response)
    provider.acr = "eidas2"
    sso_login(client, provider)
    assert logged_in_as(client) == str(team.officer.pk)


def test_logout_ends_the_session_at_the_provider(client, team, provider):
    provider.person = agent(team.officer.email)
    sso_login(client, provider)
    response = client.post(reverse("accounts:logout"))
    assert logged_in_as(client) is None
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/session/end"
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert params["id_token_hint"].count(".") == 2 and params["state"]
    assert params["post_logout_redirect_uri"] == "http://testserver" + reverse("public:home")


def test_a_password_session_logs_out_here_only(client, team, provider, login):
    login(team.officer)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("public:home")


def test_the_login_page_offers_the_provider_only_when_configured(client, settings, provider):
    settings.OIDC_PROVIDER_NAME = "ProConnect"
    assert "Se connecter avec ProConnect" in client.get(reverse("accounts:login")).content.decode()
    settings.OIDC_ISSUER = ""
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Se connecter avec" not in page
    assert client.get(reverse("accounts:oidc_login")).status_code == 404
    assert client.get(reverse("accounts:oidc_callback")).status_code == 404


def test_a_provider_that_does_not_answer_gets_a_french_message(client, settings, db):
    settings.OIDC_ISSUER = "http://127.0.0.1:9/api/v2"  # nothing listens on the discard port
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    response = client.get(reverse("accounts:oidc_login"))
    assert "ne répond pas" in page_messages(client, response)


def test_a_user_with_a_second_factor_gives_the_code_after_the_provider(client, team, provider):
    device = TOTPDevice.objects.create(user=team.officer, name="totp", confirmed=True)
    provider.person = agent(team.officer.email)
    response = sso_login(client, provider)
    assert response["Location"] == reverse("accounts:login_code")
    assert logged_in_as(client) is None
    code = f"{totp(device.bin_key):06d}"
    assert client.post(reverse("accounts:login_code"), {"code": code})["Location"] == reverse(
        "backoffice:home"
    )
    assert logged_in_as(client) == str(team.officer.pk)
    # the session still came from the provider: logging out ends it there too
    assert client.post(reverse("accounts:logout"))["Location"].startswith(f"{provider.issuer}/session/end?")
