"""`fabrique migrate`: Django's migrate, run as the tables' owner when MIGRATION_DATABASE_URL is set.

The application connects with DATABASE_URL (the runtime role); migrations connect with
MIGRATION_DATABASE_URL (the owner, same database), then the runtime role is granted the rights it
needs on every table (see fabrique.ops.roles). Without MIGRATION_DATABASE_URL: Django's migrate.
"""

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from fabrique.ops.roles import connected_as, grant_runtime_role, migration_settings


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        owner = migration_settings(alias)
        if owner is None:
            super().handle(*args, **options)
            return
        runtime_role = connections[alias].settings_dict["USER"]
        with connected_as(alias, owner) as connection:
            if options["verbosity"]:
                self.stdout.write(f"Migrations en tant que « {owner['USER']} » (MIGRATION_DATABASE_URL).")
            super().handle(*args, **options)
            if runtime_role and runtime_role != owner["USER"]:
                grant_runtime_role(connection, runtime_role)
                if options["verbosity"]:
                    self.stdout.write(f"Droits accordés au rôle applicatif « {runtime_role} ».")
