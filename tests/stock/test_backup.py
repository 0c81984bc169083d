"""Backup and restore drills: back up under write load, restore, reconcile.

A thread keeps writing stock through the services while `manage.py backup`
runs; the backup is restored into a fresh database and `manage.py
stock_reconcile` runs against it in its own process. Under load the restored
database is compared with itself (ledger sums == balances) and with the live
ledger: it must hold exactly the first N movements, with N between the counts
before and after the backup (one consistent point, never a torn copy).
"""

import hashlib
import io
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from stock.models import StockLevel, StockMovement
from stock.services.backup import pg_database_create, pg_database_drop
from stock.services.operations import TransferLineInput, stock_adjust, transfer_create
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories

LEDGER = StockMovement._meta.db_table
LEVELS = StockLevel._meta.db_table


class StockWriter(threading.Thread):
    """Adjust, transfer, reserve and ship in a loop, each a committed service call."""

    def __init__(self, *, product, warehouses, shop, actor):
        super().__init__(daemon=True)
        self.product, self.warehouses, self.shop, self.actor = (
            product,
            warehouses,
            shop,
            actor,
        )
        self.stop = threading.Event()
        self.commits: list[float] = []
        self.errors: list[BaseException] = []

    def run(self):
        source, target = self.warehouses
        try:
            n = 0
            while not self.stop.is_set():
                n += 1
                stock_adjust(
                    product=self.product,
                    warehouse=source,
                    quantity=2,
                    reason="drill load",
                    actor=self.actor,
                )
                self.commits.append(time.monotonic())
                transfer_create(
                    from_warehouse=source,
                    to_warehouse=target,
                    lines=[TransferLineInput(self.product, 1)],
                    actor=self.actor,
                )
                self.commits.append(time.monotonic())
                order, _ = sales_order_create(
                    shop=self.shop,
                    external_id=f"DRILL-{n}",
                    lines=[OrderLineInput(self.product, 1)],
                    warehouse=target,
                )
                sales_order_ship(order=order, actor=self.actor)
                self.commits.append(time.monotonic())
        except BaseException as error:  # reported by the test, not lost in a thread
            self.errors.append(error)
        finally:
            connection.close()


def back_up_under_load(path: Path) -> dict:
    """Run `manage.py backup` while a writer thread posts movements."""
    warehouses = [factories.warehouse(), factories.warehouse()]
    writer = StockWriter(
        product=factories.product(),
        warehouses=warehouses,
        shop=factories.shop()[0],
        actor=factories.user(None),
    )
    writer.start()
    try:
        deadline = time.monotonic() + 60
        while len(writer.commits) < 30 and not writer.errors:
            assert time.monotonic() < deadline, "the writer made no progress"
            time.sleep(0.01)
        before = StockMovement.objects.count()
        started = time.monotonic()
        call_command("backup", str(path), stdout=io.StringIO())
        finished = time.monotonic()
        after = StockMovement.objects.count()
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert not writer.errors, writer.errors
    live_ids = list(StockMovement.objects.order_by("pk").values_list("pk", flat=True))
    return {
        "before": before,
        "after": after,
        "written_during": sum(started < t < finished for t in writer.commits),
        "live_ids": live_ids,
    }


def restored_books(conn) -> tuple[list[int], dict, dict]:
    """Movement ids, ledger sums and balances per (product, warehouse)."""
    cursor = conn.cursor()
    cursor.execute(f"SELECT id FROM {LEDGER} ORDER BY id")
    ids = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        f"SELECT product_id, warehouse_id, SUM(quantity) FROM {LEDGER} "
        "GROUP BY product_id, warehouse_id"
    )
    sums = {(p, w): int(total) for p, w, total in cursor.fetchall()}
    cursor.execute(f"SELECT product_id, warehouse_id, on_hand FROM {LEVELS}")
    levels = {(p, w): on_hand for p, w, on_hand in cursor.fetchall() if on_hand}
    return ids, sums, levels


