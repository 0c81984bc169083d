"""Keeps stock.LedgerDay equal to the movements: the ledger's daily roll-up.

Every writer of movements hands what it wrote to the roll-up inside its own
transaction: ledger_post to ``ledger_days_add``; ledger_load_history, whose
pairs have no ledger yet, COPYs its rows in (ledger_history.history_days_write,
through ``ledger_days_add`` off PostgreSQL). One additive upsert
(INSERT ... ON CONFLICT DO UPDATE, atomic per row on PostgreSQL and SQLite)
per call, whatever the number of lines, so concurrent posts on the same
product x warehouse x day end with the exact sums, never a lost update.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from ..models import DEMAND_KINDS, LedgerDay
from ..selectors.ledger_days import ledger_days_expected, product_passes

LAST_ID = 2**63 - 1
# Above this many rows, PostgreSQL takes them by COPY (see _copy_add).
COPY_FROM = 500
# Rows per statement: 8 parameters each, far below SQLite's 32,766 limit.
BATCH = 2000
_DEMAND = frozenset(DEMAND_KINDS)

# (product_id, warehouse_id, date) -> [shipped, net, low, movements]
DaySums = dict[tuple[int, int, date], list[int]]


def movement_day(created_at: datetime) -> date:
    """The day a movement counts on: its date in the default time zone (what
    a request's active time zone is, is nobody's business here)."""
    return timezone.localtime(created_at, timezone.get_default_timezone()).date()


def day_sums(movements: Iterable) -> DaySums:
    """The roll-up of StockMovement-like rows (product_id, warehouse_id,
    quantity, balance_after, kind, created_at)."""
    sums: DaySums = {}
    for m in movements:
        key = (m.product_id, m.warehouse_id, movement_day(m.created_at))
        row = sums.get(key)
        shipped = -m.quantity if m.kind in _DEMAND else 0
        if row is None:
            sums[key] = [shipped, m.quantity, m.balance_after, 1]
        else:
            row[0] += shipped
            row[1] += m.quantity
            row[2] = min(row[2], m.balance_after)
            row[3] += 1
    return sums


def ledger_days_add(sums: DaySums, *, now: datetime | None = None) -> None:
    """Add the sums to their LedgerDay rows (created when missing): one
    statement per BATCH rows, in (product, date, warehouse) order so two
    transactions upserting the same rows take their locks in the same order,
    and so do the LedgerWeek rows the trigger adds them to (product, week):
    a warehouse before the date would take a product's weeks out of order."""
    if not sums:
        return
    now = now or timezone.now()
    keys = sorted(sums, key=lambda key: (key[0], key[2], key[1]))
    if connection.vendor == "postgresql" and len(keys) > COPY_FROM:
        _copy_add(keys, sums, now)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(keys), BATCH):
            batch = keys[start : start + BATCH]
            params: list = []
            for key in batch:
                params += [*key, *sums[key], now]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(_upsert_sql(f"VALUES {values}"), params)


def _copy_add(keys: list, sums: DaySums, now: datetime) -> None:
    """PostgreSQL, many rows (a history load, a backfill): COPY them into a
    temporary table and upsert from it in one statement (parsing a statement
    of thousands of placeholders costs more than the upsert itself)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS ledger_days_in (product_id bigint,"
            " warehouse_id bigint, date date, shipped integer, net integer,"
            " low integer, movements integer, updated_at timestamptz)"
            " ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy("COPY ledger_days_in FROM STDIN") as copy:
            for key in keys:
                copy.write_row((*key, *sums[key], now))
        cursor.execute(
            _upsert_sql(
                "SELECT * FROM ledger_days_in ORDER BY product_id, date, warehouse_id"
            )
        )
        cursor.execute("TRUNCATE ledger_days_in")


def _upsert_sql(rows: str) -> str:
    """The additive upsert of `rows` (a VALUES list or a SELECT)."""
    table = LedgerDay._meta.db_table
    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    return f"""
        INSERT INTO {table} (product_id, warehouse_id, date, shipped, net, low,
                             movements, updated_at)
        {rows}
        ON CONFLICT (product_id, warehouse_id, date) DO UPDATE SET
            shipped = {table}.shipped + excluded.shipped,
            net = {table}.net + excluded.net,
            low = {least}({table}.low, excluded.low),
            movements = {table}.movements + excluded.movements,
            updated_at = excluded.updated_at
    """


def ledger_days_backfill() -> int:
    """Rebuild LedgerDay from the movements (a one-off, for a ledger written
    before the roll-up existed); returns the rows written.

    One transaction per pass of products; on PostgreSQL each takes the
    table's SHARE ROW EXCLUSIVE lock first, so it waits for posts in flight to
    commit (their movements are then read) and posts that start meanwhile wait
    to add theirs to the rebuilt rows: safe while the ledger is written.
    """
    written = 0
    now = timezone.now()
    done = 0  # every product up to this one is rebuilt
    # The last pass takes every product after the others: those whose first
    # movement came meanwhile, and rows of products without movements.
    for _, last in [*product_passes(), (None, LAST_ID)]:
        with transaction.atomic():
            _lock_table()
            rows = LedgerDay.objects.filter(product_id__gt=done)
            expected = ledger_days_expected(done + 1, last)
            rows.filter(product_id__lte=last).delete()
            ledger_days_add(
                {key: list(value) for key, value in expected.items()}, now=now
            )
            written += len(expected)
            done = last
    return written


def _lock_table() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {LedgerDay._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
            )
