"""The demo's network side: the Pays yonnais fabrique (experimenting) publishes its projects in the
essaimage library, Nantes publishes the enterprise it helped create, and each reproduces a model of
the other — all through the real services, so every step is audited like a real one."""

from __future__ import annotations

from typing import Any

from fabrique.essaimage.services import model_replicate, model_sheet_prefill, model_sheet_publish
from fabrique.fabriques.models import NetworkStatus
from fabrique.fabriques.services import fabrique_update
from fabrique.needs.models import Need
from fabrique.projects.models import Project
from fabrique.projects.services import project_create

from .builder import Ctx, commune

VENDEE_MODELS: list[dict[str, Any]] = [
    {
        "need": "Pas de commerce alimentaire dans les bourgs",
        "project": "Épicerie itinérante du Bocage",
        "commune": "85008",
        "summary": "Un camion-épicerie fait la tournée des bourgs sans commerce deux fois par semaine.",
        "sheet": {
            "title": "Épicerie itinérante en camion pour les bourgs sans commerce",
            "need_answered": "Dans les bourgs ruraux où le dernier commerce a fermé, les personnes âgées sans voiture "
            "dépendent de leurs voisins pour faire leurs courses.",
            "public": "elderly",
            "theme": "food",
            "territory_kind": "rural",
            "economic_model": "Association employeuse : marge sur les ventes (produits locaux et épicerie de base), "
            "aide au démarrage de l'intercommunalité pour le camion, tournées mutualisées avec le portage de repas.",
            "partners": "La Roche-sur-Yon Agglomération, les mairies des bourgs desservis, un groupement de producteurs.",
            "results": "Tournée de 9 bourgs, 140 clients réguliers après six mois, 1,5 ETP.",
        },
    },
    {
        "need": "Jeunes sans solution de mobilité pour l'apprentissage",
        "project": "Location solidaire de scooters pour apprentis",
        "commune": "85191",
        "summary": "Location de scooters à 1 € par jour aux apprentis de 16 à 18 ans, avec formation.",
        "sheet": {
            "title": "Location solidaire de deux-roues pour les apprentis",
            "need_answered": "Les apprentis de 16 à 18 ans sans permis ne peuvent pas rejoindre les entreprises hors "
            "des lignes de bus : des contrats d'apprentissage sont rompus ou jamais signés.",
            "public": "youth",
            "theme": "mobility",
            "territory_kind": "rural",
            "economic_model": "Location à petit prix financée par la mission locale et les employeurs ; flotte "
            "entretenue par un atelier d'insertion.",
            "partners": "Mission locale, CFA du territoire, atelier d'insertion mécanique.",
            "results": "Projet en recherche de porteur : étude conclue, 60 apprentis concernés chaque année.",
        },
    },
]


def build_library(nantes: Ctx, vendee: Ctx) -> None:
    fabrique_update(fabrique=vendee.fabrique, actor=vendee.admin, network_status=NetworkStatus.EXPERIMENTING)
    vendee_sheets = []
    for spec in VENDEE_MODELS:
        need = Need.objects.get(fabrique=vendee.fabrique, title=spec["need"])
        project = project_create(
            fabrique=vendee.fabrique,
            actor=vendee.officer,
            needs=[need],
            title=spec["project"],
            summary=spec["summary"],
            public_summary=spec["summary"],
            is_public=True,
            officer=vendee.officer,
            commune=commune(spec["commune"]),
        )
        vendee_sheets.append(
            model_sheet_publish(
                fabrique=vendee.fabrique,
                actor=vendee.officer,
                project=project,
                contact=vendee.fabrique.contact_email,
                **spec["sheet"],
            )
        )
    # Nantes publishes the enterprise it helped create, from what the project already says
    created = (
        Project.objects.filter(fabrique=nantes.fabrique, enterprise__isnull=False)
        .order_by("created_at")
        .first()
    )
    if created is not None:
        prefill = model_sheet_prefill(created)
        prefill.update(
            territory_kind="urban",
            partners="Nantes Métropole, bailleurs sociaux, associations de quartier.",
            need_answered=prefill["need_answered"] or created.title,
        )
        nantes_sheet = model_sheet_publish(
            fabrique=nantes.fabrique, actor=nantes.officer, project=created, **prefill
        )
        model_replicate(sheet=nantes_sheet, fabrique=vendee.fabrique, actor=vendee.officer, kind="need")
    model_replicate(
        sheet=vendee_sheets[0],
        fabrique=nantes.fabrique,
        actor=nantes.officer,
        kind="need",
        title="Épicerie itinérante pour les communes rurales du nord de l'agglomération",
    )
