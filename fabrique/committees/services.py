"""Recording decisions. A decision is a row; recording it performs the transition it decides."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fabrique.audit.services import audit_log, snapshot
from fabrique.core.errors import ConflictError, DomainError, TransitionNotAllowed
from fabrique.core.services import audited_create, audited_update, check_fields
from fabrique.core.workflow import transition
from fabrique.directory.models import Person

from . import registry
from .models import (
    AgendaItem,
    Committee,
    CommitteeKind,
    CommitteeType,
    Decision,
    Meeting,
    MeetingStatus,
    MemberVote,
    VoteChoice,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique
    from fabrique.studies.models import Study


class CommitteeTypeFields(TypedDict, total=False):
    kind: str
    label: str
    description: str
    order: int


class CommitteeFields(TypedDict, total=False):
    """`members` are people of the fabrique's directory; given, it replaces the whole list."""

    committee_type: CommitteeType | None
    name: str
    description: str
    members: Iterable[Person]
    quorum: int | None
    study: Study | None


class MeetingFields(TypedDict, total=False):
    """`status` only in `meeting_update` (through the meeting's workflow)."""

    date: datetime.datetime
    place: str
    status: str
    attendees: Iterable[Person]
    notes: str


def decision_record(
    *,
    fabrique: Fabrique,
    actor: User,
    target: models.Model,
    outcome: str,
    reasons: str = "",
    reason_code: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    decided_on: datetime.date | None = None,
    member_votes: Iterable[Mapping[str, Any]] | None = None,
) -> Decision:
    """Record who decided what on `target`, then perform the transition — all or nothing.

    `member_votes` (optional, a committee's decision only): one `{"person", "choice", "conflict"}`
    per member who voted; the totals are then counted from them. A member whose organisation is
    involved in `target` (see `registry.register_involved`) has a conflict of interest: the vote is
    recorded as such and must be an abstention. A committee with a quorum decides only when enough
    of its members are present."""
    if getattr(target, "fabrique_id", None) != fabrique.pk:
        raise DomainError(_("Cet élément n'appartient pas à la fabrique."))
    if meeting is not None and meeting.fabrique_id != fabrique.pk:
        raise DomainError(_("Cette séance n'appartient pas à la fabrique."))
    if agenda_item is not None:
        meeting = agenda_item.meeting
        if meeting.fabrique_id != fabrique.pk:
            raise DomainError(_("Ce point d'ordre du jour n'appartient pas à la fabrique."))
        if Decision.objects.filter(agenda_item=agenda_item).exists():
            raise ConflictError(_("Ce point de l'ordre du jour a déjà fait l'objet d'une décision."))
    option = registry.outcome(target, outcome)
    if option is None or option not in registry.outcomes_for(target):
        raise TransitionNotAllowed(
            _("La décision « %(outcome)s » n'est pas possible pour « %(target)s » à ce stade.")
            % {"outcome": option.label if option else outcome, "target": target}
        )
    _check_reasons(option, reason_code=reason_code, reasons=reasons)
    if decided_on is not None and decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("La date de la décision ne peut pas être dans le futur.")})
    for value in (votes_for, votes_against, votes_abstain):
        if value is not None and value < 0:
            raise DomainError(_("Le nombre de voix ne peut pas être négatif."))
    if meeting is not None:
        _check_quorum(meeting)
    votes = _check_member_votes(meeting=meeting, target=target, member_votes=member_votes)
    if votes:
        counted = [sum(1 for v in votes if v["choice"] == c) for c in VoteChoice.values]
        given = [votes_for, votes_against, votes_abstain]
        if any(g is not None and g != c for g, c in zip(given, counted, strict=True)):
            raise DomainError(
                _(
                    "Les totaux saisis ne correspondent pas aux votes des membres (%(n)s pour, %(c)s contre, %(a)s abstentions)."
                )
                % {"n": counted[0], "c": counted[1], "a": counted[2]}
            )
        votes_for, votes_against, votes_abstain = counted
    with transaction.atomic():
        decision = Decision.objects.create(
            fabrique=fabrique,
            target_type=ContentType.objects.get_for_model(type(target)),
            target_id=target.pk,
            target_repr=str(target)[:300],
            meeting=meeting,
            agenda_item=agenda_item,
            outcome=outcome,
            outcome_label=str(option.label),
            reason_code=reason_code,
            reasons=reasons,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            decided_by=actor,
            decided_on=decided_on or timezone.localdate(),
        )
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=decision,
            action="committees.decision.created",
            new={
                "outcome": outcome,
                "target": str(target),
                "reasons": reasons,
                "reason_code": reason_code,
                "meeting": str(meeting) if meeting else None,
                "votes": [votes_for, votes_against, votes_abstain],
                **(
                    {
                        "member_votes": [
                            {"person_id": v["person"].pk, "choice": v["choice"], "conflict": v["conflict"]}
                            for v in votes
                        ]
                    }
                    if votes
                    else {}
                ),
            },
        )
        MemberVote.objects.bulk_create(
            MemberVote(
                decision=decision, person=v["person"], choice=v["choice"], conflict_of_interest=v["conflict"]
            )
            for v in votes
        )
        option.handler(target, decision, actor)
    return decision


