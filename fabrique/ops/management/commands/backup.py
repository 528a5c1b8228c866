"""`fabrique backup [--output FILE.tar]`: the database and the private files in one archive."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fabrique.ops.backup import backup, default_backup_path


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers privés dans une archive tar (docs/operations.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="fichier .tar à créer (par défaut var/backups/…)")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = backup(options["output"] or default_backup_path(), alias=options["database"])
        self.stdout.write(
            f"Sauvegarde écrite : {summary.path} ({len(summary.tables)} tables, {summary.rows} lignes, "
            f"{len(summary.files)} fichiers)."
        )
