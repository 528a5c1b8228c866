"""A whole network's worth of data, fast: fifty fabriques and years of history for benchmarks and the
query-budget tests (`bench/generate_network.py`, `fabrique generate_network`).

The demo (`builder.py`) goes through the services one object at a time; at network scale that would
take hours. Here the tenants, teams and default settings are still created by the services, and the
volume rows are written with `bulk_create` in batches, each with what the services would have written
alongside it:

- every row belongs to its fabrique, and every foreign key points at a row of the same fabrique;
- stages are reachable ones and consistent with each other (an attached report has a need, a need "in
  study" has a study, a project "in support" has a support plan, "created" an enterprise...);
- references follow the services' numbering (`S-`, `B-`, `E-`, `P-` + year + number);
- every object has its "created" audit entry, and one for its current stage when it is not the first;
- every report has its grouping features (computed once per distinct wording and place, then reused);
- people and organisations carry their normalised search keys.

`scale=1.0` gives the volumes of issue 10: 50 fabriques, 200,000 reports in 60,000 needs, 10,000
studies and 10,000 projects, 5,000 calls with 30,000 applications, 5,000 support plans (and
enterprises for the created projects), 100,000 organisations and 150,000 people. The first fabrique
(`reseau-01`) is the biggest (a tenth of every volume). `extend_fabrique` adds volume to one existing
fabrique (the query-budget test uses it to grow its world tenfold).
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from fabrique.accounts.models import User
from fabrique.audit.models import AuditEntry
from fabrique.committees.models import AgendaItem, Committee, CommitteeType, Decision, Meeting, MeetingStatus
from fabrique.core.choices import Public, ReporterType, Theme
from fabrique.core.models import SearchText
from fabrique.core.text import normalize, normalize_organization_name
from fabrique.directory.models import LegalBasis, Organization, OrganizationKind, Person, Purpose
from fabrique.fabriques.models import Fabrique, Membership, Role
from fabrique.fabriques.services import fabrique_create, membership_set
from fabrique.needs.models import Need, NeedReport, NeedStage, ReportFeatures, ReportSource, ReportStage
from fabrique.projects.models import Enterprise, LegalForm, Project, ProjectStage
from fabrique.recruitment.models import Application, ApplicationStage, Call, CallStage
from fabrique.studies.models import Study, StudyStage
from fabrique.support.models import SupportPlan, SupportStage
from fabrique.territories.models import Commune, Departement

PASSWORD = "reseau-fabrique-2026"
BATCH = 2000

# volumes of issue 10 at scale 1.0 (whole network)
VOLUMES = {
    "fabriques": 50,
    "reports": 200_000,
    "needs": 60_000,
    "studies": 10_000,
    "projects": 10_000,
    "calls": 5_000,
    "applications": 30_000,
    "plans": 5_000,
    "organizations": 100_000,
    "people": 150_000,
    "meetings": 2_000,
}
BIGGEST_SHARE = 0.10  # the first fabrique holds a tenth of every volume

NEED_TEMPLATES = [
    ("Pas de garage solidaire", Theme.MOBILITY, Public.PRECARIOUS),
    ("Aucune épicerie depuis la fermeture du dernier commerce", Theme.FOOD, Public.ELDERLY),
    ("Pas de transport vers la zone d'emploi", Theme.MOBILITY, Public.YOUTH),
    ("Manque de solutions de garde en horaires décalés", Theme.CHILDCARE, Public.CHILDREN),
    ("Pas de ressourcerie pour les meubles", Theme.REUSE, Public.ALL),
    ("Logements vacants dégradés en centre-bourg", Theme.HOUSING, Public.PRECARIOUS),
    ("Personnes âgées isolées sans visite", Theme.HEALTH, Public.ELDERLY),
    ("Aucune offre de réparation de vélos", Theme.MOBILITY, Public.ALL),
    ("Cantines sans produits locaux", Theme.FOOD, Public.CHILDREN),
    ("Pas de laverie accessible", Theme.SERVICES, Public.PRECARIOUS),
    ("Jeunes sans lieu pour se retrouver le soir", Theme.CULTURE, Public.YOUTH),
    ("Démarches en ligne impossibles sans aide", Theme.DIGITAL, Public.ELDERLY),
    ("Pas de ramassage des déchets verts", Theme.REUSE, Public.ALL),
    ("Aucun médecin qui accepte de nouveaux patients", Theme.HEALTH, Public.ALL),
    ("Pas d'emploi pour les personnes handicapées", Theme.EMPLOYMENT, Public.DISABLED),
    ("Invendus alimentaires jetés par les supermarchés", Theme.FOOD, Public.PRECARIOUS),
]
FIRST_NAMES = ["Camille", "Dominique", "Claude", "Alix", "Sacha", "Morgane", "Yann", "Nadia", "Karim", "Léa"]
LAST_NAMES = ["Martin", "Bernard", "Durand", "Lefebvre", "Moreau", "Garnier", "Roux", "Fontaine", "Nguyen"]
ORG_WORDS = [
    "Association",
    "Coopérative",
    "Atelier",
    "Maison",
    "Collectif",
    "Régie de quartier",
    "Centre social",
]

REPORTER_TYPES = [ReporterType.INHABITANT, ReporterType.ASSOCIATION, ReporterType.SOCIAL_WORKER]

# stage mixes (value, weight); every stage is reachable from the first one
NEED_MIX = [
    (NeedStage.NEW, 30),
    (NeedStage.QUALIFYING, 25),
    (NeedStage.MORE_EVIDENCE, 5),
    (NeedStage.RETAINED, 10),
    (NeedStage.NOT_RETAINED, 15),
    (NeedStage.IN_STUDY, 8),
    (NeedStage.ANSWERED, 4),
    (NeedStage.CLOSED, 3),
]
STUDY_MIX = [
    (StudyStage.IN_PROGRESS, 30),
    (StudyStage.AWAITING_DECISION, 10),
    (StudyStage.GO, 40),
    (StudyStage.NO_GO, 15),
    (StudyStage.ABANDONED, 5),
]
# (project stage, weight): plans for in_support/created (enterprises for created)
PROJECT_MIX = [
    (ProjectStage.SEEKING_LEADER, 35),
    (ProjectStage.LEADER_SELECTED, 10),
    (ProjectStage.IN_SUPPORT, 25),
    (ProjectStage.CREATED, 25),
    (ProjectStage.STOPPED, 5),
]
CALL_MIX = [
    (CallStage.DRAFT, 10),
    (CallStage.PUBLISHED, 30),
    (CallStage.CLOSED, 20),
    (CallStage.DECIDED, 35),
    (CallStage.CANCELLED, 5),
]
APPLICATION_MIX = [
    (ApplicationStage.SUBMITTED, 40),
    (ApplicationStage.UNDER_REVIEW, 25),
    (ApplicationStage.NOT_SELECTED, 25),
    (ApplicationStage.WITHDRAWN, 10),
]


def _pick(rng: random.Random, mix: list[Any]) -> str:
    picked: str = rng.choices([value for value, _w in mix], [weight for _v, weight in mix])[0]
    return picked


def _shares(total: int, n: int) -> list[int]:
    """Split `total` between `n` fabriques, the first one holding BIGGEST_SHARE (when n > 1)."""
    if n == 1:
        return [total]
    first = round(total * BIGGEST_SHARE)
    rest = total - first
    base, extra = divmod(rest, n - 1)
    return [first] + [base + (1 if i < extra else 0) for i in range(n - 1)]


@dataclass
class Progress:
    log: Callable[[str], None] = lambda msg: None
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


class Audit:
    """Collects the audit entries of bulk-created rows, written in batches."""

    def __init__(self, fabrique: Fabrique, actor: User | None):
        self.fabrique = fabrique
        self.actor = actor
        self.label = (actor.get_full_name() or actor.email) if actor else ""
        self.rows: list[AuditEntry] = []
        self.types: dict[type, ContentType] = {}

    def add(
        self,
        obj: Any,
        action: str,
        *,
        when: datetime.datetime,
        new: dict[str, Any] | None = None,
        decision_ref: str = "",
    ) -> None:
        model = type(obj)
        if model not in self.types:
            self.types[model] = ContentType.objects.get_for_model(model)
        self.rows.append(
            AuditEntry(
                created_at=when,
                fabrique=self.fabrique,
                actor=self.actor,
                actor_label=self.label,
                action=action,
                target_type=self.types[model],
                target_id=str(obj.pk),
                target_repr=str(obj)[:300],
                new_values=new or {},
                decision_ref=decision_ref,
            )
        )

    def created(self, obj: Any, *, when: datetime.datetime, new: dict[str, Any] | None = None) -> None:
        self.add(obj, f"{obj._meta.app_label}.{obj._meta.model_name}.created", when=when, new=new)

    def stage(
        self, obj: Any, stage: str, *, when: datetime.datetime, first: str, decision_ref: str = ""
    ) -> None:
        if stage != first:
            self.add(
                obj,
                f"{obj._meta.app_label}.{obj._meta.model_name}.{stage}",
                when=when,
                new={"stage": stage},
                decision_ref=decision_ref,
            )

    def flush(self) -> int:
        n = len(self.rows)
        AuditEntry.objects.bulk_create(self.rows, batch_size=BATCH)
        self.rows = []
        return n


class References:
    """The services' numbering (`core.references.next_reference`), continued in memory."""

    def __init__(self, model: Any, fabrique: Fabrique, prefix: str):
        self.prefix = prefix
        self.next: dict[int, int] = {}
        for ref in model.all_objects.filter(
            fabrique=fabrique, reference__startswith=f"{prefix}-"
        ).values_list("reference", flat=True):
            _p, year, number = (ref.split("-", 2) + ["", ""])[:3]
            if year.isdigit() and number.isdigit():
                self.next[int(year)] = max(self.next.get(int(year), 1), int(number) + 1)

    def __call__(self, when: datetime.datetime) -> str:
        year = timezone.localtime(when).year
        number = self.next.get(year, 1)
        self.next[year] = number + 1
        return f"{self.prefix}-{year}-{number:03d}"