def _check_reasons(option: registry.Outcome, *, reason_code: str, reasons: str) -> None:
    """The reason an outcome needs, as field errors the decision forms show: a known reason code,
    the code when the outcome has a list of reasons, the text when it has none or the code is "other"."""
    if reason_code and reason_code not in dict(option.reason_choices):
        raise ValidationError(
            {
                "reason_code": _("Ce motif ne correspond pas à la décision « %(outcome)s ».")
                % {"outcome": option.label}
            }
        )
    if not option.requires_reasons:
        return
    if option.reason_choices and not reason_code:
        raise ValidationError(
            {
                "reason_code": _("Choisissez le motif de la décision « %(outcome)s ».")
                % {"outcome": option.label}
            }
        )
    if not reasons.strip() and (not option.reason_choices or reason_code == "other"):
        raise ValidationError(
            {"reasons": _("Expliquez le motif de la décision « %(outcome)s ».") % {"outcome": option.label}}
        )


def _committee_member_ids(committee: Committee) -> set[int]:
    return set(committee.members.filter(deleted_at__isnull=True).values_list("pk", flat=True))


def _check_quorum(meeting: Meeting) -> None:
    committee = Committee.all_objects.get(pk=meeting.committee_id)  # fresh: the quorum may just have changed
    quorum = committee.quorum
    if not quorum:
        return
    present = len(_committee_member_ids(committee) & set(meeting.attendees.values_list("pk", flat=True)))
    if present < quorum:
        raise DomainError(
            ngettext(
                "Quorum non atteint : il faut %(quorum)s membre du comité présent, la séance en compte "
                "%(present)s. Complétez la liste des présents ou reportez la décision.",
                "Quorum non atteint : il faut %(quorum)s membres du comité présents, la séance en compte "
                "%(present)s. Complétez la liste des présents ou reportez la décision.",
                quorum,
            )
            % {"present": present, "quorum": quorum}
        )


def _check_member_votes(
    *, meeting: Meeting | None, target: models.Model, member_votes: Iterable[Mapping[str, Any]] | None
) -> list[dict[str, Any]]:
    """Validate the members' votes; mark the conflicts of interest found from the target."""
    votes = [dict(v) for v in (member_votes or ())]
    if not votes:
        return []
    if meeting is None:
        raise DomainError(_("Les votes des membres se notent lors d'une séance du comité."))
    members = _committee_member_ids(meeting.committee)
    attendees = set(meeting.attendees.values_list("pk", flat=True))
    involved = registry.involved_organization_ids(target)
    seen: set[int] = set()
    for vote in votes:
        person = vote["person"]
        if person.pk not in members:
            raise DomainError(_("%(person)s n'est pas membre du comité.") % {"person": person})
        if attendees and person.pk not in attendees:
            raise DomainError(_("%(person)s n'est pas noté·e présent·e à la séance.") % {"person": person})
        if person.pk in seen:
            raise DomainError(_("%(person)s ne vote qu'une fois.") % {"person": person})
        seen.add(person.pk)
        if vote.get("choice") not in VoteChoice.values:
            raise DomainError(_("Vote inconnu pour %(person)s.") % {"person": person})
        vote["conflict"] = bool(vote.get("conflict")) or person.organization_id in involved
        if vote["conflict"] and vote["choice"] != VoteChoice.ABSTAIN:
            raise DomainError(
                _(
                    "%(person)s a un conflit d'intérêts (sa structure est concernée par ce dossier) : "
                    "ce membre s'abstient."
                )
                % {"person": person}
            )
    return votes


