"""Three years of history for the Nantes demo fabrique, so that every reporting indicator, chart and
funder report shows something: reports and needs each year (some not retained), studies concluded
(go, no go, one abandoned), projects (one abandoned), enterprises with their follow-ups at +1 and +3
years, funding lines, and several funders with their agreements, reporting deadlines and a report.

Everything goes through the real services (audited); only the dates are then moved into the past
(`_backdate`), since the services stamp "now" — the same approach as `fabrique.demo.network`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from .builder import Ctx, commune, days


# one cohort a year: its first day (days from today) and its content
@dataclass(frozen=True)
class Cohort:
    base: int  # its first day, in days from today
    theme: str
    public: str
    title: str
    outcome: str  # the study's decision
    project: str | None  # what became of the project: "created", "stopped" or none
    # the six reports of the year, as people wrote them (the 5th and 6th are about food)
    reports: tuple[str, str, str, str, str, str] = ("",) * 6
    # what each report says, in its reporter's words (reports of one need share words, the others do not)
    descriptions: tuple[str, str, str, str, str, str] = ("",) * 6
    other: str = ""  # the need made of the 5th report, not retained (an offer exists)
    third: str = ""  # the need made of the 3rd report, whose study is abandoned (first two cohorts)


COHORTS = [
    Cohort(
        -1040,
        "mobility",
        "job_seekers",
        "Garage solidaire pour les personnes en insertion",
        "go",
        "created",
        reports=(
            "Garage solidaire pour les personnes en insertion",
            "Pas de garage abordable pour réparer la voiture des salariés en insertion",
            "Louer un scooter pour aller aux entretiens d'embauche",
            "Des stagiaires abandonnent leur formation faute de voiture réparée",
            "Nulle part où déjeuner le midi dans la zone d'activités",
            "La cantine du chantier d'insertion coûte trop cher",
        ),
        descriptions=(
            "Les personnes suivies en insertion n'ont pas les moyens de faire réparer leur voiture ; "
            "sans elle, elles ne peuvent pas accepter un emploi en horaires décalés.",
            "Plusieurs salariés du chantier d'insertion ont une voiture en panne depuis des semaines : "
            "les devis des garages dépassent leur salaire du mois.",
            "Un jeune suivi par la mission locale a raté deux entretiens faute de moyen de transport ; "
            "il pourrait louer un scooter quelques semaines.",
            "L'organisme de formation constate des abandons : des stagiaires sans voiture réparée ne "
            "peuvent plus venir aux cours.",
            "Les salariés de la zone d'activités n'ont aucun endroit pour déjeuner à moins de 3 km.",
            "Le repas du midi au chantier d'insertion coûte 7 euros, trop pour les salariés en parcours.",
        ),
        other="Restauration du midi dans la zone d'activités",
        third="Location de deux-roues pour les demandeurs d'emploi",
    ),
    Cohort(
        -700,
        "childcare",
        "children",
        "Garde d'enfants en horaires atypiques",
        "no_go",
        None,
        reports=(
            "Garde d'enfants en horaires atypiques",
            "Aucune crèche ouverte avant 7 h pour les parents qui commencent tôt",
            "Faire garder ses enfants le soir quand on est soignante de nuit",
            "Des mères seules refusent un emploi faute de garde le week-end",
            "Pas de goûter pour les enfants à la sortie de l'école",
            "Les enfants gardés tard n'ont pas de repas du soir",
        ),
        descriptions=(
            "Les parents qui travaillent tôt le matin ou tard le soir ne trouvent aucun mode de garde "
            "ouvert à ces heures-là.",
            "Je commence à 6 h à l'usine et la crèche ouvre à 7 h 30 : je ne sais pas à qui confier "
            "mon fils.",
            "Infirmière de nuit, je paie une voisine pour garder mes enfants, ça me coûte presque tout "
            "mon salaire.",
            "Au centre social, des mères seules nous disent refuser des emplois le week-end faute de garde.",
            "À la sortie de l'école, beaucoup d'enfants n'ont rien à manger avant le dîner.",
            "Les enfants qui restent à la garderie jusqu'à 19 h rentrent sans avoir dîné.",
        ),
        other="Goûters pour les enfants après l'école",
        third="Garde à domicile la nuit pour les enfants des soignants",
    ),
    Cohort(
        -400,
        "housing",
        "elderly",
        "Habitat partagé pour personnes âgées isolées",
        "go",
        "stopped",
        reports=(
            "Habitat partagé pour personnes âgées isolées",
            "Des seniors seuls dans des maisons devenues trop grandes",
            "Une colocation entre étudiants et personnes âgées",
            "Des personnes âgées qui ne veulent pas partir en EHPAD",
            "Faire livrer des repas aux personnes âgées du bourg",
            "Aucun restaurant où les aînés peuvent déjeuner ensemble",
        ),
        descriptions=(
            "Des personnes âgées vivent seules et voudraient partager un logement avec d'autres, avec "
            "un peu d'aide sur place.",
            "Depuis le décès de son mari, ma voisine vit seule dans une grande maison qu'elle n'arrive "
            "plus à entretenir.",
            "Des étudiants cherchent une chambre et des seniors ont de la place : une colocation "
            "arrangerait tout le monde.",
            "Beaucoup d'aînés ne veulent pas entrer en EHPAD mais ne peuvent plus rester seuls chez eux.",
            "Les personnes âgées du bourg ne peuvent plus cuisiner ; il faudrait leur livrer des repas.",
            "Il n'y a aucun lieu où les aînés peuvent prendre un repas ensemble le midi.",
        ),
        other="Portage de repas aux personnes âgées",
        third="Colocation intergénérationnelle",
    ),
]
PLACES = ["44109", "44143", "44162", "44109", "44190", "44035"]


def _siret(seed: int) -> str:
    """A SIRET with a valid check digit (SIREN with its Luhn key, then an establishment number whose
    14 digits pass Luhn too), fictional."""
    from stdnum import luhn

    siren = f"80{seed:06d}"
    siren += luhn.calc_check_digit(siren)
    body = f"{siren}0001"
    return body + luhn.calc_check_digit(body)


def _backdate(obj: models.Model, **fields: Any) -> None:
    """Move the dates of a row into the past (date → local noon for datetime fields)."""
    values = {}
    for name, value in fields.items():
        field = obj._meta.get_field(name)
        if isinstance(field, models.DateTimeField) and isinstance(value, datetime.date):
            value = timezone.make_aware(datetime.datetime(value.year, value.month, value.day, 12))
        values[name] = value
    type(obj)._base_manager.filter(pk=obj.pk).update(**values)
    for name, value in values.items():
        setattr(obj, name, value)


def build_history(ctx: Ctx) -> None:
    from fabrique.committees.services import decision_record
    from fabrique.core.workflow import transition
    from fabrique.directory.services import organization_create
    from fabrique.needs.services import (
        need_create_from_report,
        need_decide,
        need_qualification_start,
        need_report_attach,
        need_report_submit,
    )
    from fabrique.projects.models import Project
    from fabrique.projects.outcome import followup_create, project_record_creation
    from fabrique.projects.services import project_assign_leader, project_stop
    from fabrique.studies.models import StudyStage
    from fabrique.studies.services import (
        scenario_create,
        study_open,
        study_submit,
        study_update,
        workshop_create,
    )
    from fabrique.support.services import funding_create, referral_create, support_plan_start
    from fabrique.territories.models import QPV

    officer = ctx.officer
    qpv = QPV.objects.filter(communes__code="44109").order_by("code").first()
    workstreams = list(ctx.workstreams.values())

    for k, cohort in enumerate(COHORTS):
        base = cohort.base
        reports = []
        for i in range(6):
            day = days(base + 15 * i)
            report = need_report_submit(
                fabrique=ctx.fabrique,
                title=cohort.reports[i],
                description=cohort.descriptions[i],
                public=cohort.public if i % 3 else "all",
                theme=cohort.theme if i < 4 else "food",
                commune=commune(PLACES[i]),
                qpv=qpv if i == 0 else None,
                reporter_type="association",
                consent_processing=True,
                source="meeting",
                reported_on=day,
                entered_by=officer,
            )
            _backdate(report, created_at=day)
            reports.append(report)
        main = need_create_from_report(
            report=reports[0],
            actor=officer,
            title=cohort.title,
            officer=officer,
            workstream=workstreams[k % len(workstreams)] if workstreams else None,
        )
        _backdate(main, created_at=days(base + 5))
        need_report_attach(report=reports[1], need=main, actor=officer)
        _backdate(reports[1], stage_changed_at=days(base + 25))
        _backdate(reports[0], stage_changed_at=days(base + 5))
        other = need_create_from_report(report=reports[4], actor=officer, title=cohort.other)
        _backdate(other, created_at=days(base + 65))
        _backdate(reports[4], stage_changed_at=days(base + 65))
        need_qualification_start(need=main, actor=officer)
        need_decide(
            need=main, actor=officer, outcome="retained", reasons="Besoin avéré.", decided_on=days(base + 40)
        )
        need_qualification_start(need=other, actor=officer)
        need_decide(
            need=other,
            actor=officer,
            outcome="not_retained",
            reason_code="already_answered",
            reasons="Une offre existe déjà à proximité.",
            decided_on=days(base + 90),
        )
        # the opportunity study
        study = study_open(
            fabrique=ctx.fabrique,
            actor=officer,
            needs=[main],
            title=f"Étude : {cohort.title.lower()}",
            workstream=main.workstream,
            officer=officer,
            started_on=days(base + 50),
            due_on=days(base + 170),
        )
        _backdate(study, created_at=days(base + 50))
        workshop_create(
            study=study,
            actor=officer,
            kind="creativity",
            title="Séance de créativité",
            date=days(base + 70),
            place="Nantes, Solilab",
            participants_count=14 + 3 * k,
        )
        workshop_create(
            study=study,
            actor=officer,
            kind="workshop",
            title="Atelier modèle économique",
            date=days(base + 100),
            place="Rezé",
            participants_count=8 + k,
        )
        scenario_create(
            study=study,
            actor=officer,
            title="Piste principale",
            description="La réponse retenue par les ateliers.",
            is_preferred=True,
            jobs_estimate=3,
        )
        study_update(study=study, actor=officer, conclusion="L'équipe propose sa conclusion au comité.")
        study = study_submit(study=study, actor=officer)
        decided = days(base + 160)
        decision_record(
            fabrique=ctx.fabrique,
            actor=officer,
            target=study,
            outcome=cohort.outcome,
            reasons="Décision de l'historique de démonstration.",
            reason_code="" if cohort.outcome == "go" else "no_economic_model",
            decided_on=decided,
        )
        _backdate(study, stage_changed_at=decided)
        # a second study, abandoned on the way (the first cohorts)
        if k < 2:
            third = need_create_from_report(report=reports[2], actor=officer, title=cohort.third)
            _backdate(third, created_at=days(base + 35))
            need_qualification_start(need=third, actor=officer)
            need_decide(
                need=third,
                actor=officer,
                outcome="retained",
                reasons="Besoin avéré.",
                decided_on=days(base + 55),
            )
            dropped = study_open(
                fabrique=ctx.fabrique,
                actor=officer,
                needs=[third],
                title=f"Étude : {third.title.lower()}",
                started_on=days(base + 60),
            )
            _backdate(dropped, created_at=days(base + 60))
            transition(instance=dropped, to=StudyStage.ABANDONED, actor=officer, note="Partenaires retirés.")
            _backdate(dropped, stage_changed_at=days(base + 120))
        if cohort.outcome != "go":
            continue
        project = Project.objects.get(fabrique=ctx.fabrique, study=study)
        _backdate(project, created_at=decided)
        if cohort.project == "stopped":
            project = project_stop(
                project=project, actor=officer, reason="no_leader", details="Aucun porteur malgré l'appel."
            )
            _backdate(project, stage_changed_at=days(base + 300))
            continue
        leader = organization_create(
            fabrique=ctx.fabrique,
            actor=officer,
            name=f"Structure porteuse {k + 1}",
            kind="association",
            commune=commune("44109"),
            roles=["candidate"],
            description="Structure de l'historique de démonstration.",
        )
        project = project_assign_leader(project=project, actor=officer, organization=leader, mode="direct")
        _backdate(project, leader_found_on=days(base + 210))
        plan = support_plan_start(project=project, actor=officer, started_on=days(base + 220))
        funding_create(
            plan=plan,
            actor=officer,
            funder=ctx.orgs["Fonds territorial pour l'emploi solidaire"],
            source_label="Prêt d'honneur",
            amount=12000,
            status="granted",
            requested_on=days(base + 230),
            decided_on=days(base + 260),
        )
        referral_create(
            plan=plan,
            actor=officer,
            organization=ctx.orgs["Coopérative d'activité et d'emploi de l'estuaire"],
            purpose="Test de l'activité en coopérative",
            referred_on=days(base + 240),
        )
        created_on = days(base + 330)
        enterprise = project_record_creation(
            project=project,
            actor=officer,
            legal_name=f"Garage solidaire de l'estuaire {k + 1}",
            legal_form="scic",
            siret=_siret(100 + k),
            created_on=created_on,
            jobs_fte="2.5",
            commune=commune("44143"),
            organization=leader,
        )
        one_year = created_on + datetime.timedelta(days=365)
        if one_year <= timezone.localdate():
            followup_create(
                enterprise=enterprise,
                actor=officer,
                horizon="1y",
                observed_on=one_year,
                still_active=True,
                jobs_fte="4.0",
                notes="Activité stable.",
            )
    _founding_enterprise(ctx)
    _funders(ctx)


def _founding_enterprise(ctx: Ctx) -> None:
    """An enterprise created three years ago, with its follow-ups at +1 and +3 years."""
    from fabrique.projects.outcome import followup_create, project_record_creation
    from fabrique.projects.services import project_assign_leader, project_create
    from fabrique.support.services import support_plan_start

    officer = ctx.officer
    created_on = days(-1150)
    project = project_create(
        fabrique=ctx.fabrique,
        actor=officer,
        title="Recyclerie de l'estuaire",
        commune=commune("44143"),
    )
    _backdate(project, created_at=days(-1400))
    project = project_assign_leader(
        project=project, actor=officer, organization=ctx.orgs["Collectif 3R Nantes"], mode="direct"
    )
    _backdate(project, leader_found_on=days(-1330))
    support_plan_start(project=project, actor=officer, started_on=days(-1300))
    enterprise = project_record_creation(
        project=project,
        actor=officer,
        legal_name="Recyclerie de l'estuaire",
        legal_form="association",
        siret=_siret(7),
        created_on=created_on,
        jobs_fte="3.0",
        commune=commune("44143"),
        organization=ctx.orgs["Collectif 3R Nantes"],
    )
    followup_create(
        enterprise=enterprise,
        actor=officer,
        horizon="1y",
        observed_on=created_on + datetime.timedelta(days=370),
        still_active=True,
        jobs_fte="5.0",
        notes="Deuxième site ouvert.",
    )
    followup_create(
        enterprise=enterprise,
        actor=officer,
        horizon="3y",
        observed_on=created_on + datetime.timedelta(days=1100),
        still_active=True,
        jobs_fte="7.5",
        notes="Toujours en activité, sept salariés.",
    )


def _funders(ctx: Ctx) -> None:
    """Several funders with their agreements, reporting deadlines (one late, one soon, one done) and a
    generated report."""
    from fabrique.directory.services import organization_create
    from fabrique.funding.services import (
        agreement_create,
        deadline_add,
        deadline_mark_done,
        funder_report_create,
        funder_report_generate,
        funder_report_version_execute,
    )
    from fabrique.intelligence.models import DiagnosisZone
    from fabrique.studies.models import Study

    admin = ctx.admin

    def funder(name: str, kind: str) -> Any:
        return organization_create(
            fabrique=ctx.fabrique,
            actor=admin,
            name=name,
            kind=kind,
            roles=["funder"],
            description="Financeur de la fabrique (démonstration).",
        )

    avise = funder("Avise — programme Fabriques à initiatives", "funder")
    bdt = funder("Banque des Territoires", "funder")
    fse = funder("Fonds social européen (FSE+)", "funder")
    foundation = funder("Fondation Malakoff Humanis Handicap", "foundation")
    year = timezone.localdate().year
    required = [
        "needs.reports_received",
        "needs.detected",
        "studies.launched",
        "studies.completed",
        "studies.creativity_held",
        "recruitment.leaders_found",
        "projects.enterprises_created",
        "projects.jobs_at_creation",
        "projects.active_3y",
        "directory.partners_mobilised",
    ]
    programme = None
    for y in (year - 2, year - 1, year):
        programme = agreement_create(
            fabrique=ctx.fabrique,
            actor=admin,
            funder=avise,
            title=f"Programme Fabriques à initiatives {y}",
            reference=f"AVISE-FAI-{y}",
            scope="programme",
            starts_on=datetime.date(y, 1, 1),
            ends_on=datetime.date(y, 12, 31),
            amount_granted=Decimal("45000"),
            amount_paid=Decimal("45000") if y < year else Decimal("22500"),
            status="closed" if y < year else "signed",
            required_indicators=required,
        )
    assert programme is not None
    done = deadline_add(
        agreement=programme, actor=admin, label="Bilan intermédiaire", due_on=datetime.date(year, 7, 15)
    )
    deadline_mark_done(deadline=done, actor=admin, done_on=datetime.date(year, 7, 10))
    deadline_add(
        agreement=programme, actor=admin, label="Bilan annuel et rapport d'activité", due_on=days(10)
    )
    study = Study.objects.filter(fabrique=ctx.fabrique, stage="go").order_by("created_at").first()
    if study is not None:
        bdt_agreement = agreement_create(
            fabrique=ctx.fabrique,
            actor=admin,
            funder=bdt,
            title="Cofinancement d'une étude d'opportunité",
            scope="study",
            study=study,
            starts_on=days(-1000),
            ends_on=days(-600),
            amount_granted=Decimal("15000"),
            amount_paid=Decimal("15000"),
            status="closed",
        )
        deadline_add(agreement=bdt_agreement, actor=admin, label="Rapport final de l'étude", due_on=days(-20))
    if ctx.workstreams:
        agreement_create(
            fabrique=ctx.fabrique,
            actor=admin,
            funder=fse,
            title="Chantier insertion et mobilité",
            scope="workstream",
            workstream=list(ctx.workstreams.values())[3 % len(ctx.workstreams)],
            starts_on=datetime.date(year - 1, 1, 1),
            ends_on=datetime.date(year, 12, 31),
            amount_granted=Decimal("60000"),
            amount_paid=Decimal("30000"),
            status="signed",
        )
    zone = DiagnosisZone.objects.filter(fabrique=ctx.fabrique).order_by("pk").first()
    if zone is not None:
        agreement_create(
            fabrique=ctx.fabrique,
            actor=admin,
            funder=foundation,
            title="Diagnostic de mobilité inclusive",
            scope="diagnosis",
            diagnosis=zone,
            starts_on=datetime.date(year, 3, 1),
            ends_on=datetime.date(year + 1, 2, 28),
            amount_granted=Decimal("20000"),
            status="signed",
        )
    report = funder_report_create(
        fabrique=ctx.fabrique,
        actor=admin,
        funder=avise,
        agreement=None,
        title=f"Bilan {year - 1} pour l'Avise",
        period_start=datetime.date(year - 1, 1, 1),
        period_end=datetime.date(year - 1, 12, 31),
        narratives={
            "introduction": "La fabrique a poursuivi son travail de détection sur la métropole et le vignoble.",
            "highlights": "Un garage solidaire créé, une étude sans modèle pertinent, un habitat partagé abandonné faute de porteur.",
            "outlook": "Consolider les partenariats avec les bailleurs et ouvrir le chantier mobilité.",
        },
    )
    version = funder_report_generate(report=report, actor=admin, enqueue=False)
    funder_report_version_execute(version_id=version.pk)
