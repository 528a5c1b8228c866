"""Redaction of personal data in audit entries (GDPR erasure), allowed by the append-only triggers.

The triggers of migration 0002 refuse every UPDATE and DELETE. They are replaced by triggers that
still refuse every DELETE (and TRUNCATE), and refuse an UPDATE unless a pending `AuditRedaction` row
names the entry and the columns that are not personal data are unchanged.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

_SAME_FACTS_SQLITE = """NEW.id = OLD.id AND NEW.action = OLD.action AND NEW.created_at = OLD.created_at
    AND NEW.target_id = OLD.target_id AND NEW.target_type_id = OLD.target_type_id
    AND NEW.fabrique_id IS OLD.fabrique_id AND NEW.actor_id IS OLD.actor_id
    AND NEW.decision_ref = OLD.decision_ref"""

SQLITE_SQL = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update;",
    f"""CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
       WHEN NOT (EXISTS (SELECT 1 FROM audit_auditredaction r WHERE r.entry_id = OLD.id AND r.pending)
                 AND {_SAME_FACTS_SQLITE})
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only (a recorded redaction may only mask personal data)'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update;",
    """CREATE TRIGGER IF NOT EXISTS audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
]
POSTGRES_SQL = [
    """CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE'
            AND EXISTS (SELECT 1 FROM audit_auditredaction r WHERE r.entry_id = OLD.id AND r.pending)
            AND NEW.id = OLD.id AND NEW.action = OLD.action AND NEW.created_at = OLD.created_at
            AND NEW.target_id = OLD.target_id AND NEW.target_type_id = OLD.target_type_id
            AND NEW.fabrique_id IS NOT DISTINCT FROM OLD.fabrique_id
            AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
            AND NEW.decision_ref = OLD.decision_ref THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'audit entries are append-only (a recorded redaction may only mask personal data)';
       END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update_delete ON audit_auditentry;",
    """CREATE TRIGGER audit_auditentry_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();""",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry;",
    """CREATE TRIGGER audit_auditentry_no_truncate BEFORE TRUNCATE ON audit_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_auditentry_append_only();""",
]
POSTGRES_REVERSE = [
    """CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;""",
]


def install_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for sql in {"sqlite": SQLITE_SQL, "postgresql": POSTGRES_SQL}.get(connection.vendor, []):
            cursor.execute(sql)


def forwards(apps, schema_editor):
    # off in the test settings, like migration 0002 (tests/audit installs them in a transaction)
    if not getattr(settings, "FABRIQUE_AUDIT_DB_TRIGGERS", True):
        return
    install_triggers(schema_editor.connection)


def backwards(apps, schema_editor):
    if not getattr(settings, "FABRIQUE_AUDIT_DB_TRIGGERS", True):
        return
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        ("fabriques", "0006_bound_text_and_dates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditRedaction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("redacted_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="masqué le")),
                ("reason", models.CharField(max_length=200, verbose_name="motif")),
                ("pending", models.BooleanField(default=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="audit.auditentry"
                    ),
                ),
                (
                    "fabrique",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="fabriques.fabrique",
                    ),
                ),
            ],
            options={
                "verbose_name": "masquage d'une entrée du journal",
                "verbose_name_plural": "masquages d'entrées du journal",
                "indexes": [models.Index(fields=["entry", "pending"], name="audit_audit_entry_i_5590c2_idx")],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
