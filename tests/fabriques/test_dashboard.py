"""The staff home grouped by what it asks of the team (issue 14): what to handle, deadlines (late ones
first), the pipeline, results; each activity line links to its object."""

import datetime
from html import unescape

import pytest
from django.urls import reverse

from fabrique.backoffice.dashboard import dashboard_groups
from fabrique.needs.models import NeedStage
from fabrique.needs.services import need_update
from tests.projects.factories import make_need

pytestmark = pytest.mark.django_db


def dashboard(team):
    return reverse("backoffice:dashboard", kwargs={"fabrique_slug": team.fabrique.slug})


def test_groups_in_order_with_every_dashboard_indicator_once(team):
    groups = dashboard_groups(fabrique=team.fabrique)
    assert [g.key for g in groups] == ["handle", "pipeline", "results"]
    labels = [f.label for g in groups for f in g.figures]
    assert len(labels) == len(set(labels))
    # nothing yet: 0 takes the singular in French
    assert "signalement à traiter" in [f.label for f in groups[0].figures]
    assert "entreprise créée" in [f.label for f in groups[2].figures]


def test_tiles_agree_with_their_number(team, login):
    """French plural agreement on the tiles (issue 14): "1 besoin", "0 appel", "2 besoins"."""
    make_need(team.fabrique, title="Un seul", stage=NeedStage.QUALIFYING)
    make_need(team.fabrique, title="Premier", stage=NeedStage.RETAINED)
    make_need(team.fabrique, title="Second", stage=NeedStage.RETAINED)
    figures = {f.label: f.value for g in dashboard_groups(fabrique=team.fabrique) for f in g.figures}
    assert figures["besoin : en qualification"] == 1
    assert figures["besoins : retenu"] == 2
    assert figures["appel à porteurs ouvert"] == 0
    assert figures["structure"] == 0
    page = " ".join(unescape(login(team.officer).get(dashboard(team)).content.decode()).split())
    assert "besoin : en qualification" in page and "besoins : en qualification" not in page
    assert "appels à porteurs ouverts" not in page


def test_late_deadlines_come_first_and_activity_links_to_its_object(team, login):
    late = make_need(team.fabrique, title="Besoin en retard", stage=NeedStage.QUALIFYING)
    soon = make_need(team.fabrique, title="Besoin bientôt", stage=NeedStage.QUALIFYING)
    today = datetime.date.today()
    need_update(need=late, actor=team.officer, next_step_due=today - datetime.timedelta(days=2))
    need_update(need=soon, actor=team.officer, next_step_due=today + datetime.timedelta(days=5))
    page = unescape(login(team.officer).get(dashboard(team)).content.decode())
    assert "1 en retard" in page
    assert (
        page.index(f"Besoin {late}")
        < page.index("Dans les 30 prochains jours")
        < page.index(f"Besoin {soon}")
    )
    detail = reverse("backoffice:need_detail", kwargs={"fabrique_slug": team.fabrique.slug, "pk": late.pk})
    assert f'<a href="{detail}">« {late} »</a>' in page
    assert page.index("À traiter") < page.index("Échéances") < page.index("Où en est le parcours")
