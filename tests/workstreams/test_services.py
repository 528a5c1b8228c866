import pytest
from django.core.exceptions import ValidationError

from fabrique.audit.models import AuditEntry
from fabrique.core.indicators import indicator
from fabrique.fabriques.models import Membership
from fabrique.workstreams.models import Workstream
from fabrique.workstreams.selectors import workstream_list, workstream_members
from fabrique.workstreams.services import (
    workstream_create,
    workstream_delete,
    workstream_member_add,
    workstream_member_remove,
    workstream_update,
)
from tests.directory.factories import make_organization

from .factories import make_workstream

pytestmark = pytest.mark.django_db


def test_create_with_members_lead_and_audit(team):
    a = make_organization(team.fabrique, team.officer, name="A")
    b = make_organization(team.fabrique, team.officer, name="B")
    ws = workstream_create(
        fabrique=team.fabrique,
        actor=team.admin,
        name="Réemploi « 3R »",
        lead=team.officer,
        members=[a, b, a],
        colour="#1F4E79",
    )
    assert ws.code == "reemploi-3r"
    assert ws.colour == "#1f4e79"
    assert set(ws.members.all()) == {a, b}
    entry = AuditEntry.objects.for_target(ws).get()
    assert entry.action == "workstreams.workstream.created"
    assert entry.new_values["members"] == ["A", "B"]
    assert entry.new_values["lead"] == str(team.officer)


def test_codes_are_unique_per_fabrique_among_live_rows(team, other_team):
    first = make_workstream(team.fabrique, team.officer, name="Alimentation")
    second = make_workstream(team.fabrique, team.officer, name="Alimentation")
    assert (first.code, second.code) == ("alimentation", "alimentation-2")
    with pytest.raises(ValidationError) as exc:
        make_workstream(team.fabrique, team.officer, name="Autre", code="alimentation")
    assert "code" in exc.value.message_dict
    assert (
        make_workstream(other_team.fabrique, other_team.officer, code="alimentation").code == "alimentation"
    )
    workstream_delete(workstream=first, actor=team.officer)
    assert make_workstream(team.fabrique, team.officer, code="alimentation").pk


def test_members_of_another_fabrique_are_refused(team, other_team):
    ours = make_organization(team.fabrique, team.officer)
    theirs = make_organization(other_team.fabrique, other_team.officer, name="Secret de Vendée")
    with pytest.raises(ValidationError) as exc:
        make_workstream(team.fabrique, team.officer, members=[ours, theirs])
    assert "members" in exc.value.message_dict
    assert "Secret" not in str(exc.value)  # never names another fabrique's organisation
    assert not Workstream.all_objects.exists()
    ws = make_workstream(team.fabrique, team.officer, members=[ours])
    with pytest.raises(ValidationError):
        workstream_update(workstream=ws, actor=team.officer, members=[theirs])
    with pytest.raises(ValidationError):
        workstream_member_add(workstream=ws, organization=theirs, actor=team.officer)
    assert list(ws.members.all()) == [ours]


def test_the_lead_must_be_a_member_of_the_team(team, other_team):
    with pytest.raises(ValidationError) as exc:
        make_workstream(team.fabrique, team.officer, lead=other_team.officer)
    assert "lead" in exc.value.message_dict
    with pytest.raises(ValidationError):  # an outside actor with an account
        make_workstream(team.fabrique, team.officer, lead=team.partner)
    Membership.objects.filter(user=team.reader, fabrique=team.fabrique).update(is_active=False)
    with pytest.raises(ValidationError):
        make_workstream(team.fabrique, team.officer, lead=team.reader)
    assert make_workstream(team.fabrique, team.officer, lead=team.committee).lead == team.committee


def test_update_logs_old_and_new_members(team):
    a = make_organization(team.fabrique, team.officer, name="A")
    b = make_organization(team.fabrique, team.officer, name="B")
    ws = make_workstream(team.fabrique, team.officer, name="Mobilité", members=[a])
    workstream_update(workstream=ws, actor=team.admin, members=[b], status="archived", code="")
    ws.refresh_from_db()
    assert ws.code == "mobilite" and ws.status == "archived"
    entry = AuditEntry.objects.for_target(ws).get(action="workstreams.workstream.updated")
    assert entry.old_values == {"members": ["A"], "status": "active"}
    assert entry.new_values == {"members": ["B"], "status": "archived"}
    assert indicator("workstreams.active").value(team.fabrique) == 0
    assert Workstream.objects.filter(fabrique=team.fabrique).count() == 1


def test_rename_updates_the_search_name(team):
    ws = make_workstream(team.fabrique, team.officer, name="Alimentation")
    workstream_update(workstream=ws, actor=team.officer, name="Habitat inclusif")
    assert [w.name for w in workstream_list(fabrique=team.fabrique, filters={"q": "habitat"})] == [
        "Habitat inclusif"
    ]


def test_member_add_and_remove_are_audited_and_idempotent(team):
    org = make_organization(team.fabrique, team.officer, name="La Ruche")
    ws = make_workstream(team.fabrique, team.officer)
    assert workstream_member_add(workstream=ws, organization=org, actor=team.officer)
    assert not workstream_member_add(workstream=ws, organization=org, actor=team.officer)
    assert list(workstream_members(workstream=ws)) == [org]
    assert workstream_member_remove(workstream=ws, organization=org, actor=team.officer)
    assert not workstream_member_remove(workstream=ws, organization=org, actor=team.officer)
    actions = list(AuditEntry.objects.for_target(ws).values_list("action", "new_values", "old_values"))
    assert ("workstreams.workstream.member_added", {"members": "La Ruche"}, {}) in actions
    assert ("workstreams.workstream.member_removed", {}, {"members": "La Ruche"}) in actions
    assert len(actions) == 3


def test_soft_delete(team):
    ws = make_workstream(team.fabrique, team.officer)
    workstream_delete(workstream=ws, actor=team.officer)
    assert not Workstream.objects.exists()
    assert AuditEntry.objects.for_target(ws).filter(action="workstreams.workstream.deleted").exists()


def test_list_filters(team):
    org = make_organization(team.fabrique, team.officer)
    make_workstream(team.fabrique, team.officer, name="Économie circulaire", members=[org])
    make_workstream(team.fabrique, team.officer, name="Mobilité", status="archived")

    def names(**filters):
        return [w.name for w in workstream_list(fabrique=team.fabrique, filters=filters)]

    assert names(q="economie") == ["Économie circulaire"]
    assert names(q="mobilite") == ["Mobilité"]
    assert names(status="archived") == ["Mobilité"]
    assert names(organization=org.pk) == ["Économie circulaire"]
    assert workstream_list(fabrique=team.fabrique, filters={"q": "economie"})[0].member_count == 1
