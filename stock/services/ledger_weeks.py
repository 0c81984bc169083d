"""stock.LedgerWeek, the weekly roll-up per product of stock.LedgerDay: the SQL
of the trigger that keeps it (installed by migration stock.0015_ledger_weeks)
and its rebuild from LedgerDay (manage.py ledger_weeks_rebuild).

The trigger runs in the statement that changes a LedgerDay row, so it is in
that writer's transaction whatever the writer is (ledger_post's upsert, the
history load's COPY and upsert, the backfill's delete and insert); each
change of a row adds its difference (new minus old net and shipped) to the
row's week, by an additive upsert, atomic per row like LedgerDay's own.
"""

from django.db import connection, transaction

from ..models import LedgerDay, LedgerWeek

DAYS = range(7)
NET = [f"net{j}" for j in DAYS]
SHIPPED = [f"shipped{j}" for j in DAYS]
COLUMNS = ", ".join(["product_id", "week", *NET, *SHIPPED])
# the PostgreSQL trigger on LedgerDay (SQLite's are this name + _insert etc.)
WEEKS_TRIGGER = "stock_ledgerday_to_week"
_ADD = ", ".join(f"{c} = {{table}}.{c} + excluded.{c}" for c in NET + SHIPPED)


def weekday_sql(column: str, vendor: str, with_params: bool = False) -> str:
    """0 (Monday) to 6 (Sunday): the weekday of a date column (`with_params`:
    for a statement run with parameters, where a % is written %%)."""
    if vendor == "sqlite":
        pc = "%%" if with_params else "%"
        return f"((CAST(strftime('{pc}w', {column}) AS INTEGER) + 6) {pc} 7)"
    return f"(EXTRACT(ISODOW FROM {column})::integer - 1)"


def week_sql(column: str, weekday: str, vendor: str) -> str:
    """The Monday of a date column's week, given its weekday expression."""
    if vendor == "sqlite":
        return f"date({column}, '-' || {weekday} || ' days')"
    return f"({column} - {weekday})"


def _spread(weekday: str, net: str, shipped: str) -> str:
    """The 14 values of a day's net and shipped put in their weekday's columns."""
    return ", ".join(
        [f"CASE WHEN {weekday} = {j} THEN {net} ELSE 0 END" for j in DAYS]
        + [f"CASE WHEN {weekday} = {j} THEN {shipped} ELSE 0 END" for j in DAYS]
    )


def trigger_sql(vendor: str) -> list[str]:
    """The statements that install the trigger on LedgerDay."""
    day, week = LedgerDay._meta.db_table, LedgerWeek._meta.db_table
    if vendor == "postgresql":
        add = _ADD.format(table=week)
        return [
            f"""
            CREATE OR REPLACE FUNCTION {week}_add(p bigint, d date, n integer,
                                                 s integer) RETURNS void AS $$
            DECLARE j integer := EXTRACT(ISODOW FROM d)::integer - 1;
            BEGIN
                IF n = 0 AND s = 0 THEN RETURN; END IF;
                INSERT INTO {week} ({COLUMNS})
                VALUES (p, d - j, {_spread("j", "n", "s")})
                ON CONFLICT (product_id, week) DO UPDATE SET {add};
            END $$ LANGUAGE plpgsql
            """,
            f"""
            CREATE OR REPLACE FUNCTION {day}_to_week() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.product_id = OLD.product_id
                   AND NEW.date = OLD.date THEN
                    PERFORM {week}_add(NEW.product_id, NEW.date,
                                       NEW.net - OLD.net, NEW.shipped - OLD.shipped);
                    RETURN NULL;
                END IF;
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    PERFORM {week}_add(OLD.product_id, OLD.date, -OLD.net,
                                       -OLD.shipped);
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN
                    PERFORM {week}_add(NEW.product_id, NEW.date, NEW.net, NEW.shipped);
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql
            """,
            f"DROP TRIGGER IF EXISTS {day}_to_week ON {day}",
            f"""
            CREATE TRIGGER {day}_to_week AFTER INSERT OR UPDATE OR DELETE ON {day}
            FOR EACH ROW EXECUTE FUNCTION {day}_to_week()
            """,
        ]
    add = _ADD.format(table=week).replace(f"{week}.", "")

    def upsert(row: str, sign: str) -> str:
        weekday = weekday_sql(f"{row}.date", vendor)
        return f"""
            INSERT INTO {week} ({COLUMNS})
            SELECT {row}.product_id, {week_sql(f"{row}.date", weekday, vendor)},
                   {_spread(weekday, f"{sign}{row}.net", f"{sign}{row}.shipped")}
            WHERE true
            ON CONFLICT (product_id, week) DO UPDATE SET {add};
        """

    changed = "(NEW.net <> 0 OR NEW.shipped <> 0)"
    was = "(OLD.net <> 0 OR OLD.shipped <> 0)"
    return [
        f"DROP TRIGGER IF EXISTS {day}_to_week_insert",
        f"DROP TRIGGER IF EXISTS {day}_to_week_update",
        f"DROP TRIGGER IF EXISTS {day}_to_week_delete",
        f"""CREATE TRIGGER {day}_to_week_insert AFTER INSERT ON {day}
            WHEN {changed} BEGIN {upsert("NEW", "")} END""",
        f"""CREATE TRIGGER {day}_to_week_update AFTER UPDATE ON {day}
            WHEN {changed} OR {was}
            BEGIN {upsert("OLD", "-")} {upsert("NEW", "")} END""",
        f"""CREATE TRIGGER {day}_to_week_delete AFTER DELETE ON {day}
            WHEN {was} BEGIN {upsert("OLD", "-")} END""",
    ]


