"""Builds the demo through the same services the application uses, so that every object has its
history in the audit log and every rule (tenancy, transitions, decisions) is exercised."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from fabrique.accounts.models import User
from fabrique.directory.services import organization_create, person_create
from fabrique.fabriques.models import Fabrique
from fabrique.fabriques.services import fabrique_create, membership_set
from fabrique.territories.models import EPCI, Commune, Departement
from fabrique.workstreams.services import workstream_create

from . import content


@dataclass
class Ctx:
    fabrique: Fabrique
    users: dict[str, User] = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    workstreams: dict = field(default_factory=dict)
    needs: dict = field(default_factory=dict)
    reports: list = field(default_factory=list)

    @property
    def admin(self) -> User:
        return self.users["admin"]

    @property
    def officer(self) -> User:
        return self.users["chargee"]


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def commune(code: str) -> Commune:
    return Commune.objects.get(code=code, kind=Commune.Kind.CURRENT)


def make_user(email: str, first: str, last: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, content.PASSWORD, first_name=first, last_name=last, **extra)
    return user


def build_fabrique(spec: dict, team: list, domain: str) -> Ctx:
    system = None
    fabrique = fabrique_create(
        actor=system,
        epcis=list(EPCI.objects.filter(siren__in=spec.get("epcis", []))),
        departements=list(Departement.objects.filter(code__in=spec.get("departements", []))),
        **{k: v for k, v in spec.items() if k not in {"epcis", "departements"}},
    )
    ctx = Ctx(fabrique=fabrique)
    for local, first, last, role in team:
        user = make_user(f"{local}@{domain}", first, last)
        membership_set(fabrique=fabrique, actor=None, user=user, role=role)
        ctx.users[local] = user
    return ctx


def build_directory(ctx: Ctx, organizations: list, people: list) -> None:
    for name, kind, insee, roles, description, siren in organizations:
        ctx.orgs[name] = organization_create(
            fabrique=ctx.fabrique,
            actor=ctx.officer,
            name=name,
            kind=kind,
            siren=siren,
            commune=commune(insee),
            roles=roles,
            description=description,
            allow_duplicate=True,
        )
    for first, last, org_name, job, email_local, purpose in people:
        ctx.people[f"{first} {last}"] = person_create(
            fabrique=ctx.fabrique,
            actor=ctx.officer,
            first_name=first,
            last_name=last,
            organization=ctx.orgs.get(org_name),
            job_title=job,
            email=f"{email_local}@exemple.org",
            purpose=purpose,
            legal_basis="consent",
            consent_given=True,
            consent_date=days(-200),
            consent_source="Formulaire signé lors d'une réunion partenaires",
            allow_duplicate=True,
        )


def build_workstreams(ctx: Ctx, workstreams: list, leads: list[str]) -> None:
    for (name, code, description, members), lead in zip(workstreams, leads, strict=True):
        ctx.workstreams[code] = workstream_create(
            fabrique=ctx.fabrique,
            actor=ctx.admin,
            name=name,
            code=code,
            description=description,
            lead=ctx.users[lead],
            members=[ctx.orgs[m] for m in members if m in ctx.orgs],
        )


# --- pipeline ----------------------------------------------------------------------------------


def build_needs(ctx: Ctx) -> None:
    from fabrique.needs.services import need_create_from_report, need_report_attach, need_report_submit
    from fabrique.territories.models import QPV

    for index, spec in enumerate(content.NEEDS):
        need = None
        for position, (title, description, name, org, rtype, source, place) in enumerate(spec["reports"]):
            data = {
                "title": title,
                "description": description,
                "public": spec["public"],
                "theme": spec["theme"],
                "commune": commune(spec["commune"]),
                "place": place,
                "reporter_name": name,
                "reporter_organization_name": org,
                "reporter_type": rtype,
                "reporter_email": f"signalement{index}{position}@exemple.org" if name else "",
                "consent_processing": True,
                "consent_notifications": bool(name),
                "source": source,
                "reported_on": days(-150 + index * 7 + position),
            }
            if spec["qpv"]:
                data["qpv"] = QPV.objects.get(code=spec["qpv"])
            if org in ctx.orgs:
                data["reporter_organization"] = ctx.orgs[org]
            if name in ctx.people:
                data["reporter_person"] = ctx.people[name]
            staff_entry = source not in ("public_form", "partner")
            report = need_report_submit(
                fabrique=ctx.fabrique,
                **data,
                entered_by=ctx.officer if staff_entry else None,
                submitted_by=ctx.users.get("partenaire") if source == "partner" else None,
            )
            ctx.reports.append(report)
            if need is None:
                need_data = {
                    "title": spec["title"],
                    "public_title": spec["public_title"],
                    "description": spec["description"],
                    "officer": ctx.users["chargee" if index % 2 else "charge"],
                }
                if spec["ws"]:
                    need_data["workstream"] = ctx.workstreams[spec["ws"]]
                if spec["qpv"]:
                    need_data["qpv"] = QPV.objects.get(code=spec["qpv"])
                need = need_create_from_report(report=report, actor=ctx.officer, **need_data)
            else:
                need_report_attach(report=report, need=need, actor=ctx.officer)
        ctx.needs[spec["key"]] = need
    for title, description, name, org, rtype, source, insee, public, theme in content.UNATTACHED_REPORTS:
        need_report_submit(
            fabrique=ctx.fabrique,
            title=title,
            description=description,
            reporter_name=name,
            reporter_organization_name=org,
            reporter_type=rtype,
            source=source,
            commune=commune(insee),
            public=public,
            theme=theme,
            consent_processing=True,
            reporter_email="partenaire@exemple.org" if source == "partner" else "",
            submitted_by=ctx.users.get("partenaire") if source == "partner" else None,
        )


SCORES = {  # need key -> scores per criterion, in the order of the default criteria
    "logistics": [3, 3, 2, 3, 3, 3],
    "kitchen": [3, 2, 2, 3, 2, 3],
    "biowaste": [2, 2, 3, 2, 2, 2],
    "reuse_points": [3, 3, 3, 2, 3, 3],
    "housing_lab": [3, 2, 2, 2, 2, 3],
    "ess_hub": [2, 3, 2, 2, 3, 3],
    "mobility": [3, 3, 3, 1, 2, 2],
    "caterers": [2, 3, 1, 2, 3, 3],
    "intergen": [2, 2, 1, 1, 3, 2],
    "bike_repair": [2, 0, 1, 1, 1, 2],
    "digital": [1, 2, 2, 1, 1, 2],
}


def qualify(ctx: Ctx) -> None:
    from fabrique.needs.models import Criterion
    from fabrique.needs.services import need_decide, need_qualification_start, need_score_set

    criteria = list(Criterion.objects.filter(fabrique=ctx.fabrique, is_active=True).order_by("order", "id"))
    comments = ["Plusieurs signalements concordants.", "Rien d'équivalent à moins de 20 km.", "", "", "", ""]
    for key, scores in SCORES.items():
        need = ctx.needs[key]
        need_qualification_start(need=need, actor=ctx.officer)
        for criterion, score, comment in zip(criteria, scores, comments, strict=False):
            need_score_set(need=need, criterion=criterion, score=score, comment=comment, actor=ctx.officer)
    need_decide(
        need=ctx.needs["bike_repair"],
        actor=ctx.officer,
        outcome="not_retained",
        reason_code="already_answered",
        reasons="Deux ateliers vélo associatifs existent à Nantes Nord et à Orvault ; orientation des habitants.",
    )
    need_decide(
        need=ctx.needs["digital"],
        actor=ctx.officer,
        outcome="more_evidence",
        reasons="Compter les demandes reçues par les permanences France services avant de décider.",
    )


def meeting_at(ctx: Ctx, committee, day_offset: int, place: str, attendees):
    from fabrique.committees.services import meeting_create

    moment = timezone.make_aware(datetime.datetime.combine(days(day_offset), datetime.time(9, 30)))
    return meeting_create(
        committee=committee, actor=ctx.officer, date=moment, place=place, attendees=attendees
    )


def decide_on_agenda(ctx: Ctx, meeting, decisions: list[tuple]) -> None:
    from fabrique.committees.services import agenda_item_add, agenda_item_decide

    items = [
        agenda_item_add(meeting=meeting, actor=ctx.officer, target=target, presenter=str(ctx.officer))
        for target, *_rest in decisions
    ]
    for item, (_target, outcome, reasons, votes) in zip(items, decisions, strict=True):
        agenda_item_decide(
            item=item,
            actor=ctx.officer,
            outcome=outcome,
            reasons=reasons,
            votes_for=votes[0],
            votes_against=votes[1],
            votes_abstain=votes[2],
        )


def build_committees(ctx: Ctx) -> dict:
    from fabrique.committees.models import CommitteeKind, CommitteeType
    from fabrique.committees.services import committee_create

    types = {t.kind: t for t in CommitteeType.objects.filter(fabrique=ctx.fabrique)}
    members = [ctx.people[n] for n in ("Pierre Lemoine", "Agnès Renaud", "Lucie Moreau", "Fatou Diallo")]
    return {
        "engagement": committee_create(
            fabrique=ctx.fabrique,
            actor=ctx.admin,
            committee_type=types[CommitteeKind.COMMITMENT],
            name="Comité d'engagement",
            description="Réunit chaque trimestre les partenaires financeurs : retient les besoins, décide des suites des études.",
            members=members,
        ),
        "selection": committee_create(
            fabrique=ctx.fabrique,
            actor=ctx.admin,
            committee_type=types[CommitteeKind.SELECTION],
            name="Comité de sélection des porteurs",
            members=members[:2] + [ctx.people["Olivier Poirier"]],
        ),
    }


STUDY_CONTENT = {
    "logistics": (
        "Étude d'opportunité : plateforme logistique des circuits courts",
        [
            (
                "Plateforme physique mutualisée",
                "Un entrepôt partagé au MIN avec chambre froide et tournées communes.",
                True,
            ),
            (
                "Tournées coordonnées sans entrepôt",
                "Un outil de planification partagé entre producteurs, sans lieu.",
                False,
            ),
        ],
    ),
    "kitchen": (
        "Étude d'opportunité : cuisine professionnelle partagée",
        [
            (
                "Cuisine partagée en SCIC",
                "Location à l'heure d'une cuisine aux normes, accompagnement des créateurs.",
                True,
            ),
            ("Cuisine mobile", "Un camion-cuisine équipé qui circule entre les quartiers.", False),
        ],
    ),
    "biowaste": (
        "Étude d'opportunité : matière organique et gaspillage alimentaire",
        [
            (
                "Collecte à vélo des biodéchets des restaurants",
                "Tournées à vélo-cargo et compostage de proximité.",
                False,
            )
        ],
    ),
    "reuse_points": (
        "Étude d'opportunité : maillage du réemploi dans les quartiers",
        [
            (
                "Points relais dans les halls et commerces",
                "Collecte et revente dans des points relais de quartier tenus par une structure d'insertion.",
                True,
            ),
            ("Ressourcerie mobile", "Un camion qui tient un marché du réemploi chaque semaine.", False),
        ],
    ),
    "housing_lab": (
        "Étude d'opportunité : laboratoire de l'habitat inclusif",
        [
            (
                "Colocations seniors accompagnées",
                "Appartements partagés dans le parc social avec une animatrice.",
                True,
            ),
            (
                "Habitat kangourou",
                "Seniors et étudiants sous le même toit, avec échanges de services.",
                False,
            ),
        ],
    ),
    "ess_hub": (
        "Étude d'opportunité : pôle ESS à la Bottière – Pin Sec",
        [
            (
                "Tiers-lieu avec couveuse",
                "Un rez-de-chaussée commercial transformé en lieu d'activités et de test.",
                True,
            )
        ],
    ),
    "mobility": (
        "Diagnostic de mobilité inclusive : vignoble et Bellevue",
        [
            (
                "Plateforme de mobilité solidaire",
                "Conseil en mobilité, transport accompagné et prêt de véhicules adaptés.",
                True,
            )
        ],
    ),
    "caterers": (
        "Étude d'opportunité : traiteurs événementiels éco-responsables",
        [("Annuaire et label", "Un annuaire qualifié des traiteurs engagés, porté par leur réseau.", True)],
    ),
}


def build_studies(ctx: Ctx) -> dict:
    from fabrique.studies.services import benchmark_create, scenario_create, study_open, workshop_create

    studies = {}
    for key, (title, scenarios) in STUDY_CONTENT.items():
        need = ctx.needs[key]
        study = study_open(
            fabrique=ctx.fabrique,
            actor=ctx.officer,
            needs=[need],
            title=title,
            summary=need.description,
            workstream=need.workstream,
            officer=need.officer,
            started_on=days(-100),
            due_on=days(25 if key in ("biowaste", "mobility") else -10),
        )
        workshop_create(
            study=study,
            actor=ctx.officer,
            kind="creativity",
            title="Séance de créativité",
            date=days(-80),
            place="Nantes, Solilab",
            participants=[
                ctx.people["Denis Le Bihan"],
                ctx.people["Julie Fontaine"],
                ctx.people["Lucie Moreau"],
            ],
            other_participants="Deux habitantes du quartier\nUn agent de développement local",
            notes="Trente idées produites, regroupées en quatre familles de réponses.",
            decisions="Approfondir les deux pistes les plus citées.",
        )
        for s_title, description, preferred in scenarios:
            scenario_create(
                study=study,
                actor=ctx.officer,
                title=s_title,
                description=description,
                pros="Répond au besoin exprimé par les capteurs.",
                cons="Investissement de départ à financer.",
                value_proposition=description,
                beneficiaries=str(need.get_public_display()),
                revenue_sources="Prestations, subventions d'amorçage",
                main_costs="Local, salaires, équipement",
                partners="Collectivités, réseaux d'accompagnement",
                jobs_estimate=3,
                is_preferred=preferred,
            )
        benchmark_create(
            study=study,
            actor=ctx.officer,
            name="Initiative comparable dans une autre métropole",
            location="Rennes",
            is_local=False,
            description="Réponse proche portée par une SCIC depuis 2019.",
            lessons="Viser l'équilibre en trois ans.",
        )
        studies[key] = study
    return studies


def submit_and_decide_studies(ctx: Ctx, studies: dict, committees: dict) -> None:
    from fabrique.studies.services import study_submit, study_update

    for key in ("logistics", "kitchen", "reuse_points", "ess_hub", "caterers", "housing_lab"):
        study = studies[key]
        if not study.conclusion.strip():  # the committee decides on a written conclusion
            preferred = study.scenarios.filter(is_preferred=True).first() or study.scenarios.first()
            piste = preferred.title if preferred else study.title
            study = study_update(
                study=study,
                actor=ctx.officer,
                conclusion=f"L'équipe propose au comité la piste « {piste} », issue des ateliers et du parangonnage.",
            )
        studies[key] = study_submit(study=study, actor=ctx.officer)
    attendees = list(committees["engagement"].members.all())
    meeting = meeting_at(ctx, committees["engagement"], -40, "Nantes, salle du conseil", attendees)
    decide_on_agenda(
        ctx,
        meeting,
        [
            (studies[k], "go", "Un modèle économique pertinent a émergé ; recherche d'un porteur.", (6, 0, 1))
            for k in ("logistics", "kitchen", "reuse_points", "ess_hub", "caterers")
        ],
    )


def first_retention(ctx: Ctx, committees: dict) -> None:
    """The commitment committee retains eight needs (meeting held three months ago)."""
    attendees = list(committees["engagement"].members.all())
    meeting = meeting_at(ctx, committees["engagement"], -95, "Nantes, Solilab", attendees)
    decide_on_agenda(
        ctx,
        meeting,
        [
            (
                ctx.needs[k],
                "retained",
                "Besoin étayé par plusieurs capteurs ; aucune offre équivalente.",
                (5, 0, 1),
            )
            for k in (
                "logistics",
                "kitchen",
                "biowaste",
                "reuse_points",
                "housing_lab",
                "ess_hub",
                "mobility",
                "caterers",
            )
        ],
    )


def build_projects(ctx: Ctx, committees: dict) -> None:
    from fabrique.directory.services import organization_create
    from fabrique.projects.models import Project
    from fabrique.projects.outcome import project_record_creation
    from fabrique.projects.services import project_assign_leader, project_update
    from fabrique.recruitment.services import (
        application_submit,
        call_close,
        call_create,
        call_evaluators_set,
        call_publish,
        evaluation_save,
    )
    from fabrique.support.services import (
        activity_create,
        funding_create,
        milestone_update,
        referral_create,
        support_plan_start,
    )

    projects = {p.study.needs.first().pk: p for p in Project.objects.filter(fabrique=ctx.fabrique)}
    by_key = {key: projects[need.pk] for key, need in ctx.needs.items() if need.pk in projects}
    summaries = {
        "logistics": "Une plateforme logistique partagée par les producteurs de la ceinture nantaise pour livrer la restauration collective et les épiceries.",
        "kitchen": "Une cuisine professionnelle louée à l'heure aux créateurs d'activités de restauration, avec un accompagnement.",
        "reuse_points": "Des points relais du réemploi dans les quartiers de Bellevue, tenus par une structure d'insertion.",
        "ess_hub": "Un lieu d'activités et de test pour les habitants qui veulent entreprendre à la Bottière – Pin Sec.",
        "caterers": "Un annuaire qualifié des traiteurs événementiels locaux et sans jetable.",
    }
    titles = {
        "logistics": "Plateforme logistique des circuits courts",
        "kitchen": "Cuisine professionnelle partagée",
        "reuse_points": "Points relais du réemploi à Bellevue",
        "ess_hub": "Pôle ESS de la Bottière – Pin Sec",
        "caterers": "Annuaire des traiteurs éco-responsables",
    }
    for key, project in by_key.items():
        by_key[key] = project_update(
            project=project,
            actor=ctx.officer,
            title=titles[key],
            is_public=True,
            public_summary=summaries[key],
            commune=ctx.needs[key].commune,
        )

    # logistics: a cooperative approached directly, now in support
    leader_org = organization_create(
        fabrique=ctx.fabrique,
        actor=ctx.officer,
        name="Coopérative Circuits Courts 44",
        kind="cooperative",
        commune=commune("44109"),
        roles=["candidate"],
        description="Coopérative de producteurs en création.",
    )
    project = project_assign_leader(
        project=by_key["logistics"],
        actor=ctx.officer,
        organization=leader_org,
        person=ctx.people["Julie Fontaine"],
        mode="direct",
    )
    plan = support_plan_start(
        project=project,
        actor=ctx.officer,
        started_on=days(-30),
        objectives="Valider le modèle économique et trouver l'entrepôt avant l'été.",
    )
    first = plan.milestones.order_by("order", "id").first()
    milestone_update(milestone=first, actor=ctx.officer, status="done", done_on=days(-5))
    funding_create(
        plan=plan,
        actor=ctx.officer,
        funder=ctx.orgs["Nantes Métropole"],
        source_label="Aide à l'amorçage ESS",
        amount=25000,
        status="requested",
        requested_on=days(-10),
    )
    funding_create(
        plan=plan,
        actor=ctx.officer,
        funder=ctx.orgs["Fonds territorial pour l'emploi solidaire"],
        source_label="Prêt d'honneur",
        amount=15000,
        status="granted",
        requested_on=days(-25),
        decided_on=days(-8),
    )
    referral_create(
        plan=plan,
        actor=ctx.officer,
        organization=ctx.orgs["Incubateur ESS de la métropole"],
        purpose="Incubation et business plan social",
        referred_on=days(-20),
    )
    activity_create(
        plan=plan,
        actor=ctx.officer,
        date=days(-3),
        kind="meeting",
        summary="Point sur le plan de financement avec les producteurs.",
        minutes_spent=120,
    )

    # kitchen: call for project leaders, two applications, evaluation, selection, support, creation
    call = call_create(
        project=by_key["kitchen"],
        actor=ctx.officer,
        title="Appel à porteurs : cuisine professionnelle partagée",
        description=summaries["kitchen"],
        profile_sought="Une équipe ou une structure de l'ESS expérimentée en restauration et en gestion de lieu.",
        selection_criteria="Expérience, ancrage local, modèle coopératif.",
        support_offered="Un an d'accompagnement par la fabrique et ses partenaires.",
        deadline=days(10),
    )
    call_publish(call=call, actor=ctx.officer)
    applications = [
        application_submit(
            call=call,
            first_name="Amina",
            last_name="Bensaïd",
            email="a.bensaid@exemple.org",
            organization_name="",
            motivation="Cheffe cuisinière, je veux ouvrir cette cuisine à d'autres créatrices.",
            experience="Dix ans en restauration collective, deux ans traiteur.",
            consent_processing=True,
        ),
        application_submit(
            call=call,
            first_name="Mathieu",
            last_name="Roux",
            email="m.roux@exemple.org",
            organization_name="La Cuisine Partagée Nantaise",
            motivation="Notre collectif porte déjà un projet de SCIC.",
            experience="Gestion d'un restaurant associatif.",
            consent_processing=True,
        ),
    ]
    call_evaluators_set(call=call, actor=ctx.admin, users=[ctx.users["chargee"], ctx.users["comite"]])
    call_close(call=call, actor=ctx.officer)
    for evaluator, base in ((ctx.users["chargee"], 3), (ctx.users["comite"], 4)):
        for application, bonus in zip(applications, (0, 1), strict=True):
            scores = {c.pk: (min(c.max_score, base + bonus), "") for c in call.criteria.all()}
            evaluation_save(
                application=application,
                evaluator=evaluator,
                scores=scores,
                comment="Dossier solide.",
                submit=True,
            )
    attendees = list(committees["selection"].members.all())
    meeting = meeting_at(ctx, committees["selection"], -12, "Rezé, Maison de l'ESS", attendees)
    decide_on_agenda(
        ctx,
        meeting,
        [
            (applications[1], "selected", "Collectif expérimenté, projet coopératif abouti.", (3, 0, 0)),
            (
                applications[0],
                "not_selected",
                "Profil très intéressant : orientée vers la cuisine partagée comme utilisatrice.",
                (3, 0, 0),
            ),
        ],
    )
    by_key["kitchen"].refresh_from_db()
    support_plan_start(project=by_key["kitchen"], actor=ctx.officer, started_on=days(-11))
    project_record_creation(
        project=by_key["kitchen"],
        actor=ctx.officer,
        legal_name="La Cuisine Partagée Nantaise",
        legal_form="scic",
        siret="90102345700012",
        created_on=days(-2),
        jobs_fte="3.5",
        commune=commune("44143"),
        organization=ctx.orgs["La Cuisine Partagée Nantaise"],
    )

    # reuse points: call published, one application received
    call = call_create(
        project=by_key["reuse_points"],
        actor=ctx.officer,
        title="Appel à porteurs : points relais du réemploi à Bellevue",
        description=summaries["reuse_points"],
        profile_sought="Une structure d'insertion ou une association du réemploi.",
        selection_criteria="Insertion, présence dans le quartier, partenariat avec le collectif 3R.",
        support_offered="Accompagnement, mise en relation avec le bailleur pour les locaux.",
        deadline=days(21),
    )
    call_publish(call=call, actor=ctx.officer)
    application_submit(
        call=call,
        first_name="Léa",
        last_name="Marchand",
        email="l.marchand@exemple.org",
        organization_name="Recyclerie de l'Ouest (projet)",
        motivation="Nous voulons ouvrir un deuxième site.",
        experience="Encadrante technique d'insertion depuis 8 ans.",
        consent_processing=True,
    )

    # ESS hub: a structure approached directly, leader selected
    hub_org = organization_create(
        fabrique=ctx.fabrique,
        actor=ctx.officer,
        name="Régie de quartier Bottière – Pin Sec",
        kind="siae",
        commune=commune("44109"),
        roles=["candidate"],
        description="Régie de quartier (fictive).",
    )
    project_assign_leader(project=by_key["ess_hub"], actor=ctx.officer, organization=hub_org, mode="direct")

    # caterers: a network takes the new activity; created
    project = project_assign_leader(
        project=by_key["caterers"],
        actor=ctx.officer,
        organization=ctx.orgs["Traiteurs Engagés 44"],
        mode="direct",
    )
    support_plan_start(project=project, actor=ctx.officer, started_on=days(-60))
    project_record_creation(
        project=project,
        actor=ctx.officer,
        legal_name="Annuaire des traiteurs engagés (activité de Traiteurs Engagés 44)",
        legal_form="new_activity",
        created_on=days(-7),
        jobs_fte="1.0",
        commune=commune("44109"),
        organization=ctx.orgs["Traiteurs Engagés 44"],
    )


def upcoming_committee(ctx: Ctx, studies: dict, committees: dict) -> None:
    from fabrique.committees.services import agenda_item_add

    attendees = list(committees["engagement"].members.all())
    meeting = meeting_at(ctx, committees["engagement"], 12, "Nantes, Solilab", attendees)
    agenda_item_add(
        meeting=meeting, actor=ctx.officer, target=studies["housing_lab"], presenter=str(ctx.officer)
    )
    agenda_item_add(
        meeting=meeting, actor=ctx.officer, target=ctx.needs["intergen"], presenter=str(ctx.officer)
    )


def build_mobility_copil(ctx: Ctx, studies: dict) -> None:
    from fabrique.committees.models import CommitteeKind, CommitteeType
    from fabrique.committees.services import committee_create

    copil_type = CommitteeType.objects.get(fabrique=ctx.fabrique, kind=CommitteeKind.STEERING)
    copil = committee_create(
        fabrique=ctx.fabrique,
        actor=ctx.admin,
        committee_type=copil_type,
        name="Copil mobilité inclusive",
        study=studies["mobility"],
        description="Pilote le diagnostic financé par le groupe de protection sociale.",
        members=[ctx.people["Lucie Moreau"], ctx.people["Brigitte Jouan"], ctx.people["Karim Haddad"]],
    )
    meeting_at(ctx, copil, 20, "Clisson, mairie", list(copil.members.all()))


def build_diagnosis_zones(ctx: Ctx) -> None:
    from fabrique.intelligence.services import diagnosis_zone_create

    diagnosis_zone_create(
        fabrique=ctx.fabrique,
        actor=ctx.officer,
        name="Mobilité inclusive : vignoble et Bellevue",
        description="Les deux zones du diagnostic de mobilité inclusive : le vignoble autour de Clisson et le quartier prioritaire de Bellevue.",
        communes=[commune("44043"), commune("44064"), commune("44162")],
    )
    diagnosis_zone_create(
        fabrique=ctx.fabrique,
        actor=ctx.admin,
        name="Nantes Métropole",
        description="Le territoire de la fabrique.",
        epcis=list(EPCI.objects.filter(siren="244400404")),
    )


def build_nantes() -> Ctx:
    ctx = build_fabrique(content.NANTES, content.NANTES_TEAM, "nantes.demo")
    build_directory(ctx, content.NANTES_ORGANIZATIONS, content.NANTES_PEOPLE)
    build_workstreams(ctx, content.WORKSTREAMS, ["charge", "charge", "chargee", "chargee", "charge"])
    build_needs(ctx)
    qualify(ctx)
    committees = build_committees(ctx)
    first_retention(ctx, committees)
    studies = build_studies(ctx)
    submit_and_decide_studies(ctx, studies, committees)
    build_projects(ctx, committees)
    upcoming_committee(ctx, studies, committees)
    build_mobility_copil(ctx, studies)
    build_diagnosis_zones(ctx)
    from .history import build_history

    build_history(ctx)
    from .stages import build_every_stage

    build_every_stage(ctx)
    return ctx


def build_vendee() -> Ctx:
    from fabrique.needs.services import need_create_from_report, need_report_submit

    ctx = build_fabrique(content.VENDEE, content.VENDEE_TEAM, "yon.demo")
    build_directory(
        ctx,
        [
            (
                "La Roche-sur-Yon Agglomération",
                "epci",
                "85191",
                ["funder", "partner"],
                "Intercommunalité partenaire.",
                "",
            ),
            (
                "Épicerie itinérante du Bocage",
                "association",
                "85008",
                ["reporter"],
                "Épicerie solidaire en camion (fictive).",
                "",
            ),
        ],
        [
            (
                "Marie",
                "Gauthier",
                "Épicerie itinérante du Bocage",
                "Coordinatrice",
                "m.gauthier",
                "need-reports",
            )
        ],
    )
    for title, description, insee in (
        (
            "Pas de commerce alimentaire dans les bourgs",
            "Dans plusieurs bourgs de l'agglomération le dernier commerce a fermé ; les personnes âgées dépendent de leurs voisins.",
            "85008",
        ),
        (
            "Jeunes sans solution de mobilité pour l'apprentissage",
            "Les apprentis de 16-18 ans n'ont pas de permis et les entreprises sont hors des lignes de bus.",
            "85191",
        ),
    ):
        report = need_report_submit(
            fabrique=ctx.fabrique,
            title=title,
            description=description,
            commune=commune(insee),
            reporter_name="Marie Gauthier",
            reporter_organization_name="Épicerie itinérante du Bocage",
            reporter_type="association",
            consent_processing=True,
            source="meeting",
            entered_by=ctx.officer,
        )
        need_create_from_report(report=report, actor=ctx.officer, officer=ctx.officer)
    return ctx
