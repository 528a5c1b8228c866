"""Need grouping in the product: suggestions while a report is written, the probable-duplicates
queue (merge / split with provenance), and regrouping jobs that only propose.

Built on the pure engine `fabrique.grouping.api` (see docs/grouping.md, "Python API"):
- each report keeps its packed features and candidate-filter keys in `ReportFeatures`
  (`report_features_refresh`, called by `need_report_submit`; `fabrique backfill_report_features`);
- `need_suggestions` / `public_need_suggestions` / `report_need_suggestions`: the closest needs of one
  fabrique (the public gets only the public title and the public status); a stored report is never
  offered a need the team said it is not (`_needs_decided_apart`);
- `report_merge` / `report_split`: move a report into a need and back, through the needs services
  (so the audit log records every move), with a `ReportMerge` provenance row;
- `regrouping_run_*`: a job over a fabrique or the network that creates `GroupingProposal` rows, per
  fabrique; `proposal_accept` / `proposal_reject` are the only ways they change anything.

Every write is keyword-only, atomic and audited. Features are derived data (not audited).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.audit.labels import register_action_label
from fabrique.audit.services import audit_log
from fabrique.core.choices import Public, ReporterType, Theme
from fabrique.core.errors import DomainError
from fabrique.fabriques.models import Fabrique

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.grouping.models import PairModelAdaptation

from .models import (
    GroupingProposal,
    Need,
    NeedReport,
    NeedStage,
    ProposalKind,
    ProposalStatus,
    RegroupingRun,
    ReportFeatures,
    ReportMerge,
    ReportStage,
    RunStatus,
)
from .selectors import need_public_status, reports_with_places
from .services import need_create_from_report, need_report_attach, need_report_detach, need_report_submit

logger = logging.getLogger(__name__)

CANDIDATE_LIMIT = 2000  # candidate reports scored for one suggestion (docs/grouping.md)
MIN_SCORE = 0.2
# needs a new report can be said to be "the same" as
SUGGESTABLE_STAGES = frozenset(set(NeedStage.values) - {NeedStage.CLOSED})
SPLIT_MODES = ("restore", "new_need", "unattached")
PROGRESS_EVERY = 50
DECISION_PAIRS = 20  # labelled pairs recorded per moved report (with that many reports of the need)
ADAPT_ON_LAST = 2000  # the adaptation reads the fabrique's latest decisions
STALE_AFTER = datetime.timedelta(minutes=30)
SET_ASIDE_SHOWN = 5  # needs set aside by the team listed on a report's pages
_SET_ASIDE_NEED_FIELDS = ("reference", "title", "stage", "deleted_at")
RANKING_CACHE_SECONDS = 30 * 24 * 3600  # a report's ranking: valid while what it read is unchanged (its key)
LIVE_REPORTS = 10  # received reports checked live for a probable need on the duplicates queue
REPORT_SUGGESTIONS = 5  # closest needs shown for a stored report (comparison and merge pages)
WARM_PENDING_SECONDS = 15 * 60  # a queued warming not started by then no longer holds back the next one

for _action, _label in {
    "needs.needreport.merged": gettext_lazy("Signalement fusionné dans un besoin"),
    "needs.needreport.split": gettext_lazy("Signalement séparé de son besoin"),
    "needs.needreport.same_as_need": gettext_lazy("Signalé comme le même besoin"),
    "needs.groupingproposal.accepted": gettext_lazy("Regroupement accepté"),
    "needs.groupingproposal.rejected": gettext_lazy("Regroupement rejeté"),
    "needs.regroupingrun.created": gettext_lazy("Regroupement lancé"),
}.items():
    register_action_label(_action, _label)


# --- features ----------------------------------------------------------------------------------------------


def _dept_hint(fabrique) -> str:
    code = fabrique.departements.order_by("code").values_list("code", flat=True).first()
    return code or ""


def _label(choices, value) -> str:
    """The engine reads the French wording of a choice ("personnes âgées"), not its code."""
    value = str(value or "")
    with translation.override("fr"):
        return str(choices(value).label) if value in choices.values else value


def report_mapping(report: NeedReport | Mapping) -> dict:
    """The engine's JSONL record of a report (a NeedReport, or the fields of a form being written)."""
    if isinstance(report, NeedReport):
        values = {
            "id": str(report.pk),
            "title": report.title,
            "description": report.description,
            "commune": report.commune,
            "place": report.place,
            "qpv": report.qpv,
            "public": report.public,
            "public_detail": report.public_detail,
            "theme": report.theme,
            "reporter_type": report.reporter_type,
            "date": report.reported_on,
        }
    else:
        values = dict(report)
    commune = values.get("commune")
    commune_code = getattr(commune, "code", commune) or ""
    qpv = values.get("qpv")
    label = " ".join(filter(None, [str(values.get("place") or ""), str(getattr(qpv, "name", "") or "")]))
    date = values.get("date")
    return {
        "id": str(values.get("id") or "new"),
        "title": values.get("title") or "",
        "description": values.get("description") or "",
        "commune": str(commune_code),
        "territory_label": label,
        # the reporter's own words first ('saisonniers' under 'autre public'), then the choice's label
        "public": " ; ".join(
            filter(None, [str(values.get("public_detail") or ""), _label(Public, values.get("public"))])
        ),
        "theme": _label(Theme, values.get("theme")),
        "reporter_type": _label(ReporterType, values.get("reporter_type")),
        "date": date.isoformat() if hasattr(date, "isoformat") else (date or ""),
    }


def _joined(items: Iterable[str]) -> str:
    items = [i for i in items if i]
    return f",{','.join(items)}," if items else ""


def _featurize(mapping: dict, *, dept_hint: str):
    from fabrique.grouping.api import featurize

    return featurize(mapping, dept_hint=dept_hint or None)


def report_features_compute(*, report: NeedReport, dept_hint: str | None = None) -> tuple[Any, dict] | None:
    """The report's grouping features and candidate keys, computed without writing anything (so a caller
    can do it before it takes a lock). None when the engine fails: derived data never breaks the caller."""
    from fabrique.grouping.api import candidate_filter

    try:
        hint = _dept_hint(report.fabrique) if dept_hint is None else dept_hint
        features = _featurize(report_mapping(report), dept_hint=hint)
        keys = candidate_filter(features)
    except Exception:  # noqa: BLE001 - derived data: the report must be recorded anyway
        logger.exception("Grouping features of report %s could not be computed", report.pk)
        return None
    return features, keys


def report_features_store(*, report: NeedReport, computed: tuple[Any, dict] | None) -> ReportFeatures | None:
    """Store features computed by `report_features_compute` (one row per report)."""
    if computed is None:
        return None
    features, keys = computed
    features.id = str(report.pk)  # computed before the report had its primary key
    communes = [str(c) for c in keys.get("communes") or []]
    row, _created = ReportFeatures.objects.update_or_create(
        report=report,
        defaults={
            "fabrique_id": report.fabrique_id,
            "features": features.pack(),
            "level": str(keys.get("level") or ""),
            "commune": communes[0] if communes else "",
            "communes": _joined(communes),
            "epci": str(keys.get("epci") or ""),
            "dept": str(keys.get("dept") or ""),
            "concepts": _joined(str(c) for c in keys.get("concepts") or []),
        },
    )
    return row


def report_features_refresh(*, report: NeedReport, dept_hint: str | None = None) -> ReportFeatures | None:
    """Compute and store the report's grouping features. Never breaks the caller: an engine error is
    logged and None returned (the report simply gets no suggestions until the backfill)."""
    return report_features_store(
        report=report, computed=report_features_compute(report=report, dept_hint=dept_hint)
    )


