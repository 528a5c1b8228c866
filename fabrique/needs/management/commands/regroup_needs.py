"""Regroup the reports of one fabrique (`--fabrique <slug>`) or of every fabrique (`--network`):
creates grouping proposals that staff accept or reject in "Doublons probables"; never applies them.
Progress goes to stderr. Proposals are per fabrique: a network run never mixes fabriques."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fabrique.core.errors import DomainError
from fabrique.fabriques.models import Fabrique
from fabrique.needs.grouping import regrouping_run_create, regrouping_run_execute
from fabrique.needs.models import RunStatus


class Command(BaseCommand):
    help = "Propose des regroupements de signalements (une fabrique ou tout le réseau), sans les appliquer."

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--fabrique", help="Identifiant d'URL (slug) de la fabrique.")
        scope.add_argument("--network", action="store_true", help="Toutes les fabriques actives.")

    def handle(self, *args: Any, fabrique: str | None = None, network: bool = False, **options: Any) -> None:
        target = None
        if fabrique:
            target = Fabrique.objects.filter(slug=fabrique).first()
            if target is None:
                raise CommandError(f"Aucune fabrique « {fabrique} ».")
        try:
            run = regrouping_run_create(fabrique=target, enqueue=False)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        run = regrouping_run_execute(run_id=run.pk, progress=lambda msg: self.stderr.write(str(msg)))
        if run.status != RunStatus.DONE:
            raise CommandError(f"Le regroupement a échoué : {run.error}")
        self.stdout.write(
            f"Signalements examinés : {run.processed} ; propositions créées : {run.proposals_created}"
        )