def rebuild_sql(vendor: str) -> list[str]:
    """Empty LedgerWeek and fill it from LedgerDay grouped by product and week
    (rows in week order, as the trigger writes them, so a period's weeks lie
    together on disk)."""
    week = LedgerWeek._meta.db_table
    return [
        f"DELETE FROM {week}",
        f"""
        INSERT INTO {week} ({COLUMNS})
        {_weeks_of_days(weekday_sql("date", vendor), vendor)}
        ORDER BY week, product_id
        """,
    ]


def _weeks_of_days(weekday: str, vendor: str, where: str = "") -> str:
    """SELECT LedgerDay's rows (those `where` keeps) as LedgerWeek's columns,
    grouped by product and week."""
    sums = ", ".join(
        [f"SUM(CASE WHEN j = {j} THEN net ELSE 0 END)" for j in DAYS]
        + [f"SUM(CASE WHEN j = {j} THEN shipped ELSE 0 END)" for j in DAYS]
    )
    return f"""
        SELECT product_id, week, {sums}
        FROM (
            SELECT product_id, net, shipped, {weekday} AS j,
                   {week_sql("date", weekday, vendor)} AS week
            FROM {LedgerDay._meta.db_table}
            {where}
        ) d
        GROUP BY product_id, week"""


def ledger_weeks_rebuild() -> int:
    """Rebuild LedgerWeek from LedgerDay in one transaction (on PostgreSQL
    under LedgerDay's SHARE ROW EXCLUSIVE lock, so posts in flight commit
    first and new ones wait: safe while the ledger is written); returns the
    rows written."""
    vendor = connection.vendor
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                f"LOCK TABLE {LedgerDay._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
            )
        for sql in rebuild_sql(vendor):
            cursor.execute(sql)
        return cursor.rowcount


def ledger_weeks_add_written(now, product_ids) -> None:
    """Add to LedgerWeek the LedgerDay rows of these products written at `now`
    with row triggers off (a history load's COPY under
    session_replication_role = replica, where the trigger does not fire):
    one additive upsert, grouped by product and week, in the same
    transaction."""
    vendor = connection.vendor
    week = LedgerWeek._meta.db_table
    weekday = weekday_sql("date", vendor, with_params=True)
    where = "WHERE updated_at = %s AND product_id = ANY(%s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {week} ({COLUMNS})
            {_weeks_of_days(weekday, vendor, where)}
            ORDER BY product_id, week
            ON CONFLICT (product_id, week) DO UPDATE SET {_ADD.format(table=week)}
            """,
            [now, sorted(product_ids)],
        )
