"""Backups of the configured database and restoring them into a fresh one.

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, taken while the
app keeps writing) and `pg_restore` in a single transaction. SQLite: sqlite3's
online backup API (a consistent copy of a live WAL database) and an integrity
check. Either way a SHA-256 file is written next to the backup and checked
before anything is restored, and a non-empty target is refused unless forced.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import dj_database_url
import psycopg
from django.db import connections
from psycopg import sql

CHECKSUM_SUFFIX = ".sha256"
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says what to fix."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    checksum_path: Path
    sha256: str
    size: int
    vendor: str


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    target: str  # a database name or a file path, never a password
    vendor: str
    replaced: bool  # the target held data and --force replaced it


# --- checksums --------------------------------------------------------------


def checksum_path_for(path: Path) -> Path:
    return path.with_name(path.name + CHECKSUM_SUFFIX)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_checksum(path: Path) -> tuple[str, Path]:
    """`sha256sum` format, so `sha256sum -c` checks it too."""
    sha = _sha256(path)
    target = checksum_path_for(path)
    target.write_text(f"{sha}  {path.name}\n")
    return sha, target


def backup_verify(*, path: Path) -> str:
    """Check the backup file against its checksum file; return the digest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    checksum_file = checksum_path_for(path)
    if not checksum_file.is_file():
        raise BackupError(
            f"No checksum file {checksum_file.name} next to {path}; a backup "
            "is only restored when its checksum can be verified."
        )
    try:
        expected = checksum_file.read_text().split()[0].lower()
    except IndexError:
        raise BackupError(f"The checksum file {checksum_file} is empty.") from None
    actual = _sha256(path)
    if actual != expected:
        raise BackupError(
            f"Checksum mismatch for {path}: the file has SHA-256 {actual}, "
            f"{checksum_file.name} says {expected}. The backup is damaged or "
            "was changed; it is not restored."
        )
    return actual


# --- entry points -----------------------------------------------------------


def database_backup(*, path: Path, database: str = "default") -> BackupResult:
    """Write a consistent backup of the configured database to `path`."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    settings_dict = connections[database].settings_dict
    vendor = connections[database].vendor
    # Written under a temporary name first: an interrupted backup never leaves a
    # file that looks complete.
    partial = path.with_name(path.name + ".partial")
    try:
        if vendor == "postgresql":
            _pg_dump(settings_dict, partial)
        elif vendor == "sqlite":
            _sqlite_backup(settings_dict, partial)
        else:
            raise BackupError(f"Backups of {vendor} databases are not supported.")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    sha, checksum_file = _write_checksum(path)
    return BackupResult(path, checksum_file, sha, path.stat().st_size, vendor)


def database_restore(
    *,
    path: Path,
    database_url: str | None = None,
    name: str | None = None,
    force: bool = False,
    database: str = "default",
) -> RestoreResult:
    """Restore a backup into a target database.

    The target is `database_url`, or the database `name` on the configured
    server (a file path on SQLite), or else the configured database itself.
    A target that already holds tables is refused unless `force`.
    """
    path = Path(path)
    if database_url and name:
        raise BackupError("Give a database URL or a database name, not both.")
    backup_verify(path=path)
    configured = connections[database].settings_dict
    if database_url:
        target = dj_database_url.parse(database_url)
    else:
        target = {**configured, "NAME": name or configured["NAME"]}
    engine = target.get("ENGINE", "")
    if engine != configured["ENGINE"]:
        raise BackupError(
            f"A {connections[database].vendor} backup cannot be restored into "
            f"{engine or 'an unknown engine'}."
        )
    if target["NAME"] == configured["NAME"]:
        # This process may hold the target open; restoring goes around it.
        connections[database].close()
    if "postgresql" in engine:
        replaced = _pg_restore(target, path, force=force)
        return RestoreResult(path, target["NAME"], "postgresql", replaced)
    if "sqlite3" in engine:
        replaced = _sqlite_restore(Path(target["NAME"]), path, force=force)
        return RestoreResult(path, str(target["NAME"]), "sqlite", replaced)
    raise BackupError(f"Restoring into {engine} is not supported.")


# --- PostgreSQL -------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools "
            "(the same major version as the server or newer)."
        )
    return found


def _pg_environment(settings_dict: dict) -> dict[str, str]:
    """libpq connection parameters as environment variables: the password never
    appears in a process list."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(f"{what} failed (exit {result.returncode}): {detail}")