def decisions_for(target: models.Model) -> list[Decision]:
    return list(
        Decision.objects.filter(
            target_type=ContentType.objects.get_for_model(type(target)), target_id=target.pk
        ).select_related("meeting", "decided_by")
    )


# --- committee types (configuration of each fabrique) ------------------------------------------------------

DEFAULT_COMMITTEE_TYPES: tuple[tuple[str, StrOrPromise, StrOrPromise], ...] = (
    (
        CommitteeKind.STEERING,
        gettext_lazy("Comité de pilotage"),
        gettext_lazy("Suit une étude d'opportunité, examine ses pistes et décide si un modèle a émergé."),
    ),
    (
        CommitteeKind.COMMITMENT,
        gettext_lazy("Comité d'engagement"),
        gettext_lazy("Retient les besoins qualifiés et décide des études à lancer."),
    ),
    (
        CommitteeKind.SELECTION,
        gettext_lazy("Comité de sélection"),
        gettext_lazy("Examine les candidatures et choisit le porteur du projet."),
    ),
)


def _strip(fields: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    data = dict(fields)
    for key in keys:
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    return data


def committee_types_setup_defaults(*, fabrique: Fabrique) -> list[CommitteeType]:
    """Setup hook: the three usual committees, for each kind the fabrique has no type of yet (idempotent)."""
    created = []
    with transaction.atomic():
        existing = set(CommitteeType.objects.filter(fabrique=fabrique).values_list("kind", flat=True))
        for order, (kind, label, description) in enumerate(DEFAULT_COMMITTEE_TYPES, start=1):
            if kind in existing:
                continue
            instance = CommitteeType(
                fabrique=fabrique, kind=kind, label=str(label), description=str(description), order=order
            )
            created.append(audited_create(instance=instance, actor=None, fabrique=fabrique))
    return created


def committee_type_create(
    *, fabrique: Fabrique, actor: User, **fields: Unpack[CommitteeTypeFields]
) -> CommitteeType:
    check_fields(fields, CommitteeTypeFields)
    data = _strip(fields, ("label", "description"))
    return audited_create(instance=CommitteeType(fabrique=fabrique, **data), actor=actor, fabrique=fabrique)


def committee_type_update(
    *, committee_type: CommitteeType, actor: User, **fields: Unpack[CommitteeTypeFields]
) -> CommitteeType:
    check_fields(fields, CommitteeTypeFields)
    data = _strip(fields, ("label", "description"))
    updated, _changed = audited_update(
        instance=committee_type, actor=actor, fabrique=committee_type.fabrique, data=data
    )
    return updated


def committee_type_delete(*, committee_type: CommitteeType, actor: User) -> None:
    """A type no committee uses can be removed (it is configuration, not history)."""
    fabrique = committee_type.fabrique
    with transaction.atomic():
        locked = CommitteeType.objects.select_for_update().get(pk=committee_type.pk)
        if Committee.all_objects.filter(committee_type=locked).exists():
            raise DomainError(
                _("Le type « %(label)s » est utilisé par au moins un comité : il ne peut pas être supprimé.")
                % {"label": locked.label}
            )
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=locked,
            action="committees.committeetype.deleted",
            old=snapshot(locked),
        )
        locked.delete()


# --- committees ----------------------------------------------------------------------------------------------


def _check_people(*, fabrique: Fabrique, people: Iterable[Person], field: str) -> list[Person]:
    unique = list(dict.fromkeys(people))
    foreign = [p for p in unique if p.fabrique_id != fabrique.pk or p.is_deleted]
    if foreign:
        # never name another fabrique's contact: its existence is private
        raise ValidationError(
            {
                field: _("Ces contacts n'appartiennent pas à la fabrique : n° %(pks)s.")
                % {"pks": ", ".join(str(p.pk) for p in foreign)}
            }
        )
    return unique