def report_features_ensure(*, report: NeedReport) -> None:
    """Compute the features of a report that has none yet (reports recorded before this feature)."""
    if not ReportFeatures.objects.filter(report_id=report.pk).exists():
        report_features_refresh(report=report)


def report_features_backfill(
    *, fabrique=None, force: bool = False, progress: Callable[[int, int], None] | None = None
) -> int:
    """Compute missing (or, with `force`, all) features of a fabrique's reports, or of every fabrique, then
    have the worker warm the duplicates queue of each fabrique whose features changed (their rankings read
    the former features; after an engine update every cached ranking is stale). Returns how many were
    computed."""
    reports = NeedReport.objects.select_related("commune", "qpv", "fabrique").order_by("pk")
    if fabrique is not None:
        reports = reports.filter(fabrique=fabrique)
    if not force:
        reports = reports.filter(grouping_features__isnull=True)
    total = reports.count()
    hints: dict[int, str] = {}
    changed: set[int] = set()
    done = 0
    for report in reports.iterator():
        if report.fabrique_id not in hints:
            hints[report.fabrique_id] = _dept_hint(report.fabrique)
        if report_features_refresh(report=report, dept_hint=hints[report.fabrique_id]) is not None:
            done += 1
            changed.add(report.fabrique_id)
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    for fabrique_id in sorted(changed):
        duplicate_queue_warm_request(fabrique_id=fabrique_id)
    return done


# --- suggestions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedSuggestion:
    need: Need
    score: float
    same_need: bool
    reports: int


@dataclass(frozen=True)
class PublicNeedSuggestion:
    """What the public may see of a suggested need: its id (to attach), public title and status."""

    need_id: int
    title: str
    status: str


CANDIDATE_ORDER = ("-report__created_at", "-report_id")  # the latest reports first, a total order


def _near(keys: Mapping) -> Q | None:
    """The candidate filter of one report's `candidate_filter` keys (docs/grouping.md); None: no candidate."""
    concepts = Q()
    for concept in keys.get("concepts") or []:
        concepts |= Q(concepts__contains=f",{concept},")
    communes, epci, dept = list(keys.get("communes") or []), keys.get("epci") or "", keys.get("dept") or ""
    if communes:
        near = Q(commune__in=communes)
        for code in communes:
            near |= Q(communes__contains=f",{code},")
        if epci:
            near |= Q(epci=epci) & (Q(level="epci") | concepts) if concepts else Q(epci=epci, level="epci")
        return near
    if epci:
        return Q(epci=epci)
    if dept:
        return Q(dept=dept)
    if concepts:
        return concepts
    return None


def _live_features(*, fabrique) -> QuerySet:
    """Stored features of the fabrique's live reports attached to a need that may be suggested."""
    return ReportFeatures.objects.filter(
        fabrique=fabrique,
        report__deleted_at__isnull=True,
        report__stage=ReportStage.ATTACHED,
        report__need__deleted_at__isnull=True,
        report__need__stage__in=SUGGESTABLE_STAGES,
    )


def _candidates(*, fabrique, keys: Mapping, exclude_report_id=None, exclude_need_ids=()) -> QuerySet:
    """Stored features of the fabrique's live attached reports that may be the same need (docs/grouping.md):
    the latest CANDIDATE_LIMIT of them."""
    rows = _live_features(fabrique=fabrique)
    if exclude_report_id is not None:
        rows = rows.exclude(report_id=exclude_report_id)
    if exclude_need_ids:
        rows = rows.exclude(report__need_id__in=sorted(exclude_need_ids))
    near = _near(keys)
    if near is None:
        return rows.none()
    return rows.filter(near).order_by(*CANDIDATE_ORDER)[:CANDIDATE_LIMIT]


Candidate = tuple[int, int, Any]  # (report id, need id, Features)


def _rank(*, features, candidates: list[Candidate], k: int, pm) -> list[tuple[int, tuple[float, bool, int]]]:
    """(need id, (score, same need, reports)) of the closest needs among the candidates, best first."""
    from fabrique.grouping.api import suggest

    if not candidates:
        return []
    need_of = {str(report_id): need_id for report_id, need_id, _f in candidates}
    best: dict[int, tuple[float, bool, int]] = {}
    found = suggest(features, [f for _r, _n, f in candidates], k=max(k * 5, 20), min_score=MIN_SCORE, pm=pm)
    for suggestion in found:
        need_id = need_of.get(str(suggestion.id))
        if need_id is None:
            continue
        score, same, count = best.get(need_id, (0.0, False, 0))
        best[need_id] = (max(score, suggestion.score), same or suggestion.same_need, count + 1)
    return sorted(best.items(), key=lambda item: -item[1][0])[:k]


def _rank_needs(
    *, fabrique, features, k: int, exclude_report_id=None, exclude_need_ids: Collection[int] = ()
) -> list[tuple[int, tuple[float, bool, int]]]:
    """(need id, (score, same need, reports)) of the closest needs, best first: one candidate query.
    `exclude_need_ids`: needs never offered (the team said the report is not them)."""
    from fabrique.grouping.api import Features, candidate_filter

    rows = list(
        _candidates(
            fabrique=fabrique,
            keys=candidate_filter(features),
            exclude_report_id=exclude_report_id,
            exclude_need_ids=exclude_need_ids,
        ).values_list("report_id", "report__need_id", "features")
    )
    if not rows:
        return []
    candidates = [(r, n, Features.unpack(bytes(blob))) for r, n, blob in rows]
    return _rank(features=features, candidates=candidates, k=k, pm=fabrique_pair_model(fabrique=fabrique))


def _suggestions(fabrique, ranked, needs) -> list[NeedSuggestion]:
    return [
        NeedSuggestion(need=needs[need_id], score=score, same_need=same, reports=count)
        for need_id, (score, same, count) in ranked
        if need_id in needs
    ]


def _suggest_needs(
    *, fabrique, features, k: int, exclude_report_id=None, exclude_need_ids: Collection[int] = ()
) -> list[NeedSuggestion]:
    ranked = _rank_needs(
        fabrique=fabrique,
        features=features,
        k=k,
        exclude_report_id=exclude_report_id,
        exclude_need_ids=exclude_need_ids,
    )
    if not ranked:
        return []
    needs = Need.objects.filter(fabrique=fabrique).in_bulk([need_id for need_id, _v in ranked])
    return _suggestions(fabrique, ranked, needs)


def _near_any(keys_list: Iterable[Mapping]) -> Q:
    """A filter that every row meeting the `_near` of one of the keys meets (each row's own flags then say
    which), cheap to evaluate on each of the fabrique's rows: one `IN` per column, and the `communes` patterns
    only on the rows whose places hold more than their own commune (a row whose `communes` is its `commune`
    alone meets the pattern of a code only when its `commune` is that code, which the `IN` reads)."""
    communes: set[str] = set()
    epci_arms: dict[str, Q] = {}
    epcis: set[str] = set()
    depts: set[str] = set()
    concepts = Q()
    for keys in keys_list:
        near = _near(keys)
        codes, epci, dept = list(keys.get("communes") or []), keys.get("epci") or "", keys.get("dept") or ""
        if near is None:
            continue
        if codes:
            communes.update(codes)
            if epci:  # the near's third arm, with its own concepts
                arm = Q(epci=epci, level="epci")
                for concept in keys.get("concepts") or []:
                    arm |= Q(epci=epci, concepts__contains=f",{concept},")
                epci_arms[epci] = epci_arms.get(epci, Q()) | arm
        elif epci:
            epcis.add(epci)
        elif dept:
            depts.add(dept)
        else:
            concepts |= near
    found = concepts
    if communes:
        patterns = Q()
        for code in sorted(communes):
            patterns |= Q(communes__contains=f",{code},")
        own = ~Q(communes=Concat(Value(","), "commune", Value(","), output_field=TextField()))
        found |= Q(commune__in=sorted(communes)) | (own & patterns)
    if epci_arms:
        arms = Q()
        for arm in epci_arms.values():
            arms |= arm
        found |= Q(epci__in=sorted(epci_arms)) & arms
    if epcis:
        found |= Q(epci__in=sorted(epcis))
    if depts:
        found |= Q(dept__in=sorted(depts))
    return found