def _pg_dump(settings_dict: dict, output: Path) -> None:
    env = _pg_environment(settings_dict)
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-password",
            f"--file={output}",
            settings_dict["NAME"],
        ],
        env,
        "pg_dump",
    )
    # Proves the archive is complete and readable before it is called a backup.
    _run([_pg_tool("pg_restore"), "--list", str(output)], env, "Reading the dump")


def _pg_connect(settings_dict: dict, dbname: str):
    return psycopg.connect(
        dbname=dbname,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    )


def _pg_relation_count(settings_dict: dict) -> int | None:
    """Tables, views and sequences outside the system schemas; None when the
    database does not exist."""
    try:
        conn = _pg_connect(settings_dict, settings_dict["NAME"])
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            return None
        raise BackupError(f"Cannot connect to the target database: {error}") from None
    with conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%'"
        ).fetchone()
    return count


def pg_database_create(*, settings_dict: dict, name: str) -> None:
    """CREATE DATABASE on the server of settings_dict (for fresh targets)."""
    with _pg_connect(settings_dict, "postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def pg_database_drop(*, settings_dict: dict, name: str) -> None:
    with _pg_connect(settings_dict, "postgres") as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def _pg_restore(target: dict, path: Path, *, force: bool) -> bool:
    pg_restore = _pg_tool("pg_restore")
    relations = _pg_relation_count(target)
    if relations is None:
        pg_database_create(settings_dict=target, name=target["NAME"])
        relations = 0
    if relations and not force:
        raise BackupError(
            f"The target database {target['NAME']!r} is not empty ({relations} "
            "tables, views or sequences). Restore into a fresh database, or pass "
            "--force to replace what the backup contains."
        )
    command = [
        pg_restore,
        "--no-password",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        # All or nothing: a failed restore leaves the target as it was.
        "--single-transaction",
        f"--dbname={target['NAME']}",
    ]
    if relations:
        command += ["--clean", "--if-exists"]
    _run([*command, str(path)], _pg_environment(target), "pg_restore")
    return bool(relations)


# --- SQLite -----------------------------------------------------------------


def _sqlite_source(name: str) -> sqlite3.Connection:
    name = str(name)
    if name.startswith("file:"):
        # A URI, e.g. the shared in-memory database the test runner uses.
        return sqlite3.connect(name, uri=True, timeout=20)
    if name == ":memory:" or not name:
        raise BackupError("A private in-memory SQLite database cannot be backed up.")
    if not Path(name).is_file():
        raise BackupError(f"No SQLite database at {name}.")
    return sqlite3.connect(name, timeout=20)


def _sqlite_integrity_check(conn: sqlite3.Connection, what: str) -> None:
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if rows != ["ok"]:
        raise BackupError(f"{what} fails the integrity check: {'; '.join(rows[:5])}")


def _sqlite_backup(settings_dict: dict, output: Path) -> None:
    source = _sqlite_source(settings_dict["NAME"])
    destination = sqlite3.connect(output)
    try:
        # One step (pages=-1): the copy is one read snapshot, so writers in WAL
        # mode go on committing and the backup is consistent.
        source.backup(destination, pages=-1)
        # A single self-contained file, with no -wal beside it.
        destination.execute("PRAGMA journal_mode=DELETE")
        _sqlite_integrity_check(destination, "The backup")
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup failed: {error}") from None
    finally:
        destination.close()
        source.close()


def _sqlite_table_count(path: Path) -> int:
    if not path.exists() or path.stat().st_size == 0:
        return 0
    conn = sqlite3.connect(path, timeout=20)
    try:
        (count,) = conn.execute(
            "SELECT count(*) FROM sqlite_master "
            "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
        ).fetchone()
    finally:
        conn.close()
    return count


def _sqlite_restore(target: Path, path: Path, *, force: bool) -> bool:
    source = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    try:
        _sqlite_integrity_check(source, f"The backup {path}")
        tables = _sqlite_table_count(target)
        if tables and not force:
            raise BackupError(
                f"The target database {target} is not empty ({tables} tables). "
                "Restore into a new file, or pass --force to replace it."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(target, timeout=20)
        try:
            # The backup API replaces the whole target under its write lock.
            source.backup(destination, pages=-1)
            _sqlite_integrity_check(destination, f"The restored database {target}")
        finally:
            destination.close()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite restore failed: {error}") from None
    finally:
        source.close()
    return bool(tables)
