"""``fabrique group_needs --input reports.jsonl --output groups.csv``: group need reports, no database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fabrique.grouping.cli import InputError, run


class Command(BaseCommand):
    help = "Regroupe des signalements (JSONL) en besoins et écrit un CSV id,group."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help=_("fichier JSONL des signalements"))
        parser.add_argument("--output", required=True, help=_("fichier CSV id,group à écrire"))
        parser.add_argument("--threshold", type=float, default=None, help=_("seuil de regroupement (0-1)"))

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options.get("verbosity", 1))

        def progress(msg: str) -> None:
            if verbosity >= 1:
                print(msg, file=sys.stderr, flush=True)

        try:
            run(options["input"], options["output"], progress, options.get("threshold"))
        except InputError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(_("Erreur de fichier : %(error)s") % {"error": exc}) from exc