def _candidates_of_reports(
    *, fabrique, wanted: Mapping[int, tuple[Mapping, Collection[int]]]
) -> dict[int, list[tuple[int, int, str]]]:
    """`_candidates` (attached reports) of several reports, `wanted`: report id -> (its `candidate_filter`
    keys, the needs decided apart for it). Returns report id -> [(report id, need id, when its features were
    computed)] of its candidates, in their order: the same rows as one `_candidates` query per report, in one
    query over the union of their filters (`_near_any`), each row saying (computed by the database, with
    each report's own `_near`) which of the filters it meets."""
    nears = {pk: near for pk, (keys, _apart) in wanted.items() if (near := _near(keys)) is not None}
    if not nears:
        return {}
    order = list(nears)
    flags = {
        f"near_{i}": ExpressionWrapper(nears[pk], output_field=BooleanField()) for i, pk in enumerate(order)
    }
    rows = (
        _live_features(fabrique=fabrique)
        .filter(_near_any(wanted[pk][0] for pk in order))
        .annotate(**flags, computed=Cast("computed_at", output_field=TextField()))
        .order_by(*CANDIDATE_ORDER)
        .values_list("report_id", "report__need_id", "computed", *flags)
    )
    apart = {pk: set(wanted[pk][1]) for pk in order}
    found: dict[int, list[tuple[int, int, str]]] = {pk: [] for pk in order}
    still = set(order)
    for report_id, need_id, computed, *hits in rows:
        for pk, hit in zip(order, hits, strict=True):
            if hit and pk in still and report_id != pk and need_id not in apart[pk]:
                found[pk].append((report_id, need_id, computed))
                if len(found[pk]) >= CANDIDATE_LIMIT:
                    still.discard(pk)
        if not still:
            break
    return found


@functools.cache
def _engine_fingerprint() -> str:
    """A digest of the engine's code and shipped pair model (fabrique/grouping): scores cached under it are
    never read by another version of the engine."""
    from importlib.resources import files

    digest = hashlib.sha256()
    package = files("fabrique.grouping")
    for name in sorted(entry.name for entry in package.iterdir()):
        if name.endswith((".py", ".json")):
            digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def _model_tag(pm) -> tuple[float, float] | None:
    """What of a pair model a ranking depends on, beside the engine (the shipped model: None)."""
    return None if pm is None else (float(pm.intercept), float(pm.threshold))


def ranking_model(*, fabrique) -> tuple[float, float] | None:
    """What of the fabrique's pair model its cached rankings depend on (`_ranking_key`): a change of it
    (a calibration taken into use or dropped) makes every ranking of the fabrique to be computed again."""
    return _model_tag(fabrique_pair_model(fabrique=fabrique))


def _ranking_key(*, own: str, candidates, k: int, pm) -> str:
    """The cache key of one report's ranking: everything `_rank` reads. The report's features (their
    computation time), its candidates in order (report, need, features' computation time: a new, moved,
    deleted or recomputed report, a need closed, merged or deleted, a new decision apart all change the list),
    the pair model (the shipped engine, and the fabrique's calibration when it is used) and `k`."""
    digest = hashlib.sha256()
    digest.update(repr((_engine_fingerprint(), _model_tag(pm), k, MIN_SCORE, own)).encode())
    for report_id, need_id, computed_at in candidates:
        digest.update(f"{report_id}:{need_id}:{computed_at};".encode())
    return f"grouping:ranking:{digest.hexdigest()}"


def reports_need_suggestions(
    *, fabrique, reports: list[NeedReport], k: int = 1
) -> dict[int, list[NeedSuggestion]]:
    """`report_need_suggestions` for several reports of one fabrique, in a bounded number of queries: their
    stored features, the team's decisions on them, their candidates (`_candidates_of_reports`), the pair model,
    the features of the candidates to score and the suggested needs, one query each.

    A report's ranking is kept in the cache under the digest of all it was computed from (`_ranking_key`):
    while its candidates, their needs and features, its own features and the pair model are the same, the
    ranking is the same, and it is read back instead of being scored again. Reports without features get
    none (the backfill computes them; a page never computes them)."""
    from fabrique.grouping.api import Features, candidate_filter

    rows = {
        report_id: (blob, computed)
        for report_id, blob, computed in ReportFeatures.objects.filter(report_id__in=[r.pk for r in reports])
        .annotate(computed=Cast("computed_at", output_field=TextField()))
        .values_list("report_id", "features", "computed")
    }
    if not rows:
        return {}
    apart = _needs_decided_apart(fabrique=fabrique, report_ids=list(rows))
    features = {pk: Features.unpack(bytes(blob)) for pk, (blob, _at) in rows.items()}
    wanted = {pk: (candidate_filter(f), apart.get(pk, ())) for pk, f in features.items()}
    candidates = _candidates_of_reports(fabrique=fabrique, wanted=wanted)
    pm = fabrique_pair_model(fabrique=fabrique)
    keys = {
        pk: _ranking_key(own=rows[pk][1], candidates=candidates.get(pk, []), k=k + 1, pm=pm)
        for pk in features
    }
    cached = cache.get_many(list(keys.values()))
    ranking = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in features if pk not in ranking]
    ids = sorted({report_id for pk in missing for report_id, _n, _at in candidates.get(pk, [])})
    unpacked = {
        report_id: Features.unpack(bytes(blob))
        for report_id, blob in (
            ReportFeatures.objects.filter(report_id__in=ids).values_list("report_id", "features")
            if ids
            else []
        )
    }
    fresh = {}
    for pk in missing:
        found = candidates.get(pk, [])
        ranking[pk] = _rank(
            features=features[pk],
            candidates=[(r, n, unpacked[r]) for r, n, _at in found if r in unpacked],
            k=k + 1,
            pm=pm,
        )
        if all(r in unpacked for r, _n, _at in found):  # not a candidate deleted meanwhile
            fresh[keys[pk]] = ranking[pk]
    if fresh:
        cache.set_many(fresh, RANKING_CACHE_SECONDS)
    ranked = {
        report.pk: [item for item in ranking[report.pk] if item[0] != report.need_id][:k]
        for report in reports
        if report.pk in ranking
    }
    needed = {need_id for found in ranked.values() for need_id, _v in found}
    needs = Need.objects.filter(fabrique=fabrique).select_related("commune").in_bulk(needed) if needed else {}
    return {report_pk: _suggestions(fabrique, found, needs) for report_pk, found in ranked.items()}


_APART_FIELDS = (
    "report_a_id",
    "report_b_id",
    "same_need",
    *(f"report_{side}__{name}" for side in "ab" for name in ("need_id", "stage", "deleted_at")),
)


