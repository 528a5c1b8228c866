"""`fabrique run_scheduled`: the day's scheduled jobs (call it daily from cron or a systemd timer)."""

import datetime
from argparse import ArgumentParser

from django.core.management.base import BaseCommand

from fabrique.core.schedule import daily_jobs, schedule_day


class Command(BaseCommand):
    help = (
        "Met en file d'attente les travaux du jour (rappels, résumés quotidiens, effacement RGPD). "
        "Idempotent : un travail déjà fait ce jour-là n'est pas refait."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="Jour (AAAA-MM-JJ), aujourd'hui par défaut."
        )
        parser.add_argument("--now", action="store_true", help="Exécuter ici, sans passer par le worker.")
        parser.add_argument("--list", action="store_true", help="Lister les travaux enregistrés.")

    def handle(  # noqa: A002
        self,
        *args: object,
        date: datetime.date | None = None,
        now: bool = False,
        list: bool = False,
        **options: object,
    ) -> None:
        if list:
            for name in daily_jobs():
                self.stdout.write(name)
            return
        names = schedule_day(day=date, inline=now)
        verb = "exécutés" if now else "mis en file d'attente"
        self.stdout.write(f"Travaux {verb} : {', '.join(names) if names else 'aucun (déjà faits)'}")
