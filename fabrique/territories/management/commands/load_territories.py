"""`fabrique load_territories [--departements 44,85] [--quiet]`: load or refresh the territory tables."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fabrique.territories.loader import territories_load


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) régions, départements, EPCI, communes, codes postaux et QPV depuis les "
        "fichiers fournis avec le projet. Idempotent : une seconde exécution ne modifie rien."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--departements",
            default="",
            help="Codes de départements séparés par des virgules (ex. 44,85) : limite communes et QPV.",
        )
        parser.add_argument("--quiet", action="store_true", help="N'affiche rien.")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = [code.strip() for code in options["departements"].split(",") if code.strip()]
        if any(not code.isalnum() or len(code) > 3 for code in codes):
            raise CommandError("--departements : codes de départements attendus, ex. 44,85 ou 2A,2B.")
        started = time.monotonic()
        report = territories_load(departements=codes or None)
        if options["quiet"]:
            return
        for table, counts in report.counts.items():
            self.stdout.write(
                f"{table:20} créés {counts['created']:>7}  modifiés {counts['updated']:>7}  "
                f"supprimés {counts['deleted']:>7}"
            )
        verdict = "données mises à jour" if report.changed else "rien à changer"
        self.stdout.write(
            self.style.SUCCESS(f"Territoires : {verdict} en {time.monotonic() - started:.1f} s.")
        )
