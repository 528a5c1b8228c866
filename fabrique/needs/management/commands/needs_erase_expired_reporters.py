"""Erase the contact details of reporters whose report and need have been untouched for three years
(the retention stated on the public report form). Run it daily (cron, systemd timer)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fabrique.needs.services import REPORTER_RETENTION_YEARS, need_reports_erase_expired


class Command(BaseCommand):
    help = "Efface les coordonnées des personnes ayant signalé un besoin, passé le délai de conservation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Compter sans effacer.")
        parser.add_argument("--years", type=int, default=REPORTER_RETENTION_YEARS)

    def handle(
        self, *args: Any, dry_run: bool = False, years: int = REPORTER_RETENTION_YEARS, **options: Any
    ) -> None:
        count = need_reports_erase_expired(years=years, dry_run=dry_run)
        verb = "à effacer" if dry_run else "effacés"
        self.stdout.write(f"Signalements dont les coordonnées sont {verb} : {count}")
