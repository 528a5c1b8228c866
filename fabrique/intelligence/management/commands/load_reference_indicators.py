"""`fabrique load_reference_indicators [--departements 44,85] [--quiet]`: INSEE Filosofi 2021 references."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fabrique.intelligence.loader import reference_indicators_load


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) les indicateurs de référence INSEE Filosofi 2021 par commune et par IRIS, "
        "avec les références calculées par intercommunalité, département et pour la France. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--departements",
            default="",
            help="Codes de départements séparés par des virgules (ex. 44,85) : limite les valeurs communales.",
        )
        parser.add_argument("--quiet", action="store_true", help="N'affiche rien.")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = [code.strip() for code in options["departements"].split(",") if code.strip()]
        if any(not code.isalnum() or len(code) > 3 for code in codes):
            raise CommandError("--departements : codes de départements attendus, ex. 44,85 ou 2A,2B.")
        started = time.monotonic()
        report = reference_indicators_load(departements=codes or None)
        if options["quiet"]:
            return
        self.stdout.write(
            f"indicateurs  créés {report.indicators['created']:>7}  modifiés {report.indicators['updated']:>7}"
        )
        self.stdout.write(
            f"valeurs      créées {report.values['created']:>6}  modifiées {report.values['updated']:>6}  "
            f"supprimées {report.values['deleted']:>6}"
        )
        verdict = "données mises à jour" if report.changed else "rien à changer"
        self.stdout.write(
            self.style.SUCCESS(f"Indicateurs de référence : {verdict} en {time.monotonic() - started:.1f} s.")
        )
