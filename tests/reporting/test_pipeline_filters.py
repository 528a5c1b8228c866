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
