"""`fabrique restore FILE.tar`: restore a backup into an empty database and an empty private folder."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fabrique.ops.backup import restore


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde dans une base vide et un dossier de fichiers privés vide, puis la vérifie."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = restore(options["archive"], alias=options["database"])
        self.stdout.write(
            f"Restauration vérifiée : {len(summary.tables)} tables, {summary.rows} lignes, "
            f"{len(summary.files)} fichiers identiques à la sauvegarde."
        )
