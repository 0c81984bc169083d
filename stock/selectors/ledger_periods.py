"""Per-period sums over the ledger: one scan of a year for everything the
dashboard, the KPIs and ABC/XYZ sum over it.

The KPIs (cost of goods shipped, mean closing stock, stock moved after the
period) and ABC/XYZ (weekly shipped units per product) of every period read
the same days of the ledger's daily roll-up (stock.LedgerDay, one row per
product, warehouse and day that moved, never the movements): one query,
grouped per product and week by the database (the shorter periods are the
last days and weeks of the longest, since they all end on the same day),
returns per-product sums for all of them. About 10,000 rows come back, not a
row per product and week.

By default they read the weekly roll-up per product (stock.LedgerWeek, kept
from LedgerDay by a trigger) instead, in two queries grouped by product only:
the period sums (a week's row counts as a whole, day by day only where a
period's edge falls in it) and ABC/XYZ's weekly units (a window over each
product's weeks: a period week, which ends with the periods on any weekday,
is the end of one row's week and the start of the next). The same figures
from a row per product and week instead of one per product, warehouse and
day, and no product x week x band groups. ``source="days"`` reads LedgerDay
as before (the tests hold one equal to the other).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from ..models import LedgerDay, LedgerWeek

SCAN_WORK_MEM = "64MB"


@dataclass
class LedgerScan:
    longest: int  # days of the longest period
    weeks: dict  # period -> weeks its ABC/XYZ looks at
    product_ids: np.ndarray  # every product with a movement since the start
    after: np.ndarray  # units moved from the periods' end on
    net: dict  # period -> units moved in it, per product
    net_by_day: dict  # period -> sum of units x day of the period they moved on
    shipped: dict  # period -> units shipped in it
    week_units: dict  # period -> sum over its weeks of units shipped that week
    week_squares: dict  # period -> sum over its weeks of (units that week)^2

    def per_product(self, values: np.ndarray, product_ids: np.ndarray) -> np.ndarray:
        """`values` (one per scanned product) for `product_ids`, 0 for a product
        without movements."""
        out = np.zeros(len(product_ids))
        if len(self.product_ids) and len(product_ids):
            at = np.minimum(
                np.searchsorted(self.product_ids, product_ids),
                len(self.product_ids) - 1,
            )
            found = self.product_ids[at] == product_ids
            out[found] = values[at[found]]
        return out


def _day(column: str, since_param: str) -> str:
    """Whole days from the `since` date to the date column."""
    if connection.vendor == "sqlite":
        return f"CAST(julianday({column}) - julianday({since_param}) AS INTEGER)"
    return f"({column} - {since_param}::date)"


def ledger_scan(*, periods, since: datetime, source: str = "weeks") -> LedgerScan:
    """Per-product sums for each period, from the ledger's days since `since`
    (the start of a day in the default time zone: the start of the longest
    period, which then ends `longest` days later).

    Periods are lengths in days that all end on the same day; each period's
    ABC/XYZ looks at its last max(period // 7, 1) whole weeks. Two queries
    (LedgerWeek) or one (``source="days"``: the (date, product_id) index of
    LedgerDay and its net and shipped columns only, an index-only scan on
    PostgreSQL) in their own transaction, whatever the number of products or
    periods.
    """
    periods = sorted(set(periods))
    weeks = {period: max(period // 7, 1) for period in periods}
    longest = periods[-1]
    day = timezone.localtime(since, timezone.get_default_timezone()).date()
    edges = [0, longest, *(longest - period for period in periods[:-1])]
    # the periods' weeks start `offset` days after `since` (see _scan_sql)
    offset = longest - 7 * max(weeks.values())
    rows, params = ledger_rows(day, edges=edges, week_start=offset, source=source)
    # a period shorter than a week counts a week that starts before `since`
    # (its days before it are not counted): the weekly rows cannot cut that
    if source == "weeks" and offset >= 0:
        rows, params = _period_rows(day, edges)
        return _weeks_scan(periods, weeks, day, rows, params)
    sql, names = _scan_sql(periods, weeks, rows)
    return _scan_result(_scan_rows(sql, params), names, periods, weeks)


def _period_rows(since: date, edges: list[int]) -> tuple[str, list]:
    """As ledger_rows from LedgerWeek, for sums over ranges that start and end
    at an edge only: a week without an edge in one row (its total), a week
    with one day by day. (Two statements joined by UNION ALL, not a join to
    a table of parts, whose row count the planner misjudges by a hundred
    times, choosing a sort of millions of rows over a hash by product.)"""
    table = LedgerWeek._meta.db_table
    value = _date_param(since)
    edge_weeks = sorted(
        {
            since
            + timedelta(days=e)
            - timedelta(days=(since + timedelta(days=e)).weekday())
            for e in edges
        }
    )
    marks = ", ".join(["%s"] * len(edge_weeks))
    edge_values = [_date_param(week) for week in edge_weeks]
    net = " + ".join(f"net{j}" for j in range(7))
    net_by_day = " + ".join(f"{j} * net{j}" for j in range(7))
    shipped = " + ".join(f"shipped{j}" for j in range(7))

    def day_of(prefix: str) -> str:
        whens = " ".join(f"WHEN {j} THEN {prefix}{j}" for j in range(7))
        return f"CASE k.j {whens} END"

    days = " UNION ALL ".join(f"SELECT {j} AS j" for j in range(7))
    sql = f"""
        SELECT product_id, dw AS day, {net} AS net,
               dw * ({net}) + {net_by_day} AS nd, {shipped} AS shipped
        FROM (
            SELECT w.*, {_day("week", "%s")} AS dw FROM {table} w
            WHERE week >= %s AND week NOT IN ({marks})
        ) w
        UNION ALL
        SELECT product_id, dw + k.j AS day, {day_of("net")} AS net,
               (dw + k.j) * {day_of("net")} AS nd, {day_of("shipped")} AS shipped
        FROM (
            SELECT w.*, {_day("week", "%s")} AS dw FROM {table} w
            WHERE week IN ({marks})
        ) w
        CROSS JOIN ({days}) k
        WHERE dw + k.j >= 0
    """
    params = [
        value,
        _date_param(since - timedelta(days=6)),
        *edge_values,
        value,
        *edge_values,
    ]
    return sql, params


def _weeks_scan(periods, weeks, since: date, rows: str, params: list) -> LedgerScan:
    """The scan from LedgerWeek in two queries that group by product only (no
    product x week x band groups: at 30,000 products those 1.7 M groups were
    most of the daily scan's time): the period sums over ledger_rows, and the
    weekly units (and their squares) of ABC/XYZ by a window over each
    product's weeks, each period week being the end of one row's week and the
    start of the next one's."""
    longest = periods[-1]
    n_weeks = max(weeks.values())
    offset = longest - 7 * n_weeks
    sums = [f"SUM(CASE WHEN day >= {longest} THEN net ELSE 0 END)"]
    names = ["after"]
    for period in periods:
        inside = f"day >= {longest - period} AND day < {longest}"
        sums += [
            f"SUM(CASE WHEN {inside} THEN net ELSE 0 END)",
            f"SUM(CASE WHEN {inside} THEN nd - {longest - period} * net ELSE 0 END)",
            f"SUM(CASE WHEN {inside} THEN shipped ELSE 0 END)",
        ]
        names += [f"net_{period}", f"by_day_{period}", f"shipped_{period}"]
    ledger_sql = f"""
        SELECT product_id, {", ".join(sums)} FROM ({rows}) d
        GROUP BY product_id ORDER BY product_id
    """
    # a row's days j < split belong to the period week before the one its
    # days j >= split start
    split = (offset + since.weekday()) % 7
    head = " + ".join(f"shipped{j}" for j in range(split)) or "0"
    tail = " + ".join(f"shipped{j}" for j in range(split, 7))
    first = since + timedelta(days=offset)
    last = since + timedelta(days=longest - 1)
    week_sums, week_names = [], []
    for period, n in weeks.items():
        recent = f"k >= {n_weeks - n}"
        week_sums += [
            f"SUM(CASE WHEN {recent} THEN units ELSE 0 END)",
            f"SUM(CASE WHEN {recent} THEN units * units ELSE 0 END)",
        ]
        week_names += [f"week_units_{period}", f"week_squares_{period}"]
    weeks_sql = f"""
        WITH r AS (
            SELECT product_id, dw, head, tail,
                   LAG(dw) OVER w AS prev_dw, LEAD(dw) OVER w AS next_dw,
                   LEAD(head) OVER w AS next_head
            FROM (
                SELECT product_id, {_day("week", "%s")} AS dw,
                       {head} AS head, {tail} AS tail
                FROM {LedgerWeek._meta.db_table}
                WHERE week >= %s AND week <= %s
            ) x
            WINDOW w AS (PARTITION BY product_id ORDER BY dw)
        ),
        u AS (
            SELECT product_id, (dw + {split - offset}) / 7 AS k,
                   tail + CASE WHEN next_dw = dw + 7 THEN next_head ELSE 0 END
                       AS units
            FROM r
            UNION ALL
            SELECT product_id, (dw + {split - offset}) / 7 - 1 AS k, head AS units
            FROM r WHERE (prev_dw IS NULL OR prev_dw <> dw - 7) AND head <> 0
        )
        SELECT product_id, {", ".join(week_sums)}
        FROM u WHERE k >= 0 AND k < {n_weeks}
        GROUP BY product_id
    """
    monday = [
        first - timedelta(days=first.weekday()),
        last - timedelta(days=last.weekday()),
    ]
    weeks_params = [_date_param(since), *(_date_param(d) for d in monday)]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{SCAN_WORK_MEM}'")
        cursor.execute(ledger_sql, params)
        ledger = cursor.fetchall()
        cursor.execute(weeks_sql, weeks_params)
        per_week = {row[0]: row[1:] for row in cursor.fetchall()}
    zeros = (0,) * len(week_names)
    merged = [(*row, *per_week.get(row[0], zeros)) for row in ledger]
    return _scan_result(merged, names + week_names, periods, weeks)


def _date_param(day: date):
    return day.isoformat() if connection.vendor == "sqlite" else day


def ledger_rows(
    since: date, *, edges: list[int], week_start: int, source: str = "weeks"
) -> tuple[str, list]:
    """A subquery of the ledger's movement from the day `since` on, per product:
    rows of (product_id, day, net, nd, shipped) where `day` counts the days
    from `since`, each row's units moved on that day, or on the days after it
    up to the next row's (of the same product); `nd` is the sum of net x day
    over those days. Sums over any range of days that starts and ends at an
    edge (days from `since`) or at `week_start` plus a multiple of 7 are exact.

    From LedgerWeek (the default): the week's row in one or two parts (split
    where the weeks counted from `week_start` begin), or day by day for the
    weeks that hold an edge. From LedgerDay (``source="days"``): a row per
    product and day, summed over the warehouses by the query above it.
    """
    fence = "LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else "OFFSET 0"
    value = _date_param(since)
    if source == "days":
        return (
            f"""
            SELECT product_id, day, net, net * day AS nd, shipped
            FROM (
                SELECT product_id, net, shipped, {_day("date", "%s")} AS day
                FROM {LedgerDay._meta.db_table}
                WHERE date >= %s
                {fence}
            ) d0
            """,
            [value, value],
        )
    # a row's day j (0 = Monday) is day dw + j from `since`; dw = -weekday
    # of `since` (mod 7), so the weeks from week_start begin at the same j in
    # every row
    split = (week_start + since.weekday()) % 7
    plain = [(0, split), (split, 7)] if split else [(0, 7)]
    pieces = [(lo, hi, 0) for lo, hi in plain] + [(j, j + 1, 1) for j in range(7)]
    edge_weeks = sorted(
        {
            since
            + timedelta(days=e)
            - timedelta(days=(since + timedelta(days=e)).weekday())
            for e in edges
        }
    )

    def per_piece(term) -> str:
        whens = " ".join(
            f"WHEN {k} THEN ({' + '.join(term(j) for j in range(lo, hi))})"
            for k, (lo, hi, _) in enumerate(pieces)
        )
        return f"CASE k.id {whens} END"

    table = " UNION ALL ".join(
        f"SELECT {k} AS id, {lo} AS lo, {edge} AS edge"
        for k, (lo, hi, edge) in enumerate(pieces)
    )
    marks = ", ".join(["%s"] * len(edge_weeks))
    sql = f"""
        SELECT product_id, dw + k.lo AS day,
               {per_piece(lambda j: f"net{j}")} AS net,
               dw * ({per_piece(lambda j: f"net{j}")})
                   + ({per_piece(lambda j: f"{j} * net{j}")}) AS nd,
               {per_piece(lambda j: f"shipped{j}")} AS shipped
        FROM (
            SELECT w.*, {_day("week", "%s")} AS dw,
                   CASE WHEN week IN ({marks}) THEN 1 ELSE 0 END AS edge
            FROM {LedgerWeek._meta.db_table} w
            WHERE week >= %s
            {fence}
        ) w
        JOIN ({table}) k ON k.edge = w.edge
        WHERE dw + k.lo >= 0
    """
    params = [
        value,
        *(_date_param(week) for week in edge_weeks),
        _date_param(since - timedelta(days=6)),
    ]
    return sql, params


def _scan_sql(
    periods: list[int], weeks: dict[int, int], rows: str
) -> tuple[str, list[str]]:
    """The one query over `rows` (ledger_rows) and the names of its columns
    after product_id: `after`, then per period net, by_day, shipped, then per
    period week_units and week_squares. Its parameters: those of `rows`."""
    longest = periods[-1]
    longest_weeks = max(weeks.values())
    # the weeks end with the periods: the first counted week starts `offset`
    # days after `since`
    offset = longest - 7 * longest_weeks
    # A movement's band is the shortest period that holds it (they nest), -1
    # from the periods' end on; its week counts back from that end too.
    bands = " ".join(
        f"WHEN day >= {longest - period} THEN {period}" for period in periods[:-1]
    )
    ledger_sums, names = _ledger_sums(periods)
    week_sums, week_names = _week_sums(weeks)
    sql = f"""
        WITH grouped AS (
            SELECT product_id, week, band, SUM(net) AS q,
                   SUM(nd) AS qd, SUM(shipped) AS s
            FROM (
                SELECT product_id, net, nd, shipped, day,
                       CASE WHEN day >= {offset} AND day < {longest}
                            THEN (day - {offset}) / 7 END AS week,
                       CASE WHEN day >= {longest} THEN -1 {bands}
                            ELSE {longest} END AS band
                FROM ({rows}) d
            ) m
            GROUP BY product_id, week, band
        ),
        ledger AS (
            SELECT product_id, {", ".join(ledger_sums)}
            FROM grouped GROUP BY product_id
        ),
        per_week AS (
            SELECT product_id, week, SUM(s) AS units
            FROM grouped WHERE week IS NOT NULL GROUP BY product_id, week
        ),
        classes AS (
            SELECT product_id, {", ".join(week_sums)}
            FROM per_week GROUP BY product_id
        )
        SELECT * FROM ledger LEFT JOIN classes USING (product_id)
        ORDER BY product_id
    """
    return sql, names + week_names


def _ledger_sums(periods: list[int]) -> tuple[list[str], list[str]]:
    """The per-product sums over the bands (units after the periods; per
    period: net units, units x day, units shipped) and their names."""
    longest = periods[-1]
    sums, names = ["SUM(CASE WHEN band = -1 THEN q ELSE 0 END)"], ["after"]
    for period in periods:
        inside = f"band BETWEEN 0 AND {period}"
        sums += [
            f"SUM(CASE WHEN {inside} THEN q ELSE 0 END)",
            f"SUM(CASE WHEN {inside} THEN qd - {longest - period} * q ELSE 0 END)",
            f"SUM(CASE WHEN {inside} THEN s ELSE 0 END)",
        ]
        names += [f"net_{period}", f"by_day_{period}", f"shipped_{period}"]
    return sums, names


def _week_sums(weeks: dict[int, int]) -> tuple[list[str], list[str]]:
    """The per-product sums over each period's recent weeks (units shipped,
    and their squares) and their names."""
    longest_weeks = max(weeks.values())
    sums, names = [], []
    for period, n in weeks.items():
        recent = f"week >= {longest_weeks - n}"
        sums += [
            f"SUM(CASE WHEN {recent} THEN units ELSE 0 END)",
            f"SUM(CASE WHEN {recent} THEN units * units ELSE 0 END)",
        ]
        names += [f"week_units_{period}", f"week_squares_{period}"]
    return sums, names


def _scan_rows(sql: str, params: list) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ~500,000 product-weeks: in memory this takes half the time of
            # spilling them to disk in batches (PostgreSQL's default is 4MB);
            # for this transaction only
            cursor.execute(f"SET LOCAL work_mem = '{SCAN_WORK_MEM}'")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _scan_result(
    rows: list[tuple], names: list[str], periods: list[int], weeks: dict[int, int]
) -> LedgerScan:
    columns = (
        np.nan_to_num(np.array(rows, dtype=float).T)  # no shipment week: None
        if rows
        else np.zeros((len(names) + 1, 0), dtype=float)
    )
    by_name = dict(zip(names, columns[1:], strict=True))
    return LedgerScan(
        longest=periods[-1],
        weeks=weeks,
        product_ids=columns[0].astype(np.int64),
        after=by_name["after"],
        net={p: by_name[f"net_{p}"] for p in periods},
        net_by_day={p: by_name[f"by_day_{p}"] for p in periods},
        shipped={p: by_name[f"shipped_{p}"] for p in periods},
        week_units={p: by_name[f"week_units_{p}"] for p in periods},
        week_squares={p: by_name[f"week_squares_{p}"] for p in periods},
    )
