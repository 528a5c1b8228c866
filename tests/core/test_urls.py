"""`pk_url_maker` gives what `reverse()` gives, for any key, with one reverse in all."""

from unittest import mock

from django.urls import reverse

from fabrique.core import urls
from fabrique.core.urls import pk_url_maker


def test_pk_url_maker_matches_reverse_and_reverses_once():
    with mock.patch.object(urls, "reverse", wraps=reverse) as spy:
        need_url = pk_url_maker("backoffice:need_detail", "pays-de-retz")
        made = [need_url(pk) for pk in (1, 42, 987654321, 10**12)]
    assert spy.call_count == 1
    assert made == [
        reverse("backoffice:need_detail", kwargs={"fabrique_slug": "pays-de-retz", "pk": pk})
        for pk in (1, 42, 987654321, 10**12)
    ]