class FeatureCache:
    """Grouping features computed once per (wording, commune) and reused for every report like it."""

    def __init__(self, dept_hint: str):
        self.dept_hint = dept_hint
        self.cache: dict[tuple[Any, ...], dict[str, Any] | None] = {}

    def row(self, report: NeedReport) -> ReportFeatures | None:
        from fabrique.grouping.api import candidate_filter
        from fabrique.needs.grouping import _featurize, _joined, report_mapping

        key = (report.title, report.commune_id, report.public, report.theme, report.reporter_type)
        if key not in self.cache:
            try:
                features = _featurize(report_mapping(report), dept_hint=self.dept_hint)
                keys = candidate_filter(features)
            except Exception:  # noqa: BLE001 - same contract as report_features_refresh
                self.cache[key] = None
            else:
                found: Any = keys.get("communes") or []
                concepts: Any = keys.get("concepts") or []
                communes = [str(c) for c in found]
                self.cache[key] = {
                    "features": features.pack(),
                    "level": str(keys.get("level") or ""),
                    "commune": communes[0] if communes else "",
                    "communes": _joined(communes),
                    "epci": str(keys.get("epci") or ""),
                    "dept": str(keys.get("dept") or ""),
                    "concepts": _joined(str(c) for c in concepts),
                }
        values = self.cache[key]
        if values is None:
            return None
        return ReportFeatures(report=report, fabrique_id=report.fabrique_id, **values)


