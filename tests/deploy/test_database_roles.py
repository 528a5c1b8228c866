"""Issue 9 item 12 (PostgreSQL): the runtime role works but cannot unlock the append-only audit log.

The full procedure (`setup_database`, `migrate` as the owner, gunicorn as the runtime role) is run by
scripts/deploy_check.sh; this test checks the GRANTs of `grant_runtime_role` inside the test database.
"""

import secrets

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from fabrique.audit.models import AuditEntry
from fabrique.needs.services import need_report_submit
from fabrique.ops.roles import connected_as, grant_runtime_role
from tests.needs.conftest import report_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles: PostgreSQL only"),
]


@pytest.fixture
def runtime_role():
    from importlib import import_module

    triggers = import_module("fabrique.audit.migrations.0002_append_only_triggers")
    role = f"fabrique_test_runtime_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}")
            .format(sql.Identifier(role), sql.Literal(password))
            .as_string(cursor.connection)
        )
    triggers.install_triggers(connection)
    try:
        yield role, password
    finally:
        with connection.cursor() as cursor:
            for statement in triggers.POSTGRES_REVERSE:
                cursor.execute(statement)
            cursor.execute(
                sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)).as_string(cursor.connection)
            )
            cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)).as_string(cursor.connection))


def test_runtime_role_works_but_cannot_disable_the_audit_triggers_nor_change_entries(team, runtime_role):
    role, password = runtime_role
    grant_runtime_role(connection, role)
    # the application works as the runtime role: a report is saved and audited
    with connected_as(
        "default",
        {"USER": role, "PASSWORD": password, "HOST": connection.settings_dict["HOST"] or "127.0.0.1"},
    ):
        report = need_report_submit(fabrique=team.fabrique, **report_data())
        assert AuditEntry.objects.filter(target_id=str(report.pk)).exists()
        assert connection.cursor().connection.info.user == role
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=role,
        password=password,
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
    ) as runtime:
        for statement in (
            "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_auditentry_no_update_delete ON audit_auditentry",
            "UPDATE audit_auditentry SET note = 'effacé'",
            "DELETE FROM audit_auditentry",
            "TRUNCATE audit_auditentry",
            "CREATE TABLE pirate (id int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                runtime.execute(statement)
            runtime.rollback()


def test_grant_refuses_a_runtime_role_that_owns_tables(runtime_role):
    from django.core.management.base import CommandError

    role, _password = runtime_role
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE TABLE owned_by_runtime (id int)").as_string(cursor.connection))
        cursor.execute(
            sql.SQL("ALTER TABLE owned_by_runtime OWNER TO {}")
            .format(sql.Identifier(role))
            .as_string(cursor.connection)
        )
    try:
        with pytest.raises(CommandError, match="possède des tables"):
            grant_runtime_role(connection, role)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE owned_by_runtime")