def reconcile_in_own_process(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(env_overrides)
    return subprocess.run(
        # The drill is about the data; Django's system checks are not its business.
        [sys.executable, "manage.py", "stock_reconcile", "--skip-checks"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_consistent_restore(load: dict, ids: list[int], sums: dict, levels: dict):
    assert load["before"] <= len(ids) <= load["after"]
    # Exactly the history up to one point in time: no movement missing before
    # it, none from after it.
    assert ids == load["live_ids"][: len(ids)]
    assert levels == {pair: total for pair, total in sums.items() if total}


# --- SQLite -----------------------------------------------------------------


@pytest.fixture
def sqlite_file_database(tmp_path, django_db_setup, django_db_blocker):
    """Point the default connection at a freshly migrated SQLite file (WAL mode,
    as in production) instead of the test run's in-memory database, which
    cannot take a concurrent writer."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill needs the SQLite backend")
    live = connections["default"]
    original_name = live.settings_dict["NAME"]
    # Closing the in-memory test database would destroy it: set it aside.
    kept, live.connection = live.connection, None
    live.settings_dict["NAME"] = str(tmp_path / "live.sqlite3")
    try:
        with django_db_blocker.unblock():
            call_command("migrate", verbosity=0, interactive=False)
            yield Path(live.settings_dict["NAME"])
    finally:
        live.close()
        live.settings_dict["NAME"] = original_name
        live.connection = kept


def test_sqlite_backup_under_load_restores_a_consistent_ledger(
    sqlite_file_database, tmp_path
):
    backup = tmp_path / "backups" / "stockwise.db"
    load = back_up_under_load(backup)
    checksum = backup.with_name("stockwise.db.sha256").read_text().split()[0]
    assert checksum == hashlib.sha256(backup.read_bytes()).hexdigest()

    restored = tmp_path / "restored.sqlite3"
    call_command("restore", str(backup), name=str(restored), stdout=io.StringIO())
    with sqlite3.connect(restored) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ids, sums, levels = restored_books(conn)
    assert_consistent_restore(load, ids, sums, levels)
    result = reconcile_in_own_process({"SQLITE_PATH": str(restored)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ledger and balances agree" in result.stdout

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup), name=str(restored))
    call_command(
        "restore", str(backup), name=str(restored), force=True, stdout=io.StringIO()
    )
    with sqlite3.connect(restored) as conn:
        assert restored_books(conn)[0] == ids


# --- PostgreSQL -------------------------------------------------------------


@pytest.fixture
def scratch_database(django_db_setup, django_db_blocker):
    """An empty PostgreSQL database for the restore, dropped afterwards."""
    name = f"stockwise_drill_{os.getpid()}_{secrets.token_hex(3)}"
    with django_db_blocker.unblock():
        settings_dict = dict(connection.settings_dict)
    pg_database_create(settings_dict=settings_dict, name=name)
    try:
        yield name
    finally:
        pg_database_drop(settings_dict=settings_dict, name=name)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_under_load_restores_a_consistent_ledger(
    scratch_database, tmp_path
):
    import psycopg

    backup = tmp_path / "stockwise.dump"
    load = back_up_under_load(backup)
    # pg_dump took its snapshot while the writer went on committing.
    assert load["written_during"] > 0
    assert backup.read_bytes()[:5] == b"PGDMP"  # the custom format

    call_command("restore", str(backup), name=scratch_database, stdout=io.StringIO())
    db = connection.settings_dict
    with psycopg.connect(
        dbname=scratch_database,
        host=db["HOST"],
        port=db["PORT"] or None,
        user=db["USER"],
        password=db["PASSWORD"] or None,
    ) as conn:
        ids, sums, levels = restored_books(conn)
    assert_consistent_restore(load, ids, sums, levels)
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT'] or 5432}/{scratch_database}"
    )
    result = reconcile_in_own_process({"DATABASE_URL": url, "CONN_MAX_AGE": "0"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ledger and balances agree" in result.stdout

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup), name=scratch_database)
    call_command(
        "restore",
        str(backup),
        database_url=url,
        force=True,
        stdout=io.StringIO(),
    )
    result = reconcile_in_own_process({"DATABASE_URL": url, "CONN_MAX_AGE": "0"})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.postgres
def test_backup_without_pg_dump_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="pg_dump was not found"):
        call_command("backup", str(tmp_path / "x.dump"))
    assert not list(tmp_path.iterdir())


# --- refusals that need no database -----------------------------------------


def test_restore_refuses_a_missing_backup_file(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "nope.db"), name=str(tmp_path / "t"))


def test_restore_refuses_a_backup_without_its_checksum_file(tmp_path):
    backup = tmp_path / "stockwise.db"
    backup.write_bytes(b"backup")
    with pytest.raises(CommandError, match="No checksum file"):
        call_command("restore", str(backup), name=str(tmp_path / "target.db"))


def test_restore_refuses_a_backup_whose_checksum_does_not_match(tmp_path):
    backup = tmp_path / "stockwise.db"
    backup.write_bytes(b"the backup as written")
    digest = hashlib.sha256(backup.read_bytes()).hexdigest()
    (tmp_path / "stockwise.db.sha256").write_text(f"{digest}  stockwise.db\n")
    backup.write_bytes(b"the backup, changed")
    target = tmp_path / "target.db"
    with pytest.raises(CommandError, match="Checksum mismatch"):
        call_command("restore", str(backup), name=str(target))
    assert not target.exists()
