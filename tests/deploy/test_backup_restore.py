"""Issue 9 item 3 / issue 10 item 5: `fabrique backup` then `fabrique restore` into an empty database.

The restored database has the same number of rows in every table and the restored private files the
same checksums; restore refuses a database or a folder that is not empty.
"""

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from fabrique.needs.services import need_report_submit
from fabrique.ops.backup import table_counts
from tests.needs.conftest import PDF, report_data
from tests.test_settings import clean_environ

pytestmark = pytest.mark.django_db(transaction=True)


def checksums(root: Path) -> dict:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def fabrique_command(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fabrique.manage", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean_environ(), "DJANGO_SETTINGS_MODULE": "fabrique.settings.test", **env},
    )


@pytest.fixture
def private_root(settings, tmp_path):
    settings.FABRIQUE_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return tmp_path / "private"


@pytest.fixture
def empty_database(tmp_path):
    """The address of an empty database of the same kind as the test database (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}", None
        return
    import psycopg
    from psycopg import sql

    params = connection.settings_dict
    name = f"{params['NAME']}_restore"[:63]
    admin = psycopg.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    )
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    try:
        yield url, name
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def restored_counts(url: str, name: str | None) -> dict:
    if name is None:
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        db.close()
        return counts
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_backup_then_restore_into_an_empty_database_gives_the_same_rows_and_files(
    team, other_team, private_root, empty_database, tmp_path
):
    for index in range(3):
        need_report_submit(
            fabrique=team.fabrique,
            **report_data(
                title=f"Signalement {index}",
                evidence_document=ContentFile(PDF + bytes([index]), name="preuve.pdf"),
            ),
        )
    expected_counts = table_counts(connection)
    expected_files = checksums(private_root)
    assert len(expected_files) == 3 and expected_counts["needs_needreport"] == 3
    archive = tmp_path / "sauvegarde.tar"
    call_command("backup", "--output", str(archive), verbosity=0)
    # when: restore into an empty database and an empty folder, in another process
    url, name = empty_database
    restored_root = tmp_path / "restored-private"
    result = fabrique_command(
        "restore", str(archive), DATABASE_URL=url, FABRIQUE_TEST_PRIVATE_MEDIA_ROOT=str(restored_root)
    )
    # then
    assert result.returncode == 0, result.stderr
    assert "Restauration vérifiée" in result.stdout
    counts = restored_counts(url, name)
    assert {t: counts.get(t) for t in expected_counts} == expected_counts
    assert checksums(restored_root) == expected_files
    # a second restore over the restored data is refused (never mixes two installations)
    again = fabrique_command(
        "restore", str(archive), DATABASE_URL=url, FABRIQUE_TEST_PRIVATE_MEDIA_ROOT=str(tmp_path / "x")
    )
    assert again.returncode != 0
    assert "n'est pas vide" in again.stderr


def test_a_corrupted_file_in_the_archive_is_detected(team, private_root, empty_database, tmp_path):
    import tarfile

    need_report_submit(
        fabrique=team.fabrique, **report_data(evidence_document=ContentFile(PDF, name="preuve.pdf"))
    )
    archive = tmp_path / "sauvegarde.tar"
    call_command("backup", "--output", str(archive), verbosity=0)
    tampered = tmp_path / "abimee.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("private-media/"):
                data = data[:-1] + b"X"
            import io

            target.addfile(member, io.BytesIO(data))
    url, _name = empty_database
    result = fabrique_command(
        "restore",
        str(tampered),
        DATABASE_URL=url,
        FABRIQUE_TEST_PRIVATE_MEDIA_ROOT=str(tmp_path / "restored"),
    )
    assert result.returncode != 0
    assert "fichiers différents" in result.stderr