def _decided_apart(*, fabrique, report_ids: Collection[int], fields: Iterable[str] = ()) -> Iterator[tuple]:
    """(report id, side of the other report: "a" or "b", the decision's values by name) of the reports'
    decisions that set a need aside, latest first: each latest decision "not the same" of one of the reports
    with a live report attached to a need (the rule of `_needs_decided_apart`). `fields`: more values of the
    decision to read. One query, whatever the number of reports and decisions."""
    ids = set(report_ids)
    if not ids:
        return
    names = (*_APART_FIELDS, *fields)
    rows = (
        _decisions_latest_first(fabrique=fabrique)
        .filter(Q(report_a_id__in=ids) | Q(report_b_id__in=ids))
        .values_list(*names)
    )
    for values in _latest_per_pair(rows):
        row = dict(zip(names, values, strict=True))
        if row["same_need"]:
            continue
        for report_id, other in ((row["report_a_id"], "b"), (row["report_b_id"], "a")):
            attached = (
                row[f"report_{other}__stage"] == ReportStage.ATTACHED
                and row[f"report_{other}__need_id"] is not None
                and row[f"report_{other}__deleted_at"] is None
            )
            if report_id in ids and attached:
                yield report_id, other, row


def _needs_decided_apart(*, fabrique, report_ids: Collection[int]) -> dict[int, set[int]]:
    """For each of the reports, the needs the team said it is not the same need as: the need of every live
    report attached to one whose latest decision with it is "not the same" (a rejected proposal, a split, a
    merge that took it out of a need). The latest decision on a pair wins, as in
    `fabrique.grouping.constraints`: a later "same need" allows the need again. Only the report's own
    decisions count (not those inferred through other reports). One query, whatever the number of reports
    and decisions."""
    apart: dict[int, set[int]] = {}
    for report_id, other, row in _decided_apart(fabrique=fabrique, report_ids=report_ids):
        apart.setdefault(report_id, set()).add(row[f"report_{other}__need_id"])
    return apart


@dataclass(frozen=True)
class NeedSetAside:
    """A need no longer offered for a report because the team said it is not the same need: its latest such
    decision (`source`: a `DecisionSource` value; `decided_by`: the person's name, '' when unknown)."""

    need_id: int
    reference: str
    title: str
    decided_at: datetime.datetime
    decided_by: str
    source: str

    @property
    def source_label(self) -> str:
        from fabrique.grouping.models import DecisionSource

        return str(DecisionSource(self.source).label) if self.source in DecisionSource.values else ""


def report_needs_set_aside(*, report: NeedReport, limit: int = SET_ASIDE_SHOWN) -> list[NeedSetAside]:
    """The needs `report_need_suggestions` no longer offers for the report because of the team's decisions
    (`_needs_decided_apart`), the latest decision first, at most `limit` of them: those still open to
    suggestions, other than the report's own need. One query."""
    need_fields = [f"report_{side}__need__{name}" for side in "ab" for name in _SET_ASIDE_NEED_FIELDS]
    person = ["decided_by__first_name", "decided_by__last_name", "decided_by__email"]
    found: dict[int, NeedSetAside] = {}
    decisions = _decided_apart(
        fabrique=report.fabrique_id,
        report_ids=[report.pk],
        fields=["created_at", "source", *person, *need_fields],
    )
    for _report_id, other, row in decisions:
        need_id = row[f"report_{other}__need_id"]
        need = {name: row[f"report_{other}__need__{name}"] for name in _SET_ASIDE_NEED_FIELDS}
        if need_id in found or need_id == report.need_id or need["deleted_at"] is not None:
            continue
        if need["stage"] not in SUGGESTABLE_STAGES:
            continue
        name = f"{row['decided_by__first_name'] or ''} {row['decided_by__last_name'] or ''}".strip()
        found[need_id] = NeedSetAside(
            need_id=need_id,
            reference=need["reference"],
            title=need["title"],
            decided_at=row["created_at"],
            decided_by=name or row["decided_by__email"] or "",
            source=row["source"],
        )
        if len(found) >= limit:
            break
    return list(found.values())


def need_suggestions(*, fabrique, data: Mapping, k: int = 5) -> list[NeedSuggestion]:
    """The closest needs of the fabrique for a report being written (`data`: title, description,
    commune (Commune or INSEE code), place, public, theme). Empty until a title and a commune or
    place are given."""
    title = str(data.get("title") or "").strip()
    if len(title) < 3 or not (data.get("commune") or str(data.get("place") or "").strip()):
        return []
    try:
        features = _featurize(report_mapping(data), dept_hint=_dept_hint(fabrique))
    except Exception:  # noqa: BLE001 - suggestions are a help, never an error for the person writing
        logger.exception("Need suggestions failed (fabrique %s)", fabrique.pk)
        return []
    return _suggest_needs(fabrique=fabrique, features=features, k=k)


def public_need_suggestions(*, fabrique, data: Mapping, k: int = 3) -> list[PublicNeedSuggestion]:
    """The same, reduced to what anyone may see: public title and public status. Only needs the team
    gave a public title are offered (the internal title may hold names or notes); nothing else of
    the need (internal title, notes, reports, reporters, scores) leaves this function."""
    found = [
        s for s in need_suggestions(fabrique=fabrique, data=data, k=k * 3) if s.need.public_title.strip()
    ]
    return [
        PublicNeedSuggestion(need_id=s.need.pk, title=s.need.public_title, status=need_public_status(s.need))
        for s in found[:k]
    ]


def report_need_suggestions(*, report: NeedReport, k: int = REPORT_SUGGESTIONS) -> list[NeedSuggestion]:
    """The closest needs of an existing report (other than its own need), except the needs the team said it
    is not (`_needs_decided_apart`): `reports_need_suggestions` of this one report (its ranking cached)."""
    report_features_ensure(report=report)
    return reports_need_suggestions(fabrique=report.fabrique_id, reports=[report], k=k).get(report.pk, [])


def report_pair_score(*, a: NeedReport, b: NeedReport) -> float | None:
    from fabrique.grouping.api import Features, pair_score

    for report in (a, b):
        report_features_ensure(report=report)
    rows = {r.report_id: r for r in ReportFeatures.objects.filter(report_id__in=[a.pk, b.pk])}
    if a.pk not in rows or b.pk not in rows:
        return None
    return float(
        pair_score(Features.unpack(bytes(rows[a.pk].features)), Features.unpack(bytes(rows[b.pk].features)))
    )


def suggestable_need(*, fabrique, need_id) -> Need | None:
    """A need a report may be said to be "the same" as: the fabrique's, alive, not closed."""
    try:
        need_id = int(need_id)
    except (TypeError, ValueError):
        return None
    return Need.objects.filter(fabrique=fabrique, pk=need_id, stage__in=SUGGESTABLE_STAGES).first()


# --- submission with "c'est le même besoin" ----------------------------------------------------------------


def need_report_submit_grouped(
    *, fabrique, data: dict, same_as_need=None, submitted_by=None, entered_by=None
) -> NeedReport:
    """`need_report_submit`, and when the reporter said "c'est le même besoin" (`same_as_need`: a
    need id offered by the suggestions), the report is attached to that need in the same
    transaction. An unknown or closed need is refused with a French message."""
    need = None
    if same_as_need not in (None, ""):
        need = suggestable_need(fabrique=fabrique, need_id=same_as_need)
        if need is None:
            raise ValidationError(
                {"same_as_need": _("Ce besoin n'est plus proposé. Décochez-le ou choisissez-en un autre.")}
            )
    actor = entered_by or submitted_by
    with transaction.atomic():
        report = need_report_submit(
            fabrique=fabrique, **data, submitted_by=submitted_by, entered_by=entered_by
        )
        if need is not None:
            need_report_attach(report=report, need=need, actor=actor)
            audit_log(
                actor=actor,
                fabrique=fabrique,
                target=report,
                action="needs.needreport.same_as_need",
                new={"need": str(need)},
                note=_("Désigné comme le même besoin lors du signalement."),
            )
            report.refresh_from_db()
    return report


