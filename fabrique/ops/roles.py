"""Two PostgreSQL roles: the migration owner owns the tables; the runtime role only reads and writes rows.

The runtime role (DATABASE_URL) can therefore not `ALTER TABLE … DISABLE TRIGGER` nor drop the
triggers that keep the audit log append-only, and has no UPDATE/DELETE/TRUNCATE on that log at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

# tables the runtime role may only read and append to
APPEND_ONLY_TABLES = ("audit_auditentry",)
CONNECTION_KEYS = ("NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")


def migration_settings(alias: str = "default") -> dict[str, Any] | None:
    """The owner's connection settings from MIGRATION_DATABASE_URL, or None when it is not set."""
    url = getattr(settings, "MIGRATION_DATABASE_URL", "")
    if not url:
        return None
    owner: dict[str, Any] = dict(dj_database_url.parse(url))
    runtime = connections[alias].settings_dict
    if owner["ENGINE"] != runtime["ENGINE"]:
        raise CommandError("MIGRATION_DATABASE_URL et DATABASE_URL doivent désigner le même type de base.")
    same = (owner.get("NAME"), owner.get("HOST") or "", str(owner.get("PORT") or "")) == (
        runtime.get("NAME"),
        runtime.get("HOST") or "",
        str(runtime.get("PORT") or ""),
    )
    if not same:
        raise CommandError("MIGRATION_DATABASE_URL doit désigner la même base que DATABASE_URL (autre rôle).")
    return owner


@contextlib.contextmanager
def connected_as(alias: str, overrides: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """Run the block with `connections[alias]` connected with other credentials, then restore them."""
    connection = connections[alias]
    saved = {key: connection.settings_dict.get(key) for key in CONNECTION_KEYS}
    connection.close()
    connection.settings_dict.update({key: overrides[key] for key in CONNECTION_KEYS if key in overrides})
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def grant_runtime_role(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """GRANT the runtime role what the application needs, nothing more. Returns the statements run."""
    from psycopg import sql

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            raise CommandError(f"Le rôle PostgreSQL « {role} » n'existe pas.")
        if row[0]:
            raise CommandError(
                f"Le rôle applicatif « {role} » est superutilisateur : il doit être un rôle ordinaire."
            )
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = %s AND c.relnamespace = current_schema()::regnamespace",
            [role],
        )
        if cursor.fetchone()[0]:
            raise CommandError(
                f"Le rôle applicatif « {role} » possède des tables : réattribuez-les au propriétaire des "
                "migrations (REASSIGN OWNED BY … TO …) avant de continuer."
            )
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        ident = sql.Identifier(role)
        statements = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), ident),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), ident),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
                sql.Identifier(schema), ident
            ),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
                sql.Identifier(schema), ident
            ),
        ]
        for table in APPEND_ONLY_TABLES:
            statements.append(
                sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(sql.Identifier(table), ident)
            )
        done = []
        for statement in statements:
            text = statement.as_string(cursor.connection)
            cursor.execute(text)
            done.append(text)
        return done
