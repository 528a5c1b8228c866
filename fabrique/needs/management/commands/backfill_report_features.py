"""Compute the grouping features of reports that have none (recorded before the feature, or after an
engine error); `--force` recomputes all of them (after an engine update)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fabrique.fabriques.models import Fabrique
from fabrique.needs.grouping import report_features_backfill


class Command(BaseCommand):
    help = "Calcule les empreintes de regroupement des signalements qui n'en ont pas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fabrique", help="Identifiant d'URL (slug) de la fabrique (toutes sinon).")
        parser.add_argument("--force", action="store_true", help="Tout recalculer.")

    def handle(self, *args: Any, fabrique: str | None = None, force: bool = False, **options: Any) -> None:
        target = None
        if fabrique:
            target = Fabrique.objects.filter(slug=fabrique).first()
            if target is None:
                raise CommandError(f"Aucune fabrique « {fabrique} ».")
        count = report_features_backfill(
            fabrique=target, force=force, progress=lambda done, total: self.stderr.write(f"{done} / {total}")
        )
        self.stdout.write(f"Empreintes calculées : {count}")