# --- merge and split ---------------------------------------------------------------------------------------


def _check_same_fabrique(*objects) -> None:
    fabriques = {o.fabrique_id for o in objects}
    if len(fabriques) != 1 or any(o.is_deleted for o in objects):
        raise DomainError(_("Ces éléments n'appartiennent pas à la même fabrique."))


def report_merge(
    *, report: NeedReport, need: Need, actor: User, proposal: GroupingProposal | None = None
) -> ReportMerge:
    """Merge the report into `need` (from another need or unattached), keeping where it came from so
    that `report_split` can put it back."""
    _check_same_fabrique(report, need)
    with transaction.atomic():
        current = NeedReport.objects.select_for_update().get(pk=report.pk)
        if current.stage == ReportStage.ATTACHED and current.need_id == need.pk:
            raise DomainError(_("Ce signalement est déjà rattaché à ce besoin."))
        if current.stage == ReportStage.DISMISSED:
            raise DomainError(_("Ce signalement a été écarté : remettez-le à traiter avant de le fusionner."))
        from_need = current.need if current.stage == ReportStage.ATTACHED else None
        need_report_attach(report=current, need=need, actor=actor)
        merge = ReportMerge.objects.create(
            fabrique_id=need.fabrique_id,
            report=current,
            from_need=from_need,
            to_need=need,
            proposal=proposal,
            merged_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        source = "accepted" if proposal else "merge"
        _record_pairs(
            fabrique_id=need.fabrique_id,
            report_id=current.pk,
            others=_need_report_ids(need, exclude=current.pk),
            same=True,
            source=source,
            actor=actor,
        )
        if from_need is not None:
            _record_pairs(
                fabrique_id=need.fabrique_id,
                report_id=current.pk,
                others=_need_report_ids(from_need, exclude=current.pk),
                same=False,
                source=source,
                actor=actor,
            )
        audit_log(
            actor=actor,
            fabrique=need.fabrique,
            target=current,
            action="needs.needreport.merged",
            old={"need": str(from_need) if from_need else None},
            new={"need": str(need)},
            note=_("Proposition de regroupement n° %(pk)s") % {"pk": proposal.pk} if proposal else "",
        )
    report.refresh_from_db()
    return merge


def report_last_merge(*, report: NeedReport) -> ReportMerge | None:
    """The merge that brought the report into its current need, if it is still in force."""
    if report.stage != ReportStage.ATTACHED:
        return None
    return (
        ReportMerge.objects.filter(report=report, to_need_id=report.need_id, undone_at__isnull=True)
        .select_related("from_need")
        .order_by("-created_at", "-pk")
        .first()
    )


def report_split(*, report: NeedReport, actor: User, mode: str = "restore") -> NeedReport:
    """Split the report out of its need: `restore` puts it back where the last merge took it from
    (its former need, or unattached), `new_need` makes it a need of its own, `unattached` leaves it
    among the reports to process. Audited; the merge row is marked undone."""
    if mode not in SPLIT_MODES:
        raise ValidationError({"mode": _("Choisissez ce que devient le signalement.")})
    with transaction.atomic():
        current = NeedReport.objects.select_for_update().get(pk=report.pk)
        if current.is_deleted:
            raise DomainError(_("Ce signalement a été supprimé."))
        if current.stage != ReportStage.ATTACHED:
            raise DomainError(_("Ce signalement n'est rattaché à aucun besoin."))
        previous = current.need
        _record_pairs(
            fabrique_id=current.fabrique_id,
            report_id=current.pk,
            others=_need_report_ids(previous, exclude=current.pk),
            same=False,
            source="split",
            actor=actor,
        )
        merge = report_last_merge(report=current)
        if mode == "restore":
            if merge is None:
                raise DomainError(
                    _(
                        "Ce signalement n'a pas été fusionné : choisissez d'en faire un besoin ou de le détacher."
                    )
                )
            target = merge.from_need
            if target is not None and (target.is_deleted or target.stage not in SUGGESTABLE_STAGES):
                raise DomainError(
                    _("Le besoin d'origine « %(need)s » est clos ou supprimé : choisissez une autre option.")
                    % {"need": target}
                )
            if target is not None:
                need_report_attach(report=current, need=target, actor=actor)
            else:
                need_report_detach(report=current, actor=actor)
        elif mode == "new_need":
            need_report_detach(report=current, actor=actor)
            current.refresh_from_db()
            target = need_create_from_report(report=current, actor=actor)
        else:
            need_report_detach(report=current, actor=actor)
            target = None
        if merge is not None:
            merge.undone_at = timezone.now()
            merge.undone_by = actor if getattr(actor, "is_authenticated", False) else None
            merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
        audit_log(
            actor=actor,
            fabrique=current.fabrique,
            target=current,
            action="needs.needreport.split",
            old={"need": str(previous)},
            new={"need": str(target) if target else None},
            note=mode,
        )
    report.refresh_from_db()
    return report


# --- proposals ---------------------------------------------------------------------------------------------


def _proposal_key(need_id, report_ids: Iterable[int]) -> str:
    return f"{need_id or '-'}:{','.join(str(i) for i in sorted(report_ids))}"[:200]


def proposal_accept(*, proposal: GroupingProposal, actor: User) -> Need:
    """Apply a proposal: every report of it into its need (or into a new need made from its first
    report). Each move is a `report_merge`, so each can be split again."""
    with transaction.atomic():
        locked = GroupingProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != ProposalStatus.PROPOSED:
            raise DomainError(_("Cette proposition a déjà été traitée."))
        reports = list(locked.reports.filter(deleted_at__isnull=True).order_by("created_at", "pk"))
        reports = [r for r in reports if r.stage != ReportStage.DISMISSED]
        if locked.kind == ProposalKind.SPLIT:
            return _split_proposal_accept(proposal=proposal, locked=locked, reports=reports, actor=actor)
        target = locked.need
        if target is not None and (target.is_deleted or target.stage not in SUGGESTABLE_STAGES):
            raise DomainError(_("Le besoin de cette proposition est clos ou supprimé : rejetez-la."))
        if target is None:
            attached = [r for r in reports if r.stage == ReportStage.ATTACHED]
            if attached:
                target = attached[0].need
            elif reports:
                target = need_create_from_report(report=reports[0], actor=actor)
                reports[0].refresh_from_db()
        if target is None or len(reports) < 1:
            raise DomainError(
                _("Les signalements de cette proposition ne sont plus disponibles : rejetez-la.")
            )
        moved = 0
        for report in reports:
            if report.need_id != target.pk:
                report_merge(report=report, need=target, actor=actor, proposal=locked)
                moved += 1
        locked.status, locked.decided_by, locked.decided_at = ProposalStatus.ACCEPTED, actor, timezone.now()
        locked.need = target
        locked.save(update_fields=["status", "decided_by", "decided_at", "need", "updated_at"])
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="needs.groupingproposal.accepted",
            new={"need": str(target), "reports": moved},
        )
    proposal.refresh_from_db()
    return target


