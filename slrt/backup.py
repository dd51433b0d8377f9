"""Backing up and restoring the registry (every table of the database): `manage.py backup`,
`manage.py restore`.

PostgreSQL: pg_dump's custom format (compressed, restorable table by table) and pg_restore
--clean --if-exists. SQLite: sqlite3's online backup API, which copies a consistent snapshot
while the app keeps running, both ways.
"""

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import environ
from django.conf import settings
from django.db import connection
from django.utils import timezone


class BackupError(Exception):
    """The backup or restore did not happen; the message says why."""


def default_backup_path() -> Path:
    suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return Path(settings.BASE_DIR) / "var" / "backups" / f"slrt-{stamp}.{suffix}"


def backup_database(path: Path) -> Path:
    """Write a backup of the configured database to `path` (its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", *_pg_args(db)], db)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"no backup for the {connection.vendor} database")
    return path


def restore_database(path: Path, *, database_url: str | None = None) -> None:
    """Replace the contents of the database at `database_url` (default: the configured one)
    with the backup at `path`. Tables of the backup are dropped and recreated."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    db = _settings_for(database_url) if database_url else connection.settings_dict
    engine = db["ENGINE"]
    if "postgresql" in engine:
        if not database_url:
            connection.close()  # pg_restore drops the tables this connection may be using
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", *_pg_args(db), str(path)], db)
    elif "sqlite3" in engine:
        source = sqlite3.connect(path)
        try:
            if database_url:
                target = sqlite3.connect(db["NAME"])
                try:
                    source.backup(target)
                finally:
                    target.close()
            else:
                connection.ensure_connection()
                source.backup(connection.connection)
        finally:
            source.close()
    else:
        raise BackupError(f"no restore for {engine}")


def _settings_for(database_url: str) -> dict[str, Any]:
    try:
        return environ.Env.db_url_config(database_url)
    except Exception as error:  # django-environ raises plain errors for unknown schemes
        raise BackupError(f"cannot read the database URL: {error}") from error


def _pg_args(db: dict[str, Any]) -> list[str]:
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    return [*args, "--no-password"]


def _run(command: list[str], db: dict[str, Any]) -> None:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # not on the command line, where ps shows it
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} not found: install the PostgreSQL client tools (postgresql-client)"
        ) from error
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")
