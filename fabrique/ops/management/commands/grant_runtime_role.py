"""`fabrique grant_runtime_role [ROLE]`: grant the runtime role its rights (run as the tables' owner).

Without ROLE, the user of DATABASE_URL. Connects with MIGRATION_DATABASE_URL when it is set.
`fabrique migrate` already does this after migrating; this command is for existing installations.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from fabrique.ops.roles import connected_as, grant_runtime_role, migration_settings


class Command(BaseCommand):
    help = "Accorde au rôle applicatif PostgreSQL les droits nécessaires (sans propriété des tables)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", nargs="?", help="rôle applicatif (par défaut : celui de DATABASE_URL)")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        if connections[alias].vendor != "postgresql":
            raise CommandError("Les deux rôles ne concernent que PostgreSQL (SQLite : protégez le fichier).")
        role = options["role"] or connections[alias].settings_dict["USER"]
        owner = migration_settings(alias)
        if owner is None:
            statements = grant_runtime_role(connections[alias], role)
        else:
            with connected_as(alias, owner) as connection:
                statements = grant_runtime_role(connection, role)
        for statement in statements:
            self.stdout.write(statement)
