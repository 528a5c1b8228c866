"""The demo reaches every stage of every state machine at least once (issue 14): a report set aside, a
need retained and waiting, a need closed, a study no-go and one abandoned, a project stopped, calls in
draft / closed / cancelled, an application under review and one withdrawn, a support stopped, a meeting
cancelled, workshops of every kind, an enterprise followed at +1 and +3 years, a change of scale.

Everything goes through the services, like the rest of the demo (so each object has its history).
`tests/demo/test_load_demo.py` checks that every stage of every workflow is present.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from fabrique.committees.models import CommitteeType
from fabrique.committees.services import committee_create, meeting_cancel, meeting_create
from fabrique.needs.models import DismissReason, Need
from fabrique.needs.services import (
    need_close,
    need_create,
    need_decide,
    need_qualification_start,
    need_report_dismiss,
    need_report_submit,
)
from fabrique.projects.models import PartnerRole, Project, StopReason
from fabrique.projects.outcome import followup_create, project_record_creation
from fabrique.projects.partners import partner_add
from fabrique.projects.services import (
    project_assign_leader,
    project_create,
    project_create_scale_up,
    project_stop,
)
from fabrique.recruitment.services import (
    application_submit,
    application_withdraw,
    call_cancel,
    call_close,
    call_create,
    call_publish,
)
from fabrique.studies.models import NoGoReason, Study, WorkshopKind
from fabrique.studies.services import (
    scenario_create,
    study_abandon,
    study_open,
    study_submit,
    study_update,
    workshop_create,
)
from fabrique.support.services import support_plan_start, support_plan_stop

if TYPE_CHECKING:
    from .builder import Ctx


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _retained(
    ctx: Ctx, title: str, description: str, *, theme: str = "services", commune: str = "44109"
) -> Need:
    from .builder import commune as get_commune

    need = need_create(
        fabrique=ctx.fabrique,
        actor=ctx.officer,
        title=title,
        description=description,
        theme=theme,
        public="all",
        commune=get_commune(commune),
        officer=ctx.officer,
    )
    need_qualification_start(need=need, actor=ctx.officer)
    need_decide(
        need=need, actor=ctx.admin, outcome="retained", reasons="Besoin avéré, plusieurs acteurs prêts."
    )
    need.refresh_from_db()
    return need


def _study(ctx: Ctx, need: Need, title: str) -> Study:
    return study_open(
        fabrique=ctx.fabrique,
        actor=ctx.officer,
        needs=[need],
        title=title,
        summary="Comprendre le besoin, rencontrer les acteurs, chercher un modèle qui tienne.",
        officer=ctx.officer,
        started_on=_days(-200),
    )


def _project(ctx: Ctx, title: str, summary: str) -> Project:
    """A project started without a study, followed by the demo's officer."""
    return project_create(
        fabrique=ctx.fabrique, actor=ctx.officer, title=title, summary=summary, officer=ctx.officer
    )


