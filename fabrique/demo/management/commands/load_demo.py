"""`fabrique load_demo`: the demonstration data (two fabriques, the whole pipeline). Re-runnable."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.demo import builder, content, library
from fabrique.fabriques.models import Fabrique
from fabrique.territories.models import Commune


class Command(BaseCommand):
    help = _("Charge les données de démonstration (sans effet si elles sont déjà là).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not Commune.objects.filter(code="44109").exists():
            raise CommandError(
                _("Le référentiel des territoires manque : lancez d'abord « fabrique load_territories ».")
            )
        if Fabrique.objects.filter(slug=content.NANTES["slug"]).exists():
            self.stdout.write(_("Les données de démonstration sont déjà chargées."))
        else:
            # the demo's reporters and candidates are fictional: keep their e-mails out of the console
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                transaction.atomic(),
            ):
                nantes = builder.build_nantes()
                vendee = builder.build_vendee()
                library.build_library(nantes, vendee)
                builder.make_user(
                    f"{content.NETWORK_HEAD[0]}@avise.demo",
                    content.NETWORK_HEAD[1],
                    content.NETWORK_HEAD[2],
                    is_network_head=True,
                )
            self.stdout.write(self.style.SUCCESS(_("Données de démonstration chargées.")))
        self.print_logins()

    def print_logins(self) -> None:
        roles = {
            "admin": _("administrateur·rice"),
            "officer": _("chargé·e de mission"),
            "committee": _("membre de comité"),
            "reader": _("lecture seule"),
            "partner": _("partenaire (mairie)"),
        }
        self.stdout.write("")
        self.stdout.write(_("Comptes de démonstration (mot de passe : %(pw)s)") % {"pw": content.PASSWORD})
        for local, first, last, role in content.NANTES_TEAM:
            self.stdout.write(f"  {local}@nantes.demo".ljust(28) + f"{first} {last} — {roles[role]}, Nantes")
        for local, first, last, role in content.VENDEE_TEAM:
            self.stdout.write(
                f"  {local}@yon.demo".ljust(28) + f"{first} {last} — {roles[role]}, Pays yonnais"
            )
        head = content.NETWORK_HEAD
        self.stdout.write(
            f"  {head[0]}@avise.demo".ljust(28) + f"{head[1]} {head[2]} — " + _("tête de réseau")
        )
        if not User.objects.filter(email="admin@nantes.demo").exists():
            self.stdout.write(self.style.WARNING(_("Attention : les comptes ci-dessus n'existent pas.")))
