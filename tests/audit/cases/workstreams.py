"""Workstreams (thematic collectives) and their member organisations."""

from __future__ import annotations

from fabrique.workstreams import services as s
from tests.audit.harness import case
from tests.directory.factories import make_organization
from tests.workstreams.factories import make_workstream


def _workstream(t):
    return make_workstream(t.fabrique, t.officer, name="Alimentation durable", code="ALIM")


def _with_member(t):
    workstream = _workstream(t)
    organization = make_organization(t.fabrique, t.officer)
    s.workstream_member_add(workstream=workstream, organization=organization, actor=t.officer)
    return workstream, organization


def _member_removed(t):
    workstream, organization = _with_member(t)
    s.workstream_member_remove(workstream=workstream, organization=organization, actor=t.officer)
    return workstream


CASES = [
    case(s.workstream_create, _workstream, "workstreams.workstream.created", {"name", "code"}),
    case(
        s.workstream_update,
        lambda t: s.workstream_update(
            workstream=_workstream(t), actor=t.officer, description="Circuits courts"
        ),
        "workstreams.workstream.updated",
        {"description"},
    ),
    case(
        s.workstream_delete,
        lambda t: s.workstream_delete(workstream=_workstream(t), actor=t.officer),
        "workstreams.workstream.deleted",
        {"name"},
    ),
    case(
        s.workstream_member_add,
        lambda t: _with_member(t)[0],
        "workstreams.workstream.member_added",
        {"members"},
    ),
    case(s.workstream_member_remove, _member_removed, "workstreams.workstream.member_removed", {"members"}),
]
