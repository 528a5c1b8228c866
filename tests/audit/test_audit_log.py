import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from fabrique.audit.models import AuditEntry
from fabrique.audit.selectors import audit_timeline
from fabrique.audit.services import audit_log
from fabrique.core.services import audited_create, audited_update

pytestmark = pytest.mark.django_db


def _install_triggers():
    import importlib

    module = importlib.import_module("fabrique.audit.migrations.0002_append_only_triggers")
    module.install_triggers(connection)


@pytest.mark.django_db(transaction=True)
def test_audit_log_requires_the_service_transaction(team):
    # given a target object, when logging outside a transaction, then it refuses
    with pytest.raises(RuntimeError):
        audit_log(actor=team.admin, fabrique=team.fabrique, target=team.fabrique, action="x.y.z")


def test_entry_records_actor_fabrique_target_and_values(team):
    with transaction.atomic():
        entry = audit_log(
            actor=team.officer,
            fabrique=team.fabrique,
            target=team.fabrique,
            action="fabriques.fabrique.updated",
            old={"name": "Avant"},
            new={"name": "Après"},
        )
    entry.refresh_from_db()
    assert entry.actor == team.officer
    assert entry.actor_label == "Officer NANTES"
    assert entry.fabrique == team.fabrique
    assert entry.target_id == str(team.fabrique.pk)
    assert entry.changes == [("nom", "Avant", "Après")]  # French field label
    assert list(audit_timeline(target=team.fabrique)) == [entry]


def test_entries_cannot_be_modified_or_deleted_through_the_orm(team):
    with transaction.atomic():
        entry = audit_log(actor=None, fabrique=team.fabrique, target=team.fabrique, action="a.b.c")
    with pytest.raises(PermissionError):
        entry.delete()
    entry.note = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(note="x")


def test_database_triggers_refuse_update_and_delete(team):
    # The triggers are created by migration 0002 in real databases; tests install them inside the
    # test transaction (test isolation flushes tables, which the triggers would refuse).
    with transaction.atomic():
        entry = audit_log(actor=None, fabrique=team.fabrique, target=team.fabrique, action="a.b.c")
    _install_triggers()
    with pytest.raises((IntegrityError, Exception)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    with pytest.raises((IntegrityError, Exception)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET note = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, note="").exists()


def test_audited_update_logs_only_changed_values_and_skips_no_op(team):
    membership = team.fabrique.memberships.get(user=team.reader)
    _, changed = audited_update(
        instance=membership, actor=team.admin, fabrique=team.fabrique, data={"role": "reader"}
    )
    assert not changed
    assert not AuditEntry.objects.filter(action="fabriques.membership.updated").exists()
    _, changed = audited_update(
        instance=membership, actor=team.admin, fabrique=team.fabrique, data={"role": "officer"}
    )
    assert changed
    entry = AuditEntry.objects.get(action="fabriques.membership.updated")
    assert entry.old_values == {"role": "reader"}
    assert entry.new_values == {"role": "officer"}


def test_audited_create_is_atomic_with_its_entry(team):
    from fabrique.fabriques.models import Membership

    from ..conftest import make_user

    user = make_user("new@nantes.test")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):  # invalid role: nothing saved, nothing logged
        audited_create(
            instance=Membership(user=user, fabrique=team.fabrique, role="boss"),
            actor=team.admin,
            fabrique=team.fabrique,
        )
    assert AuditEntry.objects.count() == before
    assert not Membership.objects.filter(user=user).exists()


def test_personal_fields_are_masked_in_the_log(team):
    from fabrique.directory.models import Person

    person = Person(
        fabrique=team.fabrique,
        first_name="Ana",
        last_name="Lopez",
        email="ana@example.org",
        phone="+33612345678",
        purpose="committees",
        legal_basis="legitimate-interest",
    )
    audited_create(instance=person, actor=team.officer, fabrique=team.fabrique)
    entry = AuditEntry.objects.get(action="directory.person.created")
    assert "ana@example.org" not in str(entry.new_values)
    assert "+33612345678" not in str(entry.new_values)
    assert entry.new_values["email"] == "[donnée personnelle]"
    assert entry.new_values["last_name"] == "Lopez"