def proposal_reject(*, proposal: GroupingProposal, actor: User) -> GroupingProposal:
    """Reject a proposal: nothing moves, and the same proposal is not made again."""
    with transaction.atomic():
        locked = GroupingProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != ProposalStatus.PROPOSED:
            raise DomainError(_("Cette proposition a déjà été traitée."))
        locked.status, locked.decided_by, locked.decided_at = ProposalStatus.REJECTED, actor, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        reports = list(locked.reports.filter(deleted_at__isnull=True).values_list("pk", "need_id"))
        if locked.kind == ProposalKind.SPLIT and locked.need is not None:
            # "they are the same need after all": the reports belong with the rest of the need
            ids = {pk for pk, _n in reports}
            for pk in ids:
                _record_pairs(
                    fabrique_id=locked.fabrique_id,
                    report_id=pk,
                    others=[o for o in _need_report_ids(locked.need, exclude=pk) if o not in ids],
                    same=True,
                    source="rejected",
                    actor=actor,
                )
        else:
            # "not the same need": every pair of the proposal not already in one need
            for k, (pk, need_id) in enumerate(reports):
                _record_pairs(
                    fabrique_id=locked.fabrique_id,
                    report_id=pk,
                    others=[o for o, n in reports[k + 1 :] if n is None or n != need_id],
                    same=False,
                    source="rejected",
                    actor=actor,
                )
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="needs.groupingproposal.rejected",
        )
    proposal.refresh_from_db()
    return locked


def _split_proposal_accept(
    *, proposal, locked: GroupingProposal, reports: list[NeedReport], actor: User
) -> Need:
    """Apply a split proposal (inside `proposal_accept`'s transaction): its reports leave the need, the
    first becomes a new need and the others join it. Each move is a `report_split` / `report_merge`."""
    source = locked.need
    moving = [
        r for r in reports if r.stage == ReportStage.ATTACHED and r.need_id == getattr(source, "pk", None)
    ]
    if source is None or not moving:
        raise DomainError(
            _("Les signalements de cette proposition ne sont plus dans ce besoin : rejetez-la.")
        )
    first = report_split(report=moving[0], actor=actor, mode="new_need")
    target = first.need
    for report in moving[1:]:
        report_merge(report=report, need=target, actor=actor, proposal=locked)
    locked.status, locked.decided_by, locked.decided_at = ProposalStatus.ACCEPTED, actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_log(
        actor=actor,
        fabrique=locked.fabrique,
        target=locked,
        action="needs.groupingproposal.accepted",
        old={"need": str(source)},
        new={"need": str(target), "reports": len(moving)},
    )
    proposal.refresh_from_db()
    return target


# --- learning from the team's decisions --------------------------------------------------------------------


def _need_report_ids(need: Need | None, *, exclude=None) -> list[int]:
    if need is None:
        return []
    rows = NeedReport.objects.filter(need=need, stage=ReportStage.ATTACHED, deleted_at__isnull=True)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows.order_by("-created_at", "-pk").values_list("pk", flat=True)[:DECISION_PAIRS])


def _record_pairs(
    *, fabrique_id, report_id, others: Iterable[int], same: bool, source: str, actor: User | None
) -> None:
    """Store the labelled pairs (report, other) of a team decision; the adaptation is refreshed on commit."""
    from fabrique.grouping.models import PairDecision

    decided_by = actor if getattr(actor, "is_authenticated", False) else None
    rows = [
        PairDecision(
            fabrique_id=fabrique_id,
            report_a_id=min(report_id, other),
            report_b_id=max(report_id, other),
            same_need=same,
            source=source,
            decided_by=decided_by,
        )
        for other in dict.fromkeys(others)
        if other != report_id
    ]
    if rows:
        PairDecision.objects.bulk_create(rows)
        transaction.on_commit(partial(_adaptation_refresh_enqueue, fabrique_id))


def team_decisions(*, fabrique, limit: int | None = None) -> list[tuple[int, int, bool]]:
    """The team's decisions (report id, report id, same need), latest first, one per pair (the latest).
    They are hard constraints of the fabrique's groupings: reports said to be the same need are always
    grouped together, reports said not to be never are (`fabrique.grouping.constraints`)."""
    values = _decisions_latest_first(fabrique=fabrique).values_list("report_a_id", "report_b_id", "same_need")
    rows = values[:limit] if limit is not None else values
    return [(min(a, b), max(a, b), same) for a, b, same in _latest_per_pair(rows)]


def _decisions_latest_first(*, fabrique) -> QuerySet:
    """The fabrique's `PairDecision` rows, the latest first (the order `_latest_per_pair` reads)."""
    from fabrique.grouping.models import PairDecision

    return PairDecision.objects.filter(fabrique=fabrique).order_by("-created_at", "-pk")


def _latest_per_pair(rows: Iterable[tuple]) -> Iterator[tuple]:
    """Rows (report id, report id, ...) of decisions read latest first, one per pair of reports: the latest
    decision on a pair wins, as in `fabrique.grouping.constraints`."""
    seen: set[tuple[int, int]] = set()
    for row in rows:
        pair = (min(row[0], row[1]), max(row[0], row[1]))
        if pair not in seen:
            seen.add(pair)
            yield row


def _indexed_decisions(
    decisions: list[tuple[int, int, bool]], position: dict[int, int]
) -> list[tuple[int, int, bool]]:
    """The decisions between reports of a grouping, as indexes into its list of reports (`position`: report
    id -> index); decisions on reports outside it are left out."""
    return [(position[a], position[b], same) for a, b, same in decisions if a in position and b in position]


def _adaptation_refresh_enqueue(fabrique_id: int) -> None:
    """Refresh the fabrique's calibration in `fabrique worker` (it groups up to 800 reports 75 times: seconds
    of CPU, not for a request). Several decisions of one action enqueue it several times: the later runs
    see nothing new and return (`pair_model_adaptation_refresh_due`)."""
    from fabrique.core.tasks import refresh_pair_model_adaptation

    try:
        refresh_pair_model_adaptation.enqueue(fabrique_id=fabrique_id)
    except Exception:  # noqa: BLE001 - learning is a help; the decision itself is saved
        logger.exception("Pair model adaptation could not be enqueued (fabrique %s)", fabrique_id)


def _model_fingerprint(pm) -> str:
    import hashlib

    import numpy as np

    data = np.concatenate([pm.mean, pm.scale, pm.coef, [pm.intercept]]).round(6).tobytes()
    return hashlib.sha1(data).hexdigest()[:12]  # noqa: S324 - a version tag, not a security hash


def pair_model_adaptation_refresh_due(*, fabrique: Fabrique) -> bool:
    """Whether the team's decisions changed since the fabrique's calibration was last measured: decisions are
    only added (or withdrawn with a handed-over need), so their count tells, also for one committed while
    the last measure ran."""
    from fabrique.grouping.models import PairDecision

    row = pair_model_adaptation(fabrique=fabrique)
    seen = row.coef.get("seen") if row is not None and isinstance(row.coef, dict) else None
    return seen != PairDecision.objects.filter(fabrique=fabrique).count()


def _guard_reports(*, fabrique, decided: list[int], limit: int) -> list[tuple[int, bytes]]:
    """(report id, packed features) of the reports the guard groups: every live report of the fabrique when
    there are at most `limit`, else the decided ones (latest decisions first) and the latest reports of
    their communes and EPCIs, up to `limit`."""
    rows = ReportFeatures.objects.filter(fabrique=fabrique, report__deleted_at__isnull=True)
    if rows.count() <= limit:
        return [(r, bytes(b)) for r, b in rows.order_by("report_id").values_list("report_id", "features")]
    decided = decided[:limit]
    chosen = {r: bytes(b) for r, b in rows.filter(report_id__in=decided).values_list("report_id", "features")}
    places = rows.filter(report_id__in=decided)
    communes = {c for c in places.values_list("commune", flat=True) if c}
    epcis = {e for e in places.values_list("epci", flat=True) if e}
    near = rows.filter(Q(commune__in=communes) | Q(epci__in=epcis)).exclude(report_id__in=decided)
    for report_id, blob in near.order_by("-report__created_at").values_list("report_id", "features")[
        : max(0, limit - len(chosen))
    ]:
        chosen[report_id] = bytes(blob)
    return sorted(chosen.items())


