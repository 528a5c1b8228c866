"""Stored insights: computed once for the whole fabrique (the same context as the per-need selectors),
read by the priorities page and the need's page, refreshed by the event handlers."""

import datetime

import pytest
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.intelligence.insights import (
    insights_on_change,
    insights_refresh,
    ranked_needs,
    stored_context,
)
from fabrique.intelligence.models import NeedInsight
from fabrique.intelligence.priorities import OPEN_STAGES, priorities_rank, weights_of
from fabrique.intelligence.selectors import existing_offer, nearby_needs
from fabrique.needs.models import Need

pytestmark = pytest.mark.django_db


def _offer_keys(offer):
    return [
        (item.kind, getattr(item.obj, "pk", None), item.title, sorted(str(r) for r in item.reasons))
        for items in (offer.organizations, offer.projects, offer.network_projects)
        for item in items
    ]


def test_stored_context_is_what_the_selectors_compute_for_each_need(nantes):
    fabrique = nantes.team.fabrique
    assert insights_refresh(fabrique=fabrique) == Need.objects.filter(fabrique=fabrique).count()
    radius = weights_of(fabrique).radius_km
    for need in Need.objects.filter(fabrique=fabrique).select_related("commune__parent", "qpv", "epci"):
        stored = stored_context(need=need, radius_km=radius)
        assert stored is not None
        live_nearby = nearby_needs(need=need, radius_km=radius)
        assert [n.need.pk for n in stored.nearby] == [n.need.pk for n in live_nearby]
        assert [n.same_theme for n in stored.nearby] == [n.same_theme for n in live_nearby]
        live_offer = existing_offer(need=need, radius_km=radius)
        assert _offer_keys(stored.offer) == _offer_keys(live_offer)
        assert stored.offer.count == live_offer.count
    # another radius than the stored one is not answered from the store
    assert stored_context(need=nantes.mobility_rural, radius_km=radius + 10) is None


def test_a_limited_context_reads_the_first_items_and_keeps_the_whole_counts(nantes, login, monkeypatch):
    """The need page's panel reads at most `limit` nearby needs and offer items of each kind (a need in a
    dense town had a hundred offer items rendered on every view of its page), stored or computed now."""
    from fabrique.directory.models import Organization
    from fabrique.intelligence.selectors import need_context
    from fabrique.needs.services import need_create

    fabrique = nantes.team.fabrique
    target = nantes.mobility_rural
    for index in range(3):
        Organization.objects.create(
            fabrique=fabrique, name=f"Transport solidaire {index}", commune=target.commune
        )
        need_create(
            fabrique=fabrique,
            actor=nantes.team.officer,
            title=f"Mobilité {index}",
            commune=target.commune,
            theme=target.theme,
        )
    insights_refresh(fabrique=fabrique)
    need = Need.objects.select_related("commune__parent", "qpv", "epci").get(pk=target.pk)
    for stored in (True, False):
        whole = need_context(need=need, stored=stored)
        short = need_context(need=need, stored=stored, limit=1)
        assert whole.offer.count >= 2 and whole.nearby_count >= 2, "a demo need has several of each"
        assert short.offer.count == whole.offer.count and short.nearby_count == whole.nearby_count
        assert short.offer.listed <= 3 and short.offer.listed < whole.offer.listed
        assert _offer_keys(short.offer) == [
            key
            for items in (whole.offer.organizations, whole.offer.projects, whole.offer.network_projects)
            for key in _offer_keys(type(whole.offer)(whole.offer.theme, 0, True, items[:1]))
        ]
        assert [n.need.pk for n in short.nearby] == [n.need.pk for n in whole.nearby][:1]
    # the need page's panel says it lists only the nearest
    from fabrique.intelligence.templatetags import intelligence_tags

    monkeypatch.setattr(intelligence_tags, "PANEL_LIMIT", 1)
    page = login(nantes.team.reader).get(
        reverse("backoffice:need_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": need.pk})
    )
    text = page.content.decode()
    assert f"Les 1 plus proches sur {whole.offer.count}" in text and "Transport solidaire 2" not in text


def test_sql_ranking_matches_the_computed_ranking(nantes):
    fabrique = nantes.team.fabrique
    insights_refresh(fabrique=fabrique)
    weights = weights_of(fabrique)
    computed = priorities_rank(fabrique=fabrique, weights=weights)
    stored = list(ranked_needs(fabrique=fabrique, weights=weights, stages=OPEN_STAGES))
    assert [n.pk for n in stored] == [r.need.pk for r in computed]
    for need, row in zip(stored, computed, strict=True):
        assert need.score == pytest.approx(row.score)


def test_event_handler_refreshes_once_for_a_burst(nantes):
    from fabrique.needs.services import need_create

    fabrique, officer = nantes.team.fabrique, nantes.team.officer
    insights_refresh(fabrique=fabrique)
    need = need_create(fabrique=fabrique, actor=officer, title="Pas de laverie", theme="services")
    entry = AuditEntry.objects.filter(action="needs.need.created").latest("pk")
    entry.created_at -= datetime.timedelta(minutes=1)  # the worker runs the handler a little later
    # the handler runs in the worker after the commit; here it is called as the worker would
    NeedInsight.objects.filter(fabrique=fabrique).update(computed_at=entry.created_at.replace(year=2020))
    insights_on_change(entry)
    assert NeedInsight.objects.filter(need=need).exists()
    first = NeedInsight.objects.get(need=need).computed_at
    insights_on_change(entry)  # the same event again (or an older one of the burst): already covered
    assert NeedInsight.objects.get(need=need).computed_at == first


def test_priorities_page_reads_stored_rows_a_page_at_a_time(nantes, login, monkeypatch):
    from fabrique.backoffice.views import intelligence as views

    team = nantes.team
    insights_refresh(fabrique=team.fabrique)
    monkeypatch.setattr(views, "PRIORITIES_PAGE_SIZE", 2)
    client = login(team.reader)
    url = reverse("backoffice:priorities", kwargs={"fabrique_slug": team.fabrique.slug})
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    ranked = priorities_rank(fabrique=team.fabrique)
    assert ranked[0].need.title in first and ranked[0].need.title not in second
    assert ranked[2].need.title in second and "Page 2 sur 2" in second


def test_a_big_fabrique_is_not_computed_in_the_request(
    nantes, login, monkeypatch, django_capture_on_commit_callbacks
):
    from fabrique.intelligence import insights

    team = nantes.team
    monkeypatch.setattr(insights, "INLINE_LIMIT", 1)
    client = login(team.reader)
    url = reverse("backoffice:priorities", kwargs={"fabrique_slug": team.fabrique.slug})
    with django_capture_on_commit_callbacks() as callbacks:
        text = client.get(url).content.decode()
    assert not NeedInsight.objects.filter(fabrique=team.fabrique).exists()
    assert "Contexte en cours de calcul pour 4 besoins" in text and "en cours de calcul" in text
    assert callbacks  # a refresh is queued for the worker