def _check_committee_data(*, fabrique: Fabrique, data: Mapping[str, Any]) -> None:
    committee_type = data.get("committee_type")
    if committee_type is not None and committee_type.fabrique_id != fabrique.pk:
        raise ValidationError({"committee_type": _("Ce type de comité n'appartient pas à la fabrique.")})
    study = data.get("study")
    if study is not None and (study.fabrique_id != fabrique.pk or study.is_deleted):
        raise ValidationError({"study": _("Cette étude n'appartient pas à la fabrique.")})


def committee_create(*, fabrique: Fabrique, actor: User, **fields: Unpack[CommitteeFields]) -> Committee:
    """Create a committee, with its `members` (people of the fabrique's directory)."""
    check_fields(fields, CommitteeFields)
    data = _strip(fields, ("name", "description"))
    members = data.pop("members", ())
    with transaction.atomic():
        _check_committee_data(fabrique=fabrique, data=data)
        valid_members = _check_people(fabrique=fabrique, people=members, field="members")
        return audited_create(
            instance=Committee(fabrique=fabrique, **data),
            actor=actor,
            fabrique=fabrique,
            m2m={"members": valid_members},
        )


def committee_update(*, committee: Committee, actor: User, **fields: Unpack[CommitteeFields]) -> Committee:
    """Change the fields given; `members`, when given, replaces the whole list."""
    check_fields(fields, CommitteeFields)
    data = _strip(fields, ("name", "description"))
    fabrique = committee.fabrique
    m2m = None
    with transaction.atomic():
        _check_committee_data(fabrique=fabrique, data=data)
        if "members" in data:
            m2m = {"members": _check_people(fabrique=fabrique, people=data.pop("members"), field="members")}
        updated, _changed = audited_update(
            instance=committee, actor=actor, fabrique=fabrique, data=data, m2m=m2m
        )
    return updated


# --- meetings ------------------------------------------------------------------------------------------------


def meeting_create(*, committee: Committee, actor: User, **fields: Unpack[MeetingFields]) -> Meeting:
    """Plan a meeting of `committee`, with its `attendees` (people of the directory)."""
    check_fields({k: v for k, v in fields.items() if k != "status"}, MeetingFields)
    if "status" in fields:
        raise TypeError("Unknown fields: status")
    data = _strip(fields, ("place", "notes"))
    fabrique = committee.fabrique
    attendees = data.pop("attendees", ())
    with transaction.atomic():
        valid_attendees = _check_people(fabrique=fabrique, people=attendees, field="attendees")
        meeting = Meeting(fabrique=fabrique, committee=committee, status=MeetingStatus.PLANNED, **data)
        return audited_create(
            instance=meeting, actor=actor, fabrique=fabrique, m2m={"attendees": valid_attendees}
        )


def meeting_update(*, meeting: Meeting, actor: User, **fields: Unpack[MeetingFields]) -> Meeting:
    """Change date, place, notes or attendees; a new `status` goes through the meeting's workflow."""
    check_fields(fields, MeetingFields)
    data = _strip(fields, ("place", "notes"))
    fabrique = meeting.fabrique
    status = data.pop("status", None)
    m2m = None
    with transaction.atomic():
        if "attendees" in data:
            m2m = {
                "attendees": _check_people(fabrique=fabrique, people=data.pop("attendees"), field="attendees")
            }
        updated, _changed = audited_update(
            instance=meeting, actor=actor, fabrique=fabrique, data=data, m2m=m2m
        )
        if status is not None and status != updated.status:
            updated = transition(instance=updated, to=status, actor=actor)
    return updated


# --- agenda and decisions --------------------------------------------------------------------------------------


def _check_meeting_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("La séance est annulée : son ordre du jour ne peut plus changer."))