def pair_model_adaptation_refresh(*, fabrique: Fabrique) -> PairModelAdaptation:
    """Calibrate the shipped pair model to the fabrique's latest decisions (the latest per pair wins) and
    measure both models by how well their groupings agree with the decisions, out of fold
    (`fabrique.grouping.adapt`). Derived data: not audited."""
    from fabrique.grouping.adapt import MAX_REPORTS
    from fabrique.grouping.api import Features, adapt, model
    from fabrique.grouping.models import PairDecision, PairModelAdaptation

    # rows seen (counted before reading them: a decision committed meanwhile makes the next refresh due)
    seen = PairDecision.objects.filter(fabrique=fabrique).count()
    decisions = team_decisions(fabrique=fabrique, limit=ADAPT_ON_LAST)
    decided = list(dict.fromkeys(i for a, b, _s in decisions for i in (a, b)))
    rows = _guard_reports(fabrique=fabrique, decided=decided, limit=MAX_REPORTS)
    position = {report_id: k for k, (report_id, _b) in enumerate(rows)}
    known = _indexed_decisions(decisions, position)
    pm = model()
    result = adapt(pm, [Features.unpack(blob) for _r, blob in rows], known)
    values = {
        "decisions": result.decisions,
        "same": result.same,
        "reports": len(rows),
        "shipped_agreement": result.shipped_agreement,
        "adapted_agreement": result.adapted_agreement,
        "shipped_accuracy": result.shipped_accuracy,
        "adapted_accuracy": result.adapted_accuracy,
        "offset": result.offset,
        "threshold": result.threshold,
        "used": result.used,
        "coef": {"model": _model_fingerprint(pm), "seen": seen},
        "intercept": float(result.model.intercept) if result.model is not None else float(pm.intercept),
    }
    row, _created = PairModelAdaptation.objects.update_or_create(fabrique=fabrique, defaults=values)
    return row


def pair_model_adaptation(*, fabrique):
    """The fabrique's adaptation row (None before its first decision)."""
    from fabrique.grouping.models import PairModelAdaptation

    return PairModelAdaptation.objects.filter(fabrique=fabrique).first()


def learning_guard() -> dict[str, float]:
    """The guard's rules and the shipped threshold, for the grouping page."""
    from fabrique.grouping.adapt import MARGIN, MIN_DECISIONS, MIN_EACH
    from fabrique.grouping.api import model

    return {
        "shipped_threshold": model().threshold,
        "min_decisions": MIN_DECISIONS,
        "min_each": MIN_EACH,
        "margin": MARGIN,
    }


def fabrique_pair_model(*, fabrique):
    """The pair model to use for this fabrique: its calibrated one when its groupings agreed better with the
    team's decisions than the shipped model's (and it was measured on the shipped model in force), else
    None (the shipped one). The decisions themselves are constraints of every grouping either way."""
    from fabrique.grouping.adapt import calibrated
    from fabrique.grouping.api import model

    row = pair_model_adaptation(fabrique=fabrique)
    if row is None or not row.used or row.offset is None or row.threshold is None:
        return None
    pm = model()
    if not isinstance(row.coef, dict) or row.coef.get("model") != _model_fingerprint(pm):
        return None
    return calibrated(pm, row.offset, row.threshold)


def duplicate_queue(*, fabrique) -> QuerySet:
    """The probable duplicates waiting for staff: open proposals, best first."""
    return (
        GroupingProposal.objects.filter(fabrique=fabrique, status=ProposalStatus.PROPOSED)
        .select_related("need", "run")
        .prefetch_related("reports__need")
        .order_by("-score", "-created_at")
    )


def duplicate_queue_reports(*, fabrique) -> list[NeedReport]:
    """The received reports the duplicates queue checks live for a probable need: the LIVE_REPORTS latest.
    The page and its warming (`duplicate_queue_warm`) both read them here."""
    return list(
        reports_with_places()
        .filter(fabrique=fabrique, stage=ReportStage.RECEIVED)
        .order_by("-created_at", "-pk")[:LIVE_REPORTS]
    )


def duplicate_queue_live(
    *, fabrique, received: list[NeedReport] | None = None
) -> list[tuple[NeedReport, NeedSuggestion]]:
    """The queue's received reports (`duplicate_queue_reports`, or `received` when the caller has them)
    whose closest need is probably theirs, each with that suggestion: what the page shows under "Doublons
    probables"."""
    if received is None:
        received = duplicate_queue_reports(fabrique=fabrique)
    suggestions = reports_need_suggestions(fabrique=fabrique, reports=received, k=1)
    live = []
    for report in received:
        found = suggestions.get(report.pk)
        if found and found[0].same_need:
            live.append((report, found[0]))
    return live


def _warm_pending_key(fabrique_id: int) -> str:
    return f"grouping:queue-warm-pending:{fabrique_id}"


def duplicate_queue_warm(*, fabrique) -> int:
    """Compute and cache the rankings a view of the duplicates queue reads, so that the team's first view
    finds them (`reports_need_suggestions` caches each under the digest of what it read): the queue's own
    (`duplicate_queue_live`, the call the page makes) and, for its reports, the comparison and merge pages'
    REPORT_SUGGESTIONS closest needs (`report_need_suggestions`). A ranking still cached is only read.
    Run by `fabrique worker` (`duplicate_queue_warm_request`). Returns the number of reports checked."""
    cache.delete(_warm_pending_key(fabrique.pk))  # first: an event handled from now on asks again
    received = duplicate_queue_reports(fabrique=fabrique)
    duplicate_queue_live(fabrique=fabrique, received=received)
    reports_need_suggestions(fabrique=fabrique, reports=received, k=REPORT_SUGGESTIONS)
    return len(received)


def duplicate_queue_warm_request(*, fabrique_id: int) -> bool:
    """Have the worker warm the fabrique's duplicates queue (the task `warm_duplicate_queue`), unless a
    warming is already queued: the events of a burst (an import's reports, the several entries of one merge)
    make one warming. A queued warming covers every event handled while it waits, since an event is handled
    after its transaction committed and the warming clears its mark before it reads anything. The task goes
    behind the tasks already queued (those of the same burst). Returns whether a warming was queued."""
    from fabrique.core.tasks import warm_duplicate_queue

    key = _warm_pending_key(fabrique_id)
    if not cache.add(key, True, WARM_PENDING_SECONDS):
        return False
    try:
        warm_duplicate_queue.enqueue(fabrique_id=fabrique_id)
    except Exception:
        cache.delete(key)  # not queued: the next event (or this handler's retry) asks again
        raise
    return True


# --- regrouping runs ---------------------------------------------------------------------------------------


def regrouping_runs(*, fabrique) -> QuerySet:
    """The fabrique's runs (network runs are the command line's: their counts span every fabrique)."""
    return RegroupingRun.objects.filter(fabrique=fabrique).order_by("-created_at")


def regrouping_run_create(
    *, fabrique: Fabrique | None = None, actor: User | None = None, enqueue: bool = True
) -> RegroupingRun:
    """A pending run over `fabrique` (None: the whole network). With `enqueue`, a task
    (`fabrique.core.tasks.run_regrouping`) executes it after the commit, in `fabrique worker`; a run
    whose worker was killed is reclaimed by the next worker and run again (never stuck)."""
    with transaction.atomic():
        # a run that has not moved for STALE_AFTER (no worker at all) blocks nothing
        active = RegroupingRun.objects.filter(
            status__in=[RunStatus.PENDING, RunStatus.RUNNING], updated_at__gte=timezone.now() - STALE_AFTER
        )
        active = (
            active.filter(fabrique=fabrique) if fabrique is not None else active.filter(fabrique__isnull=True)
        )
        if active.exists():
            raise DomainError(_("Un regroupement est déjà en cours : attendez qu'il se termine."))
        run = RegroupingRun.objects.create(
            fabrique=fabrique, requested_by=actor if getattr(actor, "is_authenticated", False) else None
        )
        if fabrique is not None:
            audit_log(actor=actor, fabrique=fabrique, target=run, action="needs.regroupingrun.created")
        if enqueue:
            transaction.on_commit(partial(_enqueue_run, run_id=run.pk, fabrique_id=run.fabrique_id))
    return run


