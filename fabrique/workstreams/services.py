"""Writes of the workstreams: atomic, validated (the lead and every member belong to the fabrique), audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log
from fabrique.core.services import audited_create, audited_update, check_fields, soft_delete
from fabrique.core.text import normalize
from fabrique.directory.models import Organization

from .models import Workstream, WorkstreamStatus
from .selectors import workstream_lead_candidates

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique


class WorkstreamFields(TypedDict, total=False):
    """The editable fields of a workstream (keyword arguments of `workstream_update`)."""

    name: str
    code: str
    description: str
    lead: User | None
    members: Iterable[Organization]
    status: str
    colour: str


def _check_lead(*, fabrique: Fabrique, lead: User | None) -> None:
    if lead is None:
        return
    if not workstream_lead_candidates(fabrique=fabrique).filter(pk=lead.pk).exists():
        raise ValidationError(
            {"lead": _("La personne référente doit être membre de l'équipe de la fabrique.")}
        )


def _check_members(*, fabrique: Fabrique, members: Iterable[Organization]) -> list[Organization]:
    unique = list(dict.fromkeys(members))
    foreign = [m for m in unique if m.fabrique_id != fabrique.pk or m.is_deleted]
    if foreign:
        # never name another fabrique's organisation: its existence is private
        raise ValidationError(
            {
                "members": _("Ces structures n'appartiennent pas à la fabrique : n° %(pks)s.")
                % {"pks": ", ".join(str(m.pk) for m in foreign)}
            }
        )
    return unique


def _check_code_free(*, fabrique: Fabrique, code: str, exclude_pk: int | None = None) -> None:
    same_code = Workstream.objects.filter(fabrique=fabrique, code=code)
    if exclude_pk is not None:
        same_code = same_code.exclude(pk=exclude_pk)
    if same_code.exists():
        raise ValidationError(
            {"code": _("Un chantier de la fabrique porte déjà le code « %(code)s ».") % {"code": code}}
        )


def _free_code(*, fabrique: Fabrique, name: str) -> str:
    base = slugify(name)[:50].strip("-") or "chantier"
    code, n = base, 1
    while Workstream.objects.filter(fabrique=fabrique, code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(fields)
    for key in ("name", "code", "description", "colour"):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    if data.get("colour"):
        data["colour"] = data["colour"].lower()
    return data


def workstream_create(
    *,
    fabrique: Fabrique,
    actor: User,
    name: str,
    code: str = "",
    description: str = "",
    lead: User | None = None,
    members: Iterable[Organization] = (),
    status: str = WorkstreamStatus.ACTIVE,
    colour: str = "",
) -> Workstream:
    data = _clean({"name": name, "code": code, "description": description, "colour": colour})
    with transaction.atomic():
        if data["code"]:
            _check_code_free(fabrique=fabrique, code=data["code"])
        else:
            data["code"] = _free_code(fabrique=fabrique, name=data["name"])
        _check_lead(fabrique=fabrique, lead=lead)
        valid_members = _check_members(fabrique=fabrique, members=members)
        workstream = Workstream(fabrique=fabrique, lead=lead, status=status, **data)
        workstream.search_name = normalize(workstream.name)
        return audited_create(
            instance=workstream, actor=actor, fabrique=fabrique, m2m={"members": valid_members}
        )


def workstream_update(
    *, workstream: Workstream, actor: User, **fields: Unpack[WorkstreamFields]
) -> Workstream:
    """Change the fields given (`members` replaces the whole list)."""
    check_fields(fields, WorkstreamFields)
    data = _clean(fields)
    fabrique = workstream.fabrique
    m2m = None
    with transaction.atomic():
        if "code" in data:
            if not data["code"]:
                data["code"] = workstream.code
            _check_code_free(fabrique=fabrique, code=data["code"], exclude_pk=workstream.pk)
        if "lead" in data:
            _check_lead(fabrique=fabrique, lead=data["lead"])
        if "members" in data:
            m2m = {"members": _check_members(fabrique=fabrique, members=data.pop("members"))}
        updated, _changed = audited_update(
            instance=workstream, actor=actor, fabrique=fabrique, data=data, m2m=m2m
        )
        search_name = normalize(updated.name)
        if search_name != updated.search_name:  # derived, kept out of the audit entry
            updated.search_name = search_name
            updated.save(update_fields=["search_name"])
    return updated


def workstream_delete(*, workstream: Workstream, actor: User) -> Workstream:
    """Soft delete; its code becomes free again for a new workstream."""
    return soft_delete(instance=workstream, actor=actor, fabrique=workstream.fabrique)


def workstream_member_add(*, workstream: Workstream, organization: Organization, actor: User) -> bool:
    """Add one organisation to the collective; False when it already was a member."""
    with transaction.atomic():
        locked = Workstream._base_manager.select_for_update().get(pk=workstream.pk)
        _check_members(fabrique=locked.fabrique, members=[organization])
        if locked.members.filter(pk=organization.pk).exists():
            return False
        locked.members.add(organization)
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="workstreams.workstream.member_added",
            new={"members": str(organization)},
        )
    return True


def workstream_member_remove(*, workstream: Workstream, organization: Organization, actor: User) -> bool:
    """Remove one organisation from the collective; False when it was not a member."""
    with transaction.atomic():
        locked = Workstream._base_manager.select_for_update().get(pk=workstream.pk)
        if not locked.members.filter(pk=organization.pk).exists():
            return False
        locked.members.remove(organization)
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="workstreams.workstream.member_removed",
            old={"members": str(organization)},
        )
    return True