def build_every_stage(ctx: Ctx) -> None:
    officer, admin = ctx.officer, ctx.admin
    people = list(ctx.people.values())
    orgs = ctx.orgs

    # a report set aside (out of territory)
    report = need_report_submit(
        fabrique=ctx.fabrique,
        title="Pas de navette pour la plage l'été",
        description="À Brest, les jeunes des quartiers n'ont aucun moyen d'aller à la plage en été.",
        reporter_name="Yann Le Goff",
        reporter_email="",
        reporter_type="inhabitant",
        consent_processing=True,
    )
    need_report_dismiss(
        report=report, actor=officer, reason=DismissReason.OUT_OF_TERRITORY, details="Finistère : transmis."
    )

    # a need retained, waiting for its study
    _retained(
        ctx,
        "Un relais de garde d'enfants le samedi",
        "Les parents qui travaillent le samedi dans le commerce n'ont pas de solution de garde.",
        theme="childcare",
    )

    # a need closed: another actor answers it now
    closed = _retained(
        ctx,
        "Une laverie solidaire au Clos Toreau",
        "Pas de laverie accessible ; les familles lavent à la main ou font 3 km.",
    )
    need_close(
        need=closed, actor=officer, reason="Le centre social a ouvert une laverie associative en mars."
    )

    # a study no-go, with workshops of every kind
    need = _retained(
        ctx,
        "Une épicerie ambulante pour les hameaux de Vertou",
        "Les hameaux n'ont plus de commerce ; les personnes âgées dépendent de leurs voisins.",
        theme="food",
        commune="44215",
    )
    study = _study(ctx, need, "Étude : commerce ambulant dans les hameaux")
    for kind, title, offset in (
        (WorkshopKind.WORKSHOP, "Atelier avec les habitants des hameaux", -170),
        (WorkshopKind.INTERVIEW, "Entretien avec le CCAS de Vertou", -150),
        (WorkshopKind.FIELD_VISIT, "Visite d'une épicerie itinérante en Mayenne", -130),
    ):
        workshop_create(
            study=study,
            actor=officer,
            kind=kind,
            title=title,
            date=_days(offset),
            place="Vertou",
            participants=people[:3],
            notes="Compte rendu dans le dossier de l'étude.",
        )
    scenario_create(
        study=study,
        actor=officer,
        title="Épicerie itinérante coopérative",
        description="Un camion, trois tournées par semaine.",
    )
    study_update(
        study=study,
        actor=officer,
        conclusion="Le chiffre d'affaires possible ne couvre pas le coût d'un camion et d'un salarié.",
    )
    study = study_submit(study=study, actor=officer)
    from fabrique.committees.services import decision_record

    decision_record(
        fabrique=ctx.fabrique,
        actor=admin,
        target=study,
        outcome="no_go",
        reason_code=NoGoReason.NO_ECONOMIC_MODEL,
        reasons="Modèle non viable sans subvention permanente ; orienter vers le marché hebdomadaire.",
    )

    # a study abandoned
    need = _retained(
        ctx,
        "Un atelier de réparation de vélos à Orvault",
        "Les vélos des collégiens restent cassés faute d'atelier proche.",
        theme="mobility",
        commune="44114",
    )
    study = _study(ctx, need, "Étude : atelier vélo à Orvault")
    study_abandon(study=study, actor=officer, reason="Une association vélo s'est installée entre-temps.")

    # a project stopped (no leader found)
    project = _project(
        ctx,
        "Conciergerie solidaire de la zone d'activités",
        "Services aux salariés de la zone portés par une structure d'insertion.",
    )
    project_stop(
        project=project,
        actor=officer,
        reason=StopReason.NO_LEADER,
        details="Aucune structure d'insertion disponible sur la zone.",
    )

    # a call being written (draft)
    project = _project(
        ctx, "Tiers-lieu numérique de Carquefou", "Un lieu d'accès et d'accompagnement au numérique."
    )
    call_create(
        project=project,
        actor=officer,
        title="Appel à porteurs : tiers-lieu numérique (en préparation)",
        description="Premier jet de l'appel, à relire avec la commune.",
        profile_sought="Une association de médiation numérique.",
        deadline=_days(45),
    )

    # calls: one closed (its application under review), one cancelled (its application withdrawn)
    project = _project(
        ctx,
        "Jardin partagé d'insertion à Bouguenais",
        "Un jardin maraîcher qui emploie des personnes éloignées de l'emploi.",
    )
    call = call_create(
        project=project,
        actor=officer,
        title="Appel à porteurs : jardin d'insertion",
        description="Porter un chantier d'insertion maraîcher.",
        profile_sought="Un ou une maraîchère, ou une structure d'insertion.",
        deadline=_days(20),
    )
    call_publish(call=call, actor=officer)
    application_submit(
        call=call,
        first_name="Hugo",
        last_name="Peltier",
        email="h.peltier@exemple.org",
        organization_name="Les Jardins de Bouguenais",
        motivation="Maraîcher, je veux transmettre et employer.",
        experience="Quinze ans de maraîchage bio.",
        consent_processing=True,
    )
    call_close(call=call, actor=officer)

    project = _project(ctx, "Bricothèque de quartier", "Prêt d'outils et ateliers de bricolage.")
    call = call_create(
        project=project,
        actor=officer,
        title="Appel à porteurs : bricothèque",
        description="Porter une bricothèque de quartier.",
        profile_sought="Une personne ou une association du bricolage et du prêt.",
        deadline=_days(25),
    )
    call_publish(call=call, actor=officer)
    application = application_submit(
        call=call,
        first_name="Inès",
        last_name="Garnier",
        email="i.garnier@exemple.org",
        organization_name="",
        motivation="Je veux ouvrir une bricothèque.",
        experience="Menuisière.",
        consent_processing=True,
    )
    application_withdraw(application=application, actor=officer, note="La candidate a trouvé un emploi.")
    call_cancel(call=call, actor=officer, reason="Le projet est repensé avec la ressourcerie.")

    # a support stopped
    org = orgs["Mobil'Aide Vignoble"]
    project = _project(ctx, "Auto-école solidaire", "Permis de conduire pour les personnes en insertion.")
    project = project_assign_leader(project=project, actor=officer, organization=org, mode="direct")
    plan = support_plan_start(project=project, actor=officer, started_on=_days(-120))
    support_plan_stop(plan=plan, actor=officer, reason="Le porteur suspend le projet pour un an.")

    # an enterprise created three and a half years ago, followed at +1 and +3 years
    project = _project(ctx, "Ressourcerie du Sud-Loire", "Collecte, réemploi et vente solidaire.")
    leader = list(orgs.values())[1] if len(orgs) > 1 else org
    project = project_assign_leader(project=project, actor=officer, organization=leader, mode="direct")
    partner_add(
        target=project, organization=org, role=PartnerRole.FUNDER, actor=officer, note="Prêt d'honneur"
    )
    created_on = _days(-3 * 365 - 180)
    support_plan_start(project=project, actor=officer, started_on=created_on - datetime.timedelta(days=300))
    enterprise = project_record_creation(
        project=project,
        actor=officer,
        legal_name="Ressourcerie du Sud-Loire",
        legal_form="association",
        siret="52345678800018",
        created_on=created_on,
        jobs_fte="4.0",
    )
    followup_create(
        enterprise=enterprise,
        actor=officer,
        horizon="1y",
        observed_on=created_on + datetime.timedelta(days=365),
        still_active=True,
        jobs_fte="6.5",
        notes="Deuxième boutique ouverte.",
    )
    followup_create(
        enterprise=enterprise,
        actor=officer,
        horizon="3y",
        observed_on=created_on + datetime.timedelta(days=3 * 365),
        still_active=True,
        jobs_fte="9.0",
        notes="Agrément ESUS obtenu ; 5 postes en insertion.",
    )

    # a change of scale: an existing structure extends its activity to answer a retained need
    need = _retained(
        ctx,
        "Une ressourcerie accessible à Rezé",
        "Les habitants de Rezé font 15 km pour déposer ou acheter d'occasion.",
        theme="reuse",
        commune="44143",
    )
    project_create_scale_up(
        need=need,
        organization=leader,
        actor=officer,
        title="La Ressourcerie du Sud-Loire s'installe à Rezé",
        reasons="Son modèle fonctionne depuis trois ans à dix kilomètres.",
    )

    # a meeting cancelled
    committee_type = CommitteeType.objects.filter(fabrique=ctx.fabrique).order_by("pk").first()
    committee = committee_create(
        fabrique=ctx.fabrique,
        actor=admin,
        committee_type=committee_type,
        name="Comité des partenaires du Sud-Loire",
        members=people[:4],
    )
    meeting = meeting_create(
        committee=committee,
        actor=officer,
        date=timezone.now() + datetime.timedelta(days=20),
        place="Rezé, Maison de l'ESS",
        attendees=people[:4],
    )
    meeting_cancel(meeting=meeting, actor=officer, reason="Reportée : la moitié des membres est excusée.")