def agenda_item_add(
    *,
    meeting: Meeting,
    actor: User,
    target: models.Model | None = None,
    title: str = "",
    presenter: str = "",
    notes: str = "",
) -> AgendaItem:
    """Put `target` (a need, a study, a project, an application...) or a free item on the agenda."""
    fabrique = meeting.fabrique
    title, presenter, notes = title.strip(), presenter.strip(), notes.strip()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _check_meeting_open(meeting)
        target_type = None
        if target is not None:
            if getattr(target, "fabrique_id", None) != fabrique.pk or getattr(target, "is_deleted", False):
                raise DomainError(_("Cet élément n'appartient pas à la fabrique."))
            if not registry.outcomes_for(target):
                raise DomainError(
                    _("« %(target)s » n'appelle pas de décision de comité à ce stade.") % {"target": target}
                )
            target_type = ContentType.objects.get_for_model(type(target))
            if meeting.items.filter(
                target_type=target_type, target_id=target.pk, decision__isnull=True
            ).exists():
                raise DomainError(
                    _("« %(target)s » est déjà à l'ordre du jour de cette séance.") % {"target": target}
                )
            title = title or str(target)[:250]
        if not title:
            raise ValidationError(
                {"title": _("Choisissez un dossier ou indiquez l'intitulé d'un point libre.")}
            )
        last = meeting.items.aggregate(last=Max("order"))["last"] or 0
        item = AgendaItem(
            meeting=meeting,
            order=last + 1,
            title=title,
            target_type=target_type,
            target_id=target.pk if target is not None else None,
            presenter=presenter,
            notes=notes,
        )
        item.full_clean()
        item.save()
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=meeting,
            action="committees.meeting.item_added",
            new={"item": title, "target": str(target) if target is not None else None, "order": item.order},
        )
    return item


def agenda_item_remove(*, item: AgendaItem, actor: User) -> None:
    """Take an undecided item off the agenda."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        if Decision.all_objects.filter(agenda_item=item).exists():
            raise DomainError(_("Ce point a fait l'objet d'une décision : il ne peut plus être retiré."))
        _check_meeting_open(meeting)
        audit_log(
            actor=actor,
            fabrique=meeting.fabrique,
            target=meeting,
            action="committees.meeting.item_removed",
            old={"item": item.title, "order": item.order},
        )
        item.delete()


def agenda_item_decide(
    *,
    item: AgendaItem,
    actor: User,
    outcome: str,
    reasons: str = "",
    reason_code: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    member_votes: Iterable[Mapping[str, Any]] | None = None,
) -> Decision:
    """The committee's decision on one agenda item: records the Decision (linked to the item and the
    meeting) and performs the transition it decides, all or nothing. A planned meeting becomes held."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        _check_meeting_open(meeting)
        target = item.target
        if target is None or getattr(target, "is_deleted", False):
            raise DomainError(_("Ce point de l'ordre du jour n'appelle pas de décision."))
        decided_on = min(timezone.localtime(meeting.date).date(), timezone.localdate())
        decision = decision_record(
            fabrique=meeting.fabrique,
            actor=actor,
            target=target,
            outcome=outcome,
            reasons=reasons.strip(),
            reason_code=reason_code,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            agenda_item=item,
            decided_on=decided_on,
            member_votes=member_votes,
        )
        audit_log(
            actor=actor,
            fabrique=meeting.fabrique,
            target=meeting,
            action="committees.meeting.item_decided",
            new={"item": item.title, "outcome": decision.outcome_label},
            decision_ref=decision.reference,
        )
        if meeting.status == MeetingStatus.PLANNED:
            transition(instance=meeting, to=MeetingStatus.HELD, actor=actor, decision=decision)
    return decision


def meeting_cancel(*, meeting: Meeting, actor: User, reason: str) -> Meeting:
    """A planned meeting is cancelled (never one with decisions recorded). The convened members receive
    the cancellation of the calendar invitation (handler of "committees.meeting.cancelled")."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi la séance est annulée.")})
    with transaction.atomic():
        locked = Meeting.all_objects.select_for_update().get(pk=meeting.pk)
        if locked.status != MeetingStatus.PLANNED:
            raise TransitionNotAllowed(_("Seule une séance prévue peut être annulée."))
        return transition(instance=locked, to=MeetingStatus.CANCELLED, actor=actor, note=reason)
