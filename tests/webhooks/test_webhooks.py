"""Webhooks: deliveries to a real receiver on 127.0.0.1 (signature checked with the receiver example
of docs/webhooks.md), retries with backoff on the database backend, disabling after repeated
failures with the admins notified, replay, address refusals (SSRF), no redirects, timeouts, payloads
without personal data, the settings pages and their French errors."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from fabrique.audit.models import AuditEntry
from fabrique.needs.services import need_report_submit
from fabrique.notifications.models import Notification
from fabrique.webhooks import outbound
from fabrique.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from fabrique.webhooks.services import (
    RETRY_DELAYS,
    SIGNATURE_HEADER,
    delivery_replay,
    endpoint_create,
    endpoint_ping,
    endpoint_update,
    sign,
)
from tests.needs.conftest import report_data

from .receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]


def _docs_verify():
    """The receiver example of docs/webhooks.md, executed as written."""
    text = (ROOT / "docs" / "webhooks.md").read_text()
    code = re.search(r"### Receiver example.*?```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def endpoint(team, receiver):
    return endpoint_create(
        fabrique=team.fabrique,
        actor=team.admin,
        url=receiver.url,
        description="Tableau de bord régional",
        event_types=["report.created", "need.created"],
    )


def _submit(team, capture, **extra):
    with capture(execute=True):
        return need_report_submit(fabrique=team.fabrique, **report_data(**extra))


def _drain(capture, limit=50):
    """Run the database backend's queued tasks one by one, ignoring their `run_after` (the test
    does not wait for the backoff; it checks the delays on the rows)."""
    ran = 0
    while ran < limit:
        row = DBTaskResult.objects.filter(status="READY").order_by("enqueued_at").first()
        if row is None:
            return ran
        kwargs = row.args_kwargs["kwargs"]
        row.delete()
        try:
            with capture(execute=True):
                row.task.call(**kwargs)
        except Exception:  # noqa: BLE001 - a handler's failure is the test's subject
            pass
        ran += 1
    raise AssertionError("tasks keep coming")


def test_a_report_is_delivered_signed_to_a_real_receiver(
    team, endpoint, receiver, django_capture_on_commit_callbacks
):
    report = _submit(team, django_capture_on_commit_callbacks, title="Pas de bus le dimanche")
    (request,) = receiver.requests
    assert request.path == "/hooks/fabrique?source=test"
    assert request.headers["Fabrique-Event"] == "report.created"
    assert request.headers["Content-Type"].startswith("application/json")
    event = _docs_verify()(endpoint.secret, request.body, request.headers[SIGNATURE_HEADER])
    assert event["version"] == "1" and event["type"] == "report.created"
    assert event["id"] == request.headers["Fabrique-Event-Id"]
    assert event["fabrique"] == {"slug": team.fabrique.slug, "name": team.fabrique.name}
    obj = event["data"]["object"]
    assert obj["type"] == "report" and obj["id"] == report.pk and obj["reference"] == report.reference
    assert obj["url"].endswith(f"/signalements/{report.pk}/") or str(report.pk) in obj["url"]
    # a wrong secret or a modified body does not verify
    with pytest.raises(ValueError):
        _docs_verify()("whsec_autre", request.body, request.headers[SIGNATURE_HEADER])
    with pytest.raises(ValueError):
        _docs_verify()(
            endpoint.secret, request.body.replace(b"report", b"tampered"), request.headers[SIGNATURE_HEADER]
        )
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.status == DeliveryStatus.SUCCESS and delivery.response_status == 200
    assert delivery.duration_ms is not None and delivery.response_excerpt == "reponse 200 du recepteur"


def test_payloads_carry_no_personal_data(team, endpoint, receiver, django_capture_on_commit_callbacks):
    _submit(
        team,
        django_capture_on_commit_callbacks,
        title="Titre écrit par Camille",
        description="Je m'appelle Camille Martin, 06 12 34 56 78",
        reporter_phone="0612345678",
    )
    body = receiver.requests[0].body.decode()
    for personal in ("Camille", "camille@example.org", "0612345678", "06 12 34 56 78", "Titre écrit"):
        assert personal not in body
    assert "actor" not in json.loads(body)["data"]


def test_unsubscribed_types_and_other_fabriques_send_nothing(
    team, other_team, endpoint, receiver, django_capture_on_commit_callbacks
):
    endpoint_update(endpoint=endpoint, actor=team.admin, event_types=["need.stage_changed"])
    _submit(team, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        need_report_submit(fabrique=other_team.fabrique, **report_data())
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_the_handler_run_twice_delivers_once(team, endpoint, receiver, django_capture_on_commit_callbacks):
    from fabrique.webhooks.handlers import webhook_event

    _submit(team, django_capture_on_commit_callbacks)
    entry = AuditEntry.objects.get(action="needs.needreport.created")
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event(entry)
    assert WebhookDelivery.objects.count() == 1 and len(receiver.requests) == 1


def test_retries_on_500_with_backoff_then_success(
    team, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receiver.statuses = [500, 503, 200]
    _submit(team, django_capture_on_commit_callbacks)
    _drain(django_capture_on_commit_callbacks)
    attempts = list(WebhookDelivery.objects.order_by("attempt"))
    assert [(d.attempt, d.status, d.response_status) for d in attempts] == [
        (1, "failed", 500),
        (2, "failed", 503),
        (3, "success", 200),
    ]
    assert (
        attempts[0].error == "Code HTTP 500." and attempts[0].response_excerpt == "reponse 500 du recepteur"
    )
    for previous, retry in zip(attempts, attempts[1:], strict=False):
        delay = retry.run_after - previous.created_at
        assert RETRY_DELAYS[previous.attempt - 1] * 0.9 < delay < RETRY_DELAYS[previous.attempt - 1] * 1.1
    assert RETRY_DELAYS[1] > RETRY_DELAYS[0]
    # one event, three attempts, three fresh signatures over the same body
    assert len({r.headers["Fabrique-Event-Id"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.is_active


def test_disabled_after_repeated_failures_and_admins_told(
    team, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.FABRIQUE_WEBHOOK_DISABLE_AFTER = 4
    receiver.statuses = [500]
    mail.outbox.clear()
    _submit(team, django_capture_on_commit_callbacks)
    _submit(team, django_capture_on_commit_callbacks)
    _drain(django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert endpoint.consecutive_failures == 4 and "Code HTTP 500" in endpoint.disabled_reason
    assert len(receiver.requests) == 4
    assert not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists()
    assert AuditEntry.objects.filter(action="webhooks.webhookendpoint.disabled").count() == 1
    (notification,) = Notification.objects.filter(kind="webhook_disabled")
    assert notification.recipient == team.admin and str(endpoint.pk) in notification.url
    assert [m for m in mail.outbox if m.to == [team.admin.email] and "Webhook désactivé" in m.subject]
    assert not Notification.objects.filter(kind="webhook_disabled", recipient=team.officer).exists()
    # a disabled endpoint receives nothing more; re-activating it resets the count
    _submit(team, django_capture_on_commit_callbacks)
    _drain(django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 4
    endpoint_update(endpoint=endpoint, actor=team.admin, is_active=True)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 0 and endpoint.disabled_at is None


def test_replay_by_hand_and_ping(team, endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [500, 200]
    _submit(team, django_capture_on_commit_callbacks)  # immediate backend: no deferred retry
    failed = WebhookDelivery.objects.get()
    assert failed.status == DeliveryStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        replay = delivery_replay(delivery=failed, actor=team.admin)
    replay.refresh_from_db()
    assert replay.manual and replay.status == DeliveryStatus.SUCCESS and replay.event_id == failed.event_id
    assert receiver.requests[0].body == receiver.requests[1].body
    assert AuditEntry.objects.filter(action="webhooks.webhookendpoint.replayed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        ping = endpoint_ping(endpoint=endpoint, actor=team.admin)
    ping.refresh_from_db()
    assert (
        ping.status == DeliveryStatus.SUCCESS
        and json.loads(receiver.requests[-1].body)["type"] == "webhook.ping"
    )


def test_redirects_are_not_followed(team, endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [302]
    _submit(team, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.response_status == 302
    assert "Redirection non suivie" in delivery.error and len(receiver.requests) == 1


def test_a_slow_receiver_times_out(team, endpoint, receiver, settings, django_capture_on_commit_callbacks):
    settings.FABRIQUE_WEBHOOK_TIMEOUT = 0.3
    receiver.delay = 1.0
    _submit(team, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.response_status is None
    assert delivery.error.startswith("Pas de réponse") and delivery.duration_ms < 1000


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8000/hook", "locale ou privée"),
        ("http://localhost/hook", "locale ou privée"),
        ("http://10.1.2.3/hook", "locale ou privée"),
        ("http://192.168.1.10/hook", "locale ou privée"),
        ("http://169.254.169.254/latest/meta-data/", "locale ou privée"),
        ("http://100.64.0.1/", "locale ou privée"),
        ("http://[::1]/hook", "locale ou privée"),
        ("http://[::ffff:127.0.0.1]/hook", "locale ou privée"),
        ("http://0.0.0.0/", "locale ou privée"),
        ("ftp://example.org/hook", "Seules les adresses http:// et https://"),
        ("file:///etc/passwd", "Seules les adresses http:// et https://"),
        ("https://admin:secret@93.184.215.14/hook", "ni de mot de passe"),
        ("https:///hook", "doit indiquer un serveur"),
    ],
)
def test_ssrf_local_and_private_addresses_refused_in_production(team, settings, url, message):
    settings.FABRIQUE_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as info:
        endpoint_create(fabrique=team.fabrique, actor=team.admin, url=url, event_types=["need.created"])
    assert message in info.value.message_dict["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_production_settings_refuse_private_addresses():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fabrique.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "example.org",
        "DEBUG": "1",
        "FABRIQUE_WEBHOOK_ALLOW_PRIVATE": "1",
    }
    code = "import django;django.setup();from django.conf import settings;print(settings.FABRIQUE_WEBHOOK_ALLOW_PRIVATE)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_public_address_is_accepted(settings):
    settings.FABRIQUE_WEBHOOK_ALLOW_PRIVATE = False
    assert outbound.check_destination("https://93.184.215.14/hook") == ["93.184.215.14"]
    assert outbound.is_public_address("2606:4700:4700::1111")


def test_the_address_is_checked_again_at_delivery(
    team, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.FABRIQUE_WEBHOOK_ALLOW_PRIVATE = False  # e.g. its DNS now points to a private address
    _submit(team, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "locale ou privée" in delivery.error
    assert receiver.requests == []


def test_signature_scheme_is_the_documented_one():
    import hashlib
    import hmac

    header = sign(secret="whsec_test", timestamp=1796557200, body=b'{"a":1}')
    expected = hmac.new(b"whsec_test", b'1796557200.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t=1796557200,v1={expected}"


# --- pages ------------------------------------------------------------------------------------------------


def _url(team, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def test_create_page_shows_the_generated_secret_once(team, login, client, receiver):
    login(team.admin)
    response = client.post(
        _url(team, "webhook_create"),
        {
            "url": receiver.url,
            "description": "Entrepôt de données",
            "event_types": ["need.created", "report.created"],
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(
        team, "webhook_detail", pk=endpoint.pk
    )
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    page = client.get(response["Location"]).content.decode()
    assert endpoint.secret in page and "affiché une seule fois" in page
    again = client.get(response["Location"]).content.decode()
    assert endpoint.secret not in again
    entry = AuditEntry.objects.get(action="webhooks.webhookendpoint.created")
    assert endpoint.secret not in json.dumps(entry.new_values)
    # rotation shows the new one once
    client.post(_url(team, "webhook_secret", pk=endpoint.pk), {"secret": ""})
    endpoint.refresh_from_db()
    assert endpoint.secret in client.get(_url(team, "webhook_detail", pk=endpoint.pk)).content.decode()


def test_forms_say_what_is_wrong_in_french(team, login, client, settings):
    settings.FABRIQUE_WEBHOOK_ALLOW_PRIVATE = False
    login(team.admin)
    response = client.post(_url(team, "webhook_create"), {"url": "", "event_types": []})
    page = response.content.decode()
    assert response.status_code == 200 and "Ce champ est obligatoire." in page
    assert "Choisissez au moins un événement." in page
    response = client.post(
        _url(team, "webhook_create"),
        {"url": "http://192.168.0.5/hook", "event_types": ["need.created"], "secret": "court"},
    )
    page = response.content.decode()
    assert "locale ou privée" in page
    response = client.post(
        _url(team, "webhook_create"),
        {"url": "gopher://example.org/", "event_types": ["nimporte.quoi"]},
    )
    page = response.content.decode()
    assert "Sélectionnez un choix valide" in page
    response = client.post(
        _url(team, "webhook_create"),
        {"url": "https://93.184.215.14/hook", "event_types": ["need.created"], "secret": "court"},
    )
    assert "Le secret doit compter de 24 à 200 caractères" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_detail_page_lists_the_log_and_replays(
    team, login, client, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 200]
    _submit(team, django_capture_on_commit_callbacks)
    failed = WebhookDelivery.objects.get()
    login(team.admin)
    page = client.get(_url(team, "webhook_detail", pk=endpoint.pk)).content.decode()
    assert "report.created" in page and "Code HTTP 500." in page and "reponse 500 du recepteur" in page
    assert endpoint.secret not in page
    replay_url = _url(team, "webhook_replay", pk=endpoint.pk, delivery_pk=failed.pk)
    assert replay_url in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(replay_url)
    assert response.status_code == 302
    assert WebhookDelivery.objects.filter(manual=True, status=DeliveryStatus.SUCCESS).count() == 1


def test_another_fabriques_delivery_cannot_be_replayed(team, other_team, login, client, endpoint):
    other = endpoint_create(
        fabrique=other_team.fabrique,
        actor=other_team.admin,
        url="http://127.0.0.1:9/",
        event_types=["need.created"],
    )
    delivery = WebhookDelivery.objects.create(
        fabrique=other_team.fabrique,
        endpoint=other,
        event_id="x",
        event_type="need.created",
        body="{}",
        status=DeliveryStatus.FAILED,
    )
    login(team.admin)
    assert (
        client.post(_url(team, "webhook_replay", pk=endpoint.pk, delivery_pk=delivery.pk)).status_code == 404
    )
    assert client.get(_url(team, "webhook_detail", pk=other.pk)).status_code == 404


def test_retry_delays_grow():
    assert all(b > a for a, b in zip(RETRY_DELAYS, RETRY_DELAYS[1:], strict=False))
    assert RETRY_DELAYS[0] >= datetime.timedelta(minutes=1)
