"""The pipeline board's filters."""

import pytest
from django.urls import reverse

from fabrique.backoffice.views.pipeline import PipelineFilterForm

pytestmark = pytest.mark.django_db


def test_officer_filter_lists_only_officers_and_admins(team, other_team, login):
    form = PipelineFilterForm(fabrique=team.fabrique)
    assert set(form.fields["officer"].queryset) == {team.admin, team.officer}
    page = login(team.officer).get(
        reverse("backoffice:pipeline_board", kwargs={"fabrique_slug": team.fabrique.slug})
    )
    html = page.content.decode()
    html = html[html.index('name="officer"') :]
    html = html[: html.index("</select>")]
    assert f'<option value="{team.officer.pk}"' in html
    for user in (team.partner, team.reader, team.committee, other_team.officer):
        assert f'<option value="{user.pk}"' not in html


def test_board_columns_show_the_most_recent_cards_and_link_to_the_rest(team, login):
    from fabrique.needs.models import NeedStage
    from fabrique.reporting.pipeline import BOARD_LIMIT
    from tests.committees.factories import make_need

    needs = [make_need(team.fabrique, title=f"Besoin retenu {i:02d}") for i in range(BOARD_LIMIT + 3)]
    assert all(n.stage == NeedStage.RETAINED for n in needs)
    html = (
        login(team.officer)
        .get(reverse("backoffice:pipeline_board", kwargs={"fabrique_slug": team.fabrique.slug}))
        .content.decode()
    )
    column = html[html.index('id="col-retained"') :]
    column = column[: column.index("</section>")]
    assert f'<span class="badge">{BOARD_LIMIT + 3}</span>' in column
    assert column.count('class="board-card"') == BOARD_LIMIT
    # the most recently changed first: the three oldest are left to the list
    assert all(n.title not in column for n in needs[:3]) and all(n.title in column for n in needs[3:])
    assert "et 3 autres dans la liste" in column and "?kind=need&amp;stage=retained" in column