def _enqueue_run(*, run_id: int, fabrique_id: int | None) -> None:
    from fabrique.core.tasks import run_regrouping

    run_regrouping.enqueue(run_id=run_id, fabrique_id=fabrique_id)


def _save_progress(run: RegroupingRun, **values) -> None:
    for name, value in values.items():
        setattr(run, name, value)
    RegroupingRun.objects.filter(pk=run.pk).update(**values, updated_at=timezone.now())


def _regroup_fabrique(
    *, fabrique, run: RegroupingRun | None, progress: Callable[[str], None] | None = None
) -> int:
    """Group the fabrique's stored features (with its adapted pair model when that one is used) and propose
    the merges and splits that would make its needs those groups (`_proposals`). Returns the number of new
    proposals. Nothing is applied."""
    from fabrique.grouping.api import Features, arrondissements_from_batch, group_features, pair_scores

    report_features_backfill(fabrique=fabrique)
    rows = list(
        ReportFeatures.objects.filter(fabrique=fabrique, report__deleted_at__isnull=True)
        .exclude(report__stage=ReportStage.DISMISSED)
        .values_list("report_id", "report__need_id", "features")
        .order_by("report_id")
    )
    if len(rows) < 2:
        return 0
    # a neighbourhood written without its arrondissement takes the one the fabrique's other reports give it
    features = arrondissements_from_batch([Features.unpack(bytes(blob)) for _r, _n, blob in rows])
    pm = fabrique_pair_model(fabrique=fabrique)
    position = {report_id: index for index, (report_id, _n, _b) in enumerate(rows)}
    decisions = team_decisions(fabrique=fabrique)
    labels = group_features(
        features, progress=progress, pm=pm, decisions=_indexed_decisions(decisions, position)
    )
    known = set(
        GroupingProposal.objects.filter(fabrique=fabrique)
        .exclude(status=ProposalStatus.ACCEPTED)
        .values_list("key", flat=True)
    )
    rows_of_need: dict[int | None, list[int]] = {}
    for index, (_r, need_id, _b) in enumerate(rows):
        rows_of_need.setdefault(need_id, []).append(index)
    created = 0
    kept = {(a, b) for a, b, same in decisions if same}
    for kind, need_id, members in _proposals(rows, labels, kept=kept):
        report_ids = [rows[i][0] for i in members]
        key = _proposal_key(need_id, report_ids)
        if kind == ProposalKind.SPLIT:
            key = f"split:{key}"[:200]
        if key in known:  # proposed before: nothing to score
            continue
        if kind == ProposalKind.SPLIT:
            taken_out = set(members)
            core = [i for i in rows_of_need.get(need_id, []) if i not in taken_out]
            pairs = [(a, b) for a in members for b in core][:50]
            scores = [1.0 - p for p in pair_scores(features, pairs, pm)]
        else:
            pairs = [(a, b) for x, a in enumerate(members) for b in members[x + 1 :]][:50]
            scores = pair_scores(features, pairs, pm)
        with transaction.atomic():
            proposal = GroupingProposal.objects.create(
                fabrique=fabrique,
                run=run,
                kind=kind,
                need_id=need_id,
                score=sum(scores) / len(scores) if scores else 0.0,
                key=key,
            )
            proposal.reports.set(report_ids)
        known.add(key)
        created += 1
    return created


def _proposals(rows, labels, *, kept: set[tuple[int, int]]) -> list[tuple[str, int | None, list[int]]]:
    """Merges and splits that turn the current needs into the engine's groups: (kind, need id, row indexes).

    Each need's *core* is the group holding most of its reports. A merge gathers a group's reports that are
    unattached or whose need has its core there, into the need holding most of them. A split takes out of a
    need the reports the engine puts in another group, one proposal per group; reports the team merged into
    their need by hand or kept there by rejecting a split (`kept`: the team's latest "same need" pairs,
    (smaller report id, larger)) are never proposed again."""
    from collections import Counter

    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    spread: dict[int, Counter] = {}
    for index, (_r, need_id, _b) in enumerate(rows):
        if need_id is not None:
            spread.setdefault(need_id, Counter())[int(labels[index])] += 1
    core = {n: min(c, key=lambda lab: (-c[lab], lab)) for n, c in spread.items()}
    out: list[tuple[str, int | None, list[int]]] = []
    for label, members in groups.items():
        mergeable = [i for i in members if rows[i][1] is None or core[rows[i][1]] == label]
        if len(mergeable) < 2:
            continue
        needs = [rows[i][1] for i in mergeable]
        counted = Counter(n for n in needs if n is not None)
        if len(counted) == 1 and None not in needs:
            continue  # already one need
        target = min(counted, key=lambda n: (-counted[n], n)) if counted else None
        out.append((ProposalKind.MERGE, target, mergeable))
    for need_id, counts in spread.items():
        if len(counts) < 2:
            continue
        core_ids = {rows[i][0] for i in groups[core[need_id]] if rows[i][1] == need_id}
        for label in sorted(counts):
            if label == core[need_id]:
                continue
            outliers = [
                i
                for i in groups[label]
                if rows[i][1] == need_id
                and not any((min(rows[i][0], c), max(rows[i][0], c)) in kept for c in core_ids)
            ]
            if outliers:
                out.append((ProposalKind.SPLIT, need_id, outliers))
    return out


def regrouping_run_execute(
    *, run_id: int, progress: Callable[[str], None] | None = None, resume: bool = False
) -> RegroupingRun:
    """Run one pending job: every fabrique of its scope, one after the other, with progress saved on
    the run row. Proposals are per fabrique: a network run never mixes fabriques' reports.

    `resume`: a run left "running" by a killed worker is run again from the start (its task was
    reclaimed); proposals already made are not made twice (their key is known)."""
    with transaction.atomic():
        run = RegroupingRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.PENDING and not (resume and run.status == RunStatus.RUNNING):
            return run
        fabriques = [run.fabrique] if run.fabrique_id else list(Fabrique.objects.filter(is_active=True))
        total = NeedReport.objects.filter(fabrique__in=fabriques).exclude(stage=ReportStage.DISMISSED).count()
        _save_progress(run, status=RunStatus.RUNNING, started_at=timezone.now(), total=total)
    processed = created = 0
    try:
        for fabrique in fabriques:
            _save_progress(run, step=fabrique.name)
            if progress:
                progress(_("Fabrique %(name)s") % {"name": fabrique.name})
            created += _regroup_fabrique(fabrique=fabrique, run=run, progress=progress)
            processed += (
                NeedReport.objects.filter(fabrique=fabrique).exclude(stage=ReportStage.DISMISSED).count()
            )
            _save_progress(run, processed=min(processed, total), proposals_created=created)
            if progress:
                progress(
                    _("%(done)s / %(total)s signalements examinés") % {"done": processed, "total": total}
                )
    except Exception as exc:  # noqa: BLE001 - the run records the failure for the staff page
        logger.exception("Regrouping run %s failed", run.pk)
        _save_progress(run, status=RunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        return run
    _save_progress(run, status=RunStatus.DONE, step="", processed=total, finished_at=timezone.now())
    return run
