"""`fabrique refresh_insights [--fabrique SLUG]`

Computes and stores the territorial context of every need (priority components, nearby needs, existing
offer: `fabrique.intelligence.insights`) of one fabrique or of all, outside any request. The worker does
it after each change and every night; this command is for after a bulk load or an import.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fabrique.fabriques.models import Fabrique
from fabrique.intelligence.insights import insights_refresh


class Command(BaseCommand):
    help = "Calcule le contexte territorial et les priorités de chaque besoin (une fabrique ou toutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fabrique", help="identifiant (slug) de la fabrique ; toutes par défaut")

    def handle(self, *args: Any, **options: Any) -> None:
        fabriques = Fabrique.objects.order_by("pk")
        if options["fabrique"]:
            fabriques = fabriques.filter(slug=options["fabrique"])
            if not fabriques.exists():
                raise CommandError(f"Aucune fabrique « {options['fabrique']} ».")
        for fabrique in fabriques:
            t0 = time.monotonic()
            n = insights_refresh(fabrique=fabrique)
            self.stdout.write(f"{fabrique.slug} : {n} besoins en {time.monotonic() - t0:.1f} s")