def v_places(volumes: dict[str, int]) -> int:
    """Number of active communes for a fabrique of this size (one per ~300 reports)."""
    return int(volumes.get("reports", 0)) // 300


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    for row in rows:  # bulk_create skips save(): the search column is written here (core.models.SearchText)
        if isinstance(row, SearchText):
            row.refresh_search_text()
    created: list[Any] = model.objects.bulk_create(rows, batch_size=BATCH)
    return created


def extend_fabrique(
    fabrique: Fabrique,
    *,
    volumes: dict[str, int],
    seed: int = 0,
    actor: User | None = None,
    years: int = 4,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Add `volumes` rows of every kind to `fabrique` (keys of VOLUMES except "fabriques", and "received":
    reports not yet sorted into a need)."""
    progress = progress or Progress()
    rng = random.Random(seed)
    now = timezone.now()
    span = max(1, int(years * 365 * 24 * 3600))

    def when() -> datetime.datetime:
        return now - datetime.timedelta(seconds=rng.randrange(span))

    communes = list(fabrique.communes.all()) or list(
        Commune.objects.filter(departement__in=fabrique.departements.all(), kind=Commune.Kind.CURRENT)
    )
    if not communes:
        communes = list(Commune.objects.filter(kind=Commune.Kind.CURRENT).order_by("code")[:50])
    # where the activity is: a few dozen communes (the grouping features are computed once per wording
    # and commune, ~80 ms each: this bounds the generator's time)
    communes.sort(key=lambda c: c.pk)
    rng.shuffle(communes)
    communes = communes[: max(8, min(60, v_places(volumes)))]
    staff = list(
        User.objects.filter(
            memberships__fabrique=fabrique, memberships__role__in=[Role.ADMIN, Role.OFFICER]
        ).order_by("pk")
    )
    actor = actor or (staff[0] if staff else None)
    audit = Audit(fabrique, actor)
    dept_hint = fabrique.departements.order_by("code").values_list("code", flat=True).first() or ""
    features = FeatureCache(dept_hint)
    v = {k: int(volumes.get(k, 0)) for k in [*VOLUMES, "received"] if k != "fabriques"}
    tag = secrets.token_hex(2)

    with transaction.atomic():
        # --- directory
        orgs = []
        for i in range(v["organizations"]):
            name = f"{rng.choice(ORG_WORDS)} {rng.choice(LAST_NAMES)} {tag}-{i}"
            orgs.append(
                Organization(
                    fabrique=fabrique,
                    created_at=when(),
                    name=name,
                    normalized_name=normalize_organization_name(name),
                    kind=rng.choice(OrganizationKind.values),
                    commune=rng.choice(communes),
                )
            )
        orgs = _bulk(Organization, orgs)
        for o in orgs:
            audit.created(o, when=o.created_at, new={"name": o.name})
        people = []
        for i in range(v["people"]):
            first, last = rng.choice(FIRST_NAMES), f"{rng.choice(LAST_NAMES)}-{tag}{i}"
            people.append(
                Person(
                    fabrique=fabrique,
                    created_at=when(),
                    first_name=first,
                    last_name=last,
                    email=f"{first.lower()}.{i}.{tag}@exemple.org",
                    organization=rng.choice(orgs) if orgs and rng.random() < 0.7 else None,
                    purpose=rng.choice(Purpose.values),
                    legal_basis=LegalBasis.LEGITIMATE_INTEREST,
                    search_name=normalize(f"{first} {last}"),
                )
            )
        people = _bulk(Person, people)
        for person in people:
            audit.created(person, when=person.created_at, new={"last_name": person.last_name})
        progress.add("organizations", len(orgs))
        progress.add("people", len(people))
        audit_n = audit.flush()

        # --- needs, then reports grouped into them
        need_refs, report_refs = References(Need, fabrique, "B"), References(NeedReport, fabrique, "S")
        needs = []
        for _i in range(v["needs"]):
            title, theme, public = rng.choice(NEED_TEMPLATES)
            commune = rng.choice(communes)
            created = when()
            stage = _pick(rng, NEED_MIX)
            needs.append(
                Need(
                    fabrique=fabrique,
                    created_at=created,
                    reference=need_refs(created),
                    title=title,
                    theme=theme,
                    public=public,
                    commune=commune,
                    epci_id=commune.epci_id,
                    officer=rng.choice(staff) if staff else None,
                    stage=stage,
                    stage_changed_at=created if stage != NeedStage.NEW else None,
                )
            )
        needs = sorted(needs, key=lambda n: n.created_at)
        needs = _bulk(Need, needs)
        for n in needs:
            audit.created(n, when=n.created_at, new={"reference": n.reference, "title": n.title})
            audit.stage(n, n.stage, when=n.stage_changed_at or n.created_at, first=NeedStage.NEW)
        progress.add("needs", len(needs))

        reports = []
        for i in range(v["reports"]):
            # about nine reports in ten are grouped into a need (at least one report per need)
            need = (
                needs[i] if i < len(needs) else (rng.choice(needs) if needs and rng.random() < 0.9 else None)
            )
            created = max(need.created_at, when()) if need else when()
            if need:
                title, theme, public, commune = need.title, need.theme, need.public, need.commune  # type: ignore[assignment]
                stage = ReportStage.ATTACHED
            else:
                title, theme, public = rng.choice(NEED_TEMPLATES)
                commune = rng.choice(communes)
                dismissed = i < v["reports"] and rng.random() < 0.2
                stage = ReportStage.DISMISSED if dismissed else ReportStage.RECEIVED
            reports.append(
                NeedReport(
                    fabrique=fabrique,
                    created_at=created,
                    reference=report_refs(created),
                    title=title,
                    description=f"Constaté à {commune.name}.",
                    theme=theme,
                    public=public,
                    commune=commune,
                    reporter_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    # one kind of reporter per wording: the grouping features are computed once per wording
                    reporter_type=REPORTER_TYPES[len(title) % len(REPORTER_TYPES)],
                    consent_processing=True,
                    source=rng.choice([ReportSource.PUBLIC_FORM, ReportSource.PHONE, ReportSource.MEETING]),
                    reported_on=timezone.localtime(created).date(),
                    need=need,
                    stage=stage,
                    stage_changed_at=created if stage != ReportStage.RECEIVED else None,
                    dismiss_reason="out_of_scope" if stage == ReportStage.DISMISSED else "",
                )
            )
        reports.sort(key=lambda r: r.created_at)
        for start in range(0, len(reports), 20_000):
            chunk = _bulk(NeedReport, reports[start : start + 20_000])
            rows = [row for r in chunk if (row := features.row(r)) is not None]
            ReportFeatures.objects.bulk_create(rows, batch_size=BATCH)
            for r in chunk:
                audit.created(r, when=r.created_at, new={"reference": r.reference, "title": r.title})
                audit.stage(r, r.stage, when=r.created_at, first=ReportStage.RECEIVED)
            audit_n += audit.flush()
        progress.add("reports", len(reports))

        # --- studies on needs in study / answered; projects from studies that went "go"
        studied = [n for n in needs if n.stage in (NeedStage.IN_STUDY, NeedStage.ANSWERED)]
        study_refs, project_refs = References(Study, fabrique, "E"), References(Project, fabrique, "P")
        studies = []
        for i in range(v["studies"]):
            created = when()
            stage = _pick(rng, STUDY_MIX)
            studies.append(
                Study(
                    fabrique=fabrique,
                    created_at=created,
                    reference=study_refs(created),
                    title=f"Étude {rng.choice(NEED_TEMPLATES)[0].lower()} {i + 1}",
                    officer=rng.choice(staff) if staff else None,
                    started_on=timezone.localtime(created).date(),
                    stage=stage,
                    stage_changed_at=created if stage != StudyStage.IN_PROGRESS else None,
                    conclusion="Un modèle a émergé." if stage == StudyStage.GO else "",
                )
            )
        studies = _bulk(Study, studies)
        links = []
        for i, s in enumerate(studies):
            audit.created(s, when=s.created_at, new={"reference": s.reference, "title": s.title})
            audit.stage(s, s.stage, when=s.created_at, first=StudyStage.IN_PROGRESS)
            if studied:
                links.append(Study.needs.through(study_id=s.pk, need_id=studied[i % len(studied)].pk))
        Study.needs.through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
        progress.add("studies", len(studies))
        audit_n += audit.flush()

        go: list[Study | None] = [s for s in studies if s.stage == StudyStage.GO] or [None]
        projects = []
        for i in range(v["projects"]):
            created = when()
            stage = _pick(rng, PROJECT_MIX)
            study = go[i % len(go)]
            projects.append(
                Project(
                    fabrique=fabrique,
                    created_at=created,
                    reference=project_refs(created),
                    title=f"Projet {rng.choice(NEED_TEMPLATES)[0].lower()} {i + 1}",
                    study=study,
                    officer=rng.choice(staff) if staff else None,
                    commune=rng.choice(communes),
                    leader_organization=rng.choice(orgs)
                    if orgs and stage not in (ProjectStage.SEEKING_LEADER, ProjectStage.STOPPED)
                    else None,
                    stage=stage,
                    stage_changed_at=created if stage != ProjectStage.SEEKING_LEADER else None,
                    stop_reason="no_leader" if stage == ProjectStage.STOPPED else "",
                    stopped_at_stage=ProjectStage.SEEKING_LEADER if stage == ProjectStage.STOPPED else "",
                    is_public=stage in (ProjectStage.IN_SUPPORT, ProjectStage.CREATED),
                )
            )
        projects = _bulk(Project, projects)
        answered = [n for n in needs if n.stage == NeedStage.ANSWERED]
        project_links = []
        for i, p in enumerate(projects):
            audit.created(p, when=p.created_at, new={"reference": p.reference, "title": p.title})
            audit.stage(p, p.stage, when=p.created_at, first=ProjectStage.SEEKING_LEADER)
            if answered:
                project_links.append(
                    Project.needs.through(project_id=p.pk, need_id=answered[i % len(answered)].pk)
                )
        Project.needs.through.objects.bulk_create(project_links, batch_size=BATCH, ignore_conflicts=True)
        progress.add("projects", len(projects))
        audit_n += audit.flush()

        # --- support plans for projects in support or created, enterprises for created ones
        supported = [p for p in projects if p.stage in (ProjectStage.IN_SUPPORT, ProjectStage.CREATED)]
        plans = []
        for p in supported[: v["plans"]]:
            done = p.stage == ProjectStage.CREATED
            plans.append(
                SupportPlan(
                    fabrique=fabrique,
                    created_at=p.created_at,
                    project=p,
                    officer=p.officer,
                    started_on=timezone.localtime(p.created_at).date(),
                    stage=SupportStage.COMPLETED if done else SupportStage.ACTIVE,
                    stage_changed_at=p.created_at if done else None,
                )
            )
        plans = _bulk(SupportPlan, plans)
        enterprises = []
        for plan in plans:
            audit.created(plan, when=plan.created_at, new={"project": plan.project.reference})
            audit.stage(plan, plan.stage, when=plan.created_at, first=SupportStage.ACTIVE)
            if plan.project.stage == ProjectStage.CREATED:
                enterprises.append(
                    Enterprise(
                        project=plan.project,
                        created_at=plan.created_at,
                        legal_name=f"{plan.project.title[:150]} SCIC",
                        legal_form=rng.choice(LegalForm.values),
                        created_on=plan.started_on,
                        jobs_fte=Decimal(rng.randint(1, 30)),
                        commune=plan.project.commune,
                        organization=plan.project.leader_organization,
                    )
                )
        enterprises = _bulk(Enterprise, enterprises)
        for e in enterprises:
            audit.created(e, when=e.created_at, new={"legal_name": e.legal_name})
        progress.add("plans", len(plans))
        progress.add("enterprises", len(enterprises))
        audit_n += audit.flush()

        # --- calls for projects and the applications they received
        seeking: list[Project | None] = [p for p in projects if p.stage != ProjectStage.STOPPED] or [None]
        calls = []
        for i in range(v["calls"]):
            created = when()
            stage = _pick(rng, CALL_MIX)
            project = seeking[i % len(seeking)]
            calls.append(
                Call(
                    fabrique=fabrique,
                    created_at=created,
                    project=project,
                    slug=f"appel-{tag}-{i + 1}",
                    title=f"Appel à porteurs {i + 1}",
                    description="Nous cherchons une structure pour porter ce projet.",
                    profile_sought="Une structure de l'ESS implantée localement.",
                    deadline=timezone.localtime(created).date() + datetime.timedelta(days=45),
                    stage=stage,
                    stage_changed_at=created if stage != CallStage.DRAFT else None,
                    published_on=None if stage == CallStage.DRAFT else timezone.localtime(created).date(),
                )
            )
        calls = _bulk(Call, calls)
        for c in calls:
            audit.created(c, when=c.created_at, new={"title": c.title})
            audit.stage(c, c.stage, when=c.created_at, first=CallStage.DRAFT)
        open_calls: list[Call | None] = [c for c in calls if c.stage != CallStage.DRAFT] or [None]
        applications = []
        for i in range(v["applications"] if open_calls[0] else 0):
            call = open_calls[i % len(open_calls)]
            assert call is not None
            created = max(call.created_at, when())
            stage = _pick(rng, APPLICATION_MIX)
            first = rng.choice(FIRST_NAMES)
            applications.append(
                Application(
                    fabrique=fabrique,
                    created_at=created,
                    call=call,
                    project=call.project,
                    first_name=first,
                    last_name=rng.choice(LAST_NAMES),
                    email=f"candidat.{i}.{tag}@exemple.org",
                    organization=rng.choice(orgs) if orgs and rng.random() < 0.5 else None,
                    motivation="Nous portons déjà une activité proche.",
                    consent_processing=True,
                    stage=stage,
                    stage_changed_at=created if stage != ApplicationStage.SUBMITTED else None,
                )
            )
        applications = _bulk(Application, applications)
        for a in applications:
            audit.created(a, when=a.created_at, new={"call": a.call.title if a.call else ""})
            audit.stage(a, a.stage, when=a.created_at, first=ApplicationStage.SUBMITTED)
        progress.add("calls", len(calls))
        progress.add("applications", len(applications))
        audit_n += audit.flush()

        # --- committee meetings with agenda items and decisions on needs
        ctype = CommitteeType.objects.filter(fabrique=fabrique).order_by("pk").first()
        decided = [n for n in needs if n.stage in (NeedStage.RETAINED, NeedStage.NOT_RETAINED)]
        if v["meetings"] and ctype is not None and actor is not None:
            committee = Committee.objects.filter(fabrique=fabrique, committee_type=ctype).first()
            if committee is None:
                committee = Committee.objects.create(
                    fabrique=fabrique, committee_type=ctype, name=f"{ctype.label} ({tag})"
                )
                audit.created(committee, when=now, new={"name": committee.name})
            meetings = []
            for _i in range(v["meetings"]):
                date = when()
                meetings.append(
                    Meeting(
                        fabrique=fabrique,
                        created_at=date,
                        committee=committee,
                        date=date,
                        place="Salle du conseil",
                        status=MeetingStatus.HELD if date < now else MeetingStatus.PLANNED,
                    )
                )
            meetings = _bulk(Meeting, meetings)
            need_type = ContentType.objects.get_for_model(Need)
            items, decisions = [], []
            for m_index, meeting in enumerate(meetings):
                audit.created(meeting, when=meeting.created_at, new={"committee": committee.name})
                audit.stage(meeting, meeting.status, when=meeting.date, first=MeetingStatus.PLANNED)
                for order in range(3):
                    if not decided:
                        break
                    need = decided[(m_index * 3 + order) % len(decided)]
                    items.append(
                        AgendaItem(
                            meeting=meeting,
                            order=order,
                            title=need.title,
                            target_type=need_type,
                            target_id=need.pk,
                        )
                    )
            items = _bulk(AgendaItem, items)
            by_pk = {n.pk: n for n in decided}
            seen = set()
            for item in items:
                need = by_pk[item.target_id or 0]
                if item.meeting.status != MeetingStatus.HELD or need.pk in seen:
                    continue
                seen.add(need.pk)
                decisions.append(
                    Decision(
                        fabrique=fabrique,
                        created_at=item.meeting.date,
                        target_type=need_type,
                        target_id=need.pk,
                        target_repr=str(need)[:300],
                        meeting=item.meeting,
                        agenda_item=item,
                        outcome=need.stage,
                        outcome_label=str(NeedStage(need.stage).label),
                        reasons="Décision du comité.",
                        decided_by=actor,
                        decided_on=timezone.localtime(item.meeting.date).date(),
                    )
                )
            decisions = _bulk(Decision, decisions)
            for d in decisions:
                audit.created(d, when=d.created_at, new={"outcome": d.outcome})
            progress.add("meetings", len(meetings))
            progress.add("decisions", len(decisions))
        audit_n += audit.flush()
        progress.add("audit entries", audit_n)
    return progress.counts


def _territory(index: int) -> list[Departement]:
    """Each fabrique its département (round robin over those that have communes)."""
    codes = list(
        Departement.objects.filter(communes__kind=Commune.Kind.CURRENT)
        .distinct()
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not codes:
        return []
    return list(Departement.objects.filter(code=codes[index % len(codes)]))


def network_generate(
    *, scale: float = 1.0, fabriques: int | None = None, seed: int = 1, log: Callable[[str], None] = print
) -> dict[str, int]:
    """Create `fabriques` fabriques (`reseau-01`, ...; those already there are kept, so that an interrupted
    run can be resumed) with the VOLUMES of issue 10 times `scale`, their
    teams (admin, officer, committee, reader, partner: `<role>@reseau-NN.test`, password PASSWORD) and a
    network head (`tete@reseau.test`). Returns the counts created."""
    n = fabriques or max(1, round(VOLUMES["fabriques"] * min(1.0, max(scale, 0.02))))
    shares = {k: _shares(round(total * scale), n) for k, total in VOLUMES.items() if k != "fabriques"}
    progress = Progress(log=log)
    if not User.objects.filter(email="tete@reseau.test").exists():
        User.objects.create_user(
            "tete@reseau.test", PASSWORD, first_name="Tête", last_name="de réseau", is_network_head=True
        )
    for i in range(n):
        number = i + 1
        slug = f"reseau-{number:02d}"
        if NeedReport.all_objects.filter(fabrique__slug=slug).exists():  # resumed run: this one is done
            log(f"{slug}: already there")
            continue
        fabrique = Fabrique.objects.filter(slug=slug).first() or fabrique_create(
            actor=None,
            slug=slug,
            name=f"Fabrique à initiatives {number:02d}",
            departements=_territory(number - 1),
        )
        users = {}
        for role in ("admin", "officer", "committee", "reader", "partner"):
            email = f"{role}@{slug}.test"
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email, PASSWORD, first_name=role.capitalize(), last_name=slug
            )
            membership_set(fabrique=fabrique, actor=None, user=user, role=getattr(Role, role.upper()))
            users[role] = user
        t0 = timezone.now()
        extend_fabrique(
            fabrique,
            volumes={k: shares[k][i] for k in shares},
            seed=seed * 1000 + number,
            actor=users["officer"],
            progress=progress,
        )
        t1 = timezone.now()
        from fabrique.intelligence.insights import insights_refresh

        insights_refresh(fabrique=fabrique)  # what the worker does after each change, once for the bulk
        log(
            f"{slug}: {(t1 - t0).total_seconds():.1f} s, insights {(timezone.now() - t1).total_seconds():.1f} s"
            f" — {progress.counts}"
        )
    progress.counts["fabriques"] = n
    progress.counts["memberships"] = Membership.objects.filter(fabrique__slug__startswith="reseau-").count()
    return progress.counts
