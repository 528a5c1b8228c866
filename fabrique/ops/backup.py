"""Backup and restore of one installation: the database and the private files, in one tar archive.

Archive layout (format 1):
    manifest.json        what was saved: database vendor, row count of every table, sha256 of every file
    database.dump        PostgreSQL: `pg_dump --format=custom --no-owner --no-privileges`
    database.sqlite3     SQLite: a copy made with SQLite's online backup API
    private-media/…      FABRIQUE_PRIVATE_MEDIA_ROOT, as is

`restore` only writes into an empty database and an empty private folder, then checks that every
table has the saved number of rows and every file the saved checksum.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from fabrique.recruitment.storage import private_media_root

from .roles import connected_as, grant_runtime_role, migration_settings

FORMAT = 1
MEDIA_PREFIX = "private-media/"


@dataclass
class Summary:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def file_checksums(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


# PostgreSQL client tools --------------------------------------------------------------------------


def _major(version_text: str) -> int:
    """`pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)` → 15."""
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", version_text)
    if not match:
        raise CommandError(f"Version illisible : {version_text!r}")
    return int(match.group(1))


def check_client_tool(tool: str, connection: BaseDatabaseWrapper) -> str:
    """The tool's path; refuses a missing tool or one older than the server (it could not read it)."""
    path = shutil.which(tool)
    if path is None:
        raise CommandError(
            f"{tool} est introuvable : installez les outils clients PostgreSQL (paquet postgresql-client)."
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    client = _major(output)
    server = int(connection.pg_version) // 10000  # type: ignore[attr-defined]  # PostgreSQL wrapper only
    if client < server:
        raise CommandError(
            f"{tool} {client} est plus ancien que le serveur PostgreSQL {server} : installez {tool} {server}."
        )
    return path


def _pg_arguments(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _owner_settings(alias: str) -> dict[str, Any]:
    return migration_settings(alias) or connections[alias].settings_dict


# backup -------------------------------------------------------------------------------------------


def default_backup_path() -> Path:
    folder = Path(os.environ.get("FABRIQUE_BACKUP_DIR", Path(settings.VAR_DIR) / "backups"))
    return folder / f"fabrique-{datetime.datetime.now():%Y%m%d-%H%M%S}.tar"


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup(output: Path, *, alias: str = "default") -> Summary:
    connection = connections[alias]
    if output.exists():
        raise CommandError(f"{output} existe déjà : choisissez un autre nom.")
    output.parent.mkdir(parents=True, exist_ok=True)
    media_root = private_media_root()
    summary = Summary(path=output)
    partial = output.with_name(output.name + ".partiel")
    with tempfile.TemporaryDirectory() as tmp:
        database_file = Path(tmp) / "database"
        if connection.vendor == "postgresql":
            owner = _owner_settings(alias)
            with connected_as(alias, owner) as owner_connection:
                owner_connection.ensure_connection()
                pg_dump = check_client_tool("pg_dump", owner_connection)
                args, env = _pg_arguments(owner_connection.settings_dict)
                # one snapshot for the dump; counts read in a repeatable-read transaction just before
                summary.tables = table_counts(owner_connection)
            result = subprocess.run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(database_file),
                    *args,
                ],
                capture_output=True,
                text=True,
                env=env,
            )
            if result.returncode:
                raise CommandError(f"pg_dump a échoué : {result.stderr.strip()}")
            database_name = "database.dump"
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            summary.tables = table_counts(connection)
            target = sqlite3.connect(database_file)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            database_name = "database.sqlite3"
        else:
            raise CommandError(f"Base {connection.vendor} non prise en charge.")
        summary.files = file_checksums(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "vendor": connection.vendor,
            "database": database_name,
            "tables": summary.tables,
            "files": summary.files,
        }
        with tarfile.open(partial, "w") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode())
            archive.add(database_file, arcname=database_name)
            for name in summary.files:
                archive.add(media_root / name, arcname=MEDIA_PREFIX + name)
    partial.rename(output)  # a crash never leaves a file that looks complete
    return summary


# restore ------------------------------------------------------------------------------------------


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = archive.extractfile("manifest.json")
    except KeyError as exc:
        raise CommandError("Ce fichier n'est pas une sauvegarde Fabrique (manifest.json absent).") from exc
    if handle is None:
        raise CommandError("Ce fichier n'est pas une sauvegarde Fabrique (manifest.json illisible).")
    manifest: dict[str, Any] = json.load(handle)
    if manifest.get("format") != FORMAT:
        raise CommandError(f"Format de sauvegarde inconnu : {manifest.get('format')!r}.")
    return manifest


def restore(source: Path, *, alias: str = "default") -> Summary:
    connection = connections[alias]
    media_root = private_media_root()
    if not source.is_file():
        raise CommandError(f"{source} : fichier introuvable.")
    with tarfile.open(source, "r") as archive:
        manifest = _read_manifest(archive)
        if manifest["vendor"] != connection.vendor:
            raise CommandError(
                f"Sauvegarde {manifest['vendor']} : elle ne se restaure que dans une base {manifest['vendor']}."
            )
        with connection.cursor() as cursor:
            existing = connection.introspection.table_names(cursor)
        if existing:
            raise CommandError(
                f"La base cible n'est pas vide ({len(existing)} tables) : restaurez dans une base neuve."
            )
        if media_root.exists() and any(media_root.iterdir()):
            raise CommandError(f"Le dossier {media_root} n'est pas vide : restaurez dans un dossier neuf.")
        with tempfile.TemporaryDirectory() as tmp:
            archive.extract(manifest["database"], tmp, filter="data")
            database_file = Path(tmp) / manifest["database"]
            if connection.vendor == "postgresql":
                _restore_postgresql(database_file, alias)
            else:
                _restore_sqlite(database_file, connection)
        media_root.mkdir(parents=True, exist_ok=True)
        members = [m for m in archive.getmembers() if m.name.startswith(MEDIA_PREFIX) and m.isfile()]
        with tempfile.TemporaryDirectory(dir=media_root.parent) as tmp:
            archive.extractall(tmp, members=members, filter="data")
            extracted = Path(tmp) / MEDIA_PREFIX
            if extracted.is_dir():
                for item in extracted.iterdir():
                    item.rename(media_root / item.name)
    summary = Summary(path=source, tables=table_counts(connection), files=file_checksums(media_root))
    wrong_tables = {
        table: (count, summary.tables.get(table))
        for table, count in manifest["tables"].items()
        if summary.tables.get(table) != count
    }
    if wrong_tables:
        raise CommandError(
            f"Restauration incomplète : nombre de lignes différent (attendu, trouvé) {wrong_tables}"
        )
    if summary.files != manifest["files"]:
        different = sorted(set(summary.files.items()) ^ set(manifest["files"].items()))
        raise CommandError(f"Restauration incomplète : fichiers différents {different[:10]}")
    return summary


def _restore_postgresql(dump: Path, alias: str) -> None:
    owner = _owner_settings(alias)
    runtime_role = connections[alias].settings_dict.get("USER")
    with connected_as(alias, owner) as owner_connection:
        owner_connection.ensure_connection()
        pg_restore = check_client_tool("pg_restore", owner_connection)
        args, env = _pg_arguments(owner_connection.settings_dict)
        owner_connection.close()
        result = subprocess.run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(dump),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        if result.returncode:
            raise CommandError(f"pg_restore a échoué : {result.stderr.strip()}")
        if migration_settings(alias) and runtime_role and runtime_role != owner.get("USER"):
            grant_runtime_role(owner_connection, runtime_role)


def _restore_sqlite(database_file: Path, connection: BaseDatabaseWrapper) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(database_file)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
