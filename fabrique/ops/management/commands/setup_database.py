"""`fabrique setup_database --admin-url postgres://postgres@…/postgres`: create the two roles and the database.

Reads DATABASE_URL (runtime role and its password) and MIGRATION_DATABASE_URL (owner role, database
name). Creates what is missing, never drops anything; the database belongs to the owner. Run once,
with a PostgreSQL superuser's address (only used for this command).
"""

from typing import Any

import dj_database_url
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from psycopg import sql


class Command(BaseCommand):
    help = "Crée (si besoin) les rôles PostgreSQL propriétaire et applicatif, et la base."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--admin-url", required=True, help="adresse d'un superutilisateur PostgreSQL")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.MIGRATION_DATABASE_URL:
            raise CommandError("MIGRATION_DATABASE_URL (rôle propriétaire) doit être défini.")
        owner = dj_database_url.parse(settings.MIGRATION_DATABASE_URL)
        runtime = settings.DATABASES["default"]
        if "postgresql" not in runtime["ENGINE"]:
            raise CommandError("DATABASE_URL doit désigner une base PostgreSQL.")
        if owner["USER"] == runtime["USER"]:
            raise CommandError("Le rôle applicatif doit être distinct du propriétaire des migrations.")
        with psycopg.connect(options["admin_url"], autocommit=True) as admin:
            for role in (owner, runtime):
                exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role["USER"]]).fetchone()
                if exists:
                    self.stdout.write(f"Rôle « {role['USER']} » : existe déjà.")
                    continue
                statement = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
                    sql.Identifier(role["USER"])
                )
                if role.get("PASSWORD"):
                    statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(role["PASSWORD"]))
                admin.execute(statement)
                self.stdout.write(f"Rôle « {role['USER']} » : créé.")
            name = owner["NAME"]
            if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                self.stdout.write(f"Base « {name} » : existe déjà.")
            else:
                admin.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(name), sql.Identifier(owner["USER"])
                    )
                )
                self.stdout.write(f"Base « {name} » : créée, propriété de « {owner['USER']} ».")
            # only the owner creates objects; the runtime role gets its rights from `fabrique migrate`
            admin.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(name)))
        with psycopg.connect(
            dbname=name,
            user=owner["USER"],
            password=owner.get("PASSWORD") or None,
            host=owner.get("HOST") or None,
            port=owner.get("PORT") or None,
            autocommit=True,
        ) as conn:
            conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
