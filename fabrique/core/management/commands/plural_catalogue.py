"""`fabrique plural_catalogue`: rebuild the French plural catalogue from the code (see core/plurals.py)."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from fabrique.core import plurals


class Command(BaseCommand):
    help = (
        "Reconstruit le catalogue français des pluriels (fabrique/locale/fr/LC_MESSAGES/django.po et .mo) "
        "à partir du code et des gabarits ; --check échoue s'il est en retard sur le code."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--check", action="store_true", help="Vérifier sans rien écrire.")

    def handle(self, *args: object, check: bool = False, **options: object) -> None:
        if check:
            errors = plurals.problems()
            if errors:
                raise CommandError("\n".join(errors))
            self.stdout.write("Catalogue des pluriels à jour.")
            return
        po, mo = plurals.build()
        plurals.CATALOGUE_DIR.mkdir(parents=True, exist_ok=True)
        plurals.PO_PATH.write_text(po, encoding="utf-8")
        plurals.MO_PATH.write_bytes(mo)
        self.stdout.write(f"{po.count('msgid_plural')} messages au pluriel écrits dans {plurals.PO_PATH}.")
