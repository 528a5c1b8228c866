"""The background worker: process pending regrouping runs (started from the back-office page
"Regroupements"). Run it from cron / a systemd timer, or with `--loop` as a long-running service."""

import time

from django.core.management.base import BaseCommand

from fabrique.needs.grouping import regrouping_runs_process_pending


class Command(BaseCommand):
    help = "Traite les tâches en attente (regroupements de signalements)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Continuer à attendre de nouvelles tâches.")
        parser.add_argument("--interval", type=float, default=5.0, help="Secondes entre deux passages.")

    def handle(self, *args, loop: bool = False, interval: float = 5.0, **options):
        while True:
            count = regrouping_runs_process_pending(progress=lambda msg: self.stderr.write(str(msg)))
            if count:
                self.stdout.write(f"Tâches traitées : {count}")
            if not loop:
                break
            time.sleep(interval)
