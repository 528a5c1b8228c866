"""The shared rate limit: atomic under concurrency, counted before the work (issue 9, item 4)."""

import threading
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from fabrique.core import ratelimit
from fabrique.needs.models import NeedReport
from tests.needs.test_public import form_url, post_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _hammer(*, limit: int, threads: int) -> int:
    """`threads` simultaneous attempts from one address; returns how many were let through."""
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    barrier = threading.Barrier(threads)
    accepted = []

    def attempt():
        barrier.wait()
        if ratelimit.hit("concurrency", request, limit=limit):
            accepted.append(1)

    workers = [threading.Thread(target=attempt) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return len(accepted)


def test_fifteen_simultaneous_attempts_let_exactly_the_limit_through_locmem():
    assert _hammer(limit=5, threads=15) == 5


def test_a_key_other_than_the_address_can_be_limited():
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    assert ratelimit.hit("reset", request, limit=1, key="A@example.org")
    assert not ratelimit.hit("reset", request, limit=1, key="a@example.org")
    assert ratelimit.hit("reset", request, limit=1, key="b@example.org")


def test_a_report_killed_during_the_work_is_counted(client, fabrique, settings):
    settings.FABRIQUE_REPORT_RATE_LIMIT = 2
    client.raise_request_exception = False
    with mock.patch("fabrique.public.reports.need_report_submit_grouped", side_effect=MemoryError):
        for _ in range(2):
            assert client.post(form_url(fabrique), post_data()).status_code == 500
    # then: the two killed requests used the allowance, the third is refused before any work
    with mock.patch("fabrique.public.reports.need_report_submit_grouped") as work:
        response = client.post(form_url(fabrique), post_data())
    assert response.status_code == 429
    work.assert_not_called()
    assert not NeedReport.objects.exists()
