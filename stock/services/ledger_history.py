"""The ledger's bulk history load, in columns (stock.services.ledger.
ledger_load_history is its entry point).

A history of millions of rows is checked, given its running balances and
rolled up by day with numpy (no Python object, no Python loop per row), then
written on PostgreSQL with COPY fed by text built a chunk at a time; the
level rows are moved by one UPDATE. Elsewhere (SQLite, the embedded demo) the
rows go in by bulk_create.
"""

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from django.db import connection
from django.utils import timezone

from core.bulk import references_lock, row_triggers_off, row_triggers_on
from core.errors import InvalidInput

from ..models import DEMAND_KINDS, LedgerDay, Location, StockLevel, StockMovement
from ..selectors.picking import warehouse_bins
from .ledger_weeks import WEEKS_TRIGGER, ledger_weeks_add_written

# Rows of COPY text built and sent at a time (bounded memory).
COPY_CHUNK = 50_000
_NULL = r"\N"


@dataclass
class History:
    """A history as columns of one length, in time order per pair.

    product_id, warehouse_id, quantity: integer arrays; kind: the kind of
    each row (array of str); created_at: datetime64 in UTC. location_id and
    lot_id: integer arrays with 0 for none, or None for none at all.
    reference_id and note: one str for every row, or an array of str;
    actor_user_id and actor_shop_id likewise (an int, 0/None for none).
    """

    product_id: np.ndarray
    warehouse_id: np.ndarray
    quantity: np.ndarray
    kind: np.ndarray
    created_at: np.ndarray
    location_id: np.ndarray | None = None
    lot_id: np.ndarray | None = None
    reference_id: object = ""
    note: object = ""
    actor_user_id: object = None
    actor_shop_id: object = None
    # Filled in by history_check: the pair's on hand after each row.
    balance_after: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        self.product_id = np.asarray(self.product_id, dtype=np.int64)
        self.warehouse_id = np.asarray(self.warehouse_id, dtype=np.int64)
        self.quantity = np.asarray(self.quantity, dtype=np.int64)
        self.kind = np.asarray(self.kind, dtype=object)
        self.created_at = np.asarray(self.created_at).astype("datetime64[us]")
        n = len(self.product_id)
        for name in ("warehouse_id", "quantity", "kind", "created_at"):
            if len(getattr(self, name)) != n:
                raise InvalidInput(f"History column {name} has the wrong length.")
        for name in ("location_id", "lot_id"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, np.asarray(value, dtype=np.int64))
        for name in ("reference_id", "note", "actor_user_id", "actor_shop_id"):
            value = getattr(self, name)
            if value is not None and np.ndim(value):
                setattr(self, name, np.asarray(value, dtype=object))

    def __len__(self) -> int:
        return len(self.product_id)

    @classmethod
    def of(cls, movements) -> "History":
        """The columns of StockMovement instances (created_at aware)."""
        return cls(
            product_id=[m.product_id for m in movements],
            warehouse_id=[m.warehouse_id for m in movements],
            quantity=[m.quantity for m in movements],
            kind=[m.kind for m in movements],
            created_at=pd.to_datetime([m.created_at for m in movements], utc=True)
            .tz_localize(None)
            .to_numpy(),
            location_id=[m.location_id or 0 for m in movements],
            lot_id=[m.lot_id or 0 for m in movements],
            reference_id=np.array([m.reference_id for m in movements], dtype=object),
            note=np.array([m.note[:500] for m in movements], dtype=object),
            actor_user_id=[m.actor_user_id or 0 for m in movements],
            actor_shop_id=[m.actor_shop_id or 0 for m in movements],
        )


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _running(keys: list[np.ndarray], quantity: np.ndarray) -> np.ndarray:
    """Each row's running total within its group of equal keys, in row order."""
    order = np.lexsort(keys[::-1])  # stable: row order within a group
    q = quantity[order]
    total = np.cumsum(q)
    starts = np.ones(len(order), dtype=bool)
    for key in keys:
        k = key[order]
        starts[1:] &= k[1:] == k[:-1]
    starts = ~starts
    starts[0] = True
    start_index = np.maximum.accumulate(np.where(starts, np.arange(len(q)), 0))
    before = total - q
    running = np.empty_like(total)
    running[order] = total - before[start_index]
    return running


def _day(history: History, index: int) -> str:
    return f"{pd.Timestamp(history.created_at[index]):%Y-%m-%d}"


def history_check(history: History):
    """Check the history and fill in each row's location (the default
    receiving one where its warehouse has locations and it names none) and
    balance_after; return (totals per pair, totals per (product, location,
    warehouse)). Raises InvalidInput on a zero movement, a running balance
    below zero, or a foreign location, naming the first such row."""
    n = len(history)
    p, w, q = history.product_id, history.warehouse_id, history.quantity
    bins = warehouse_bins(set(np.unique(w).tolist()))
    loc = (
        history.location_id.copy()
        if history.location_id is not None
        else np.zeros(n, dtype=np.int64)
    )
    located = {wid: b for wid, b in bins.items() if b.located}
    if located:
        receiving = np.zeros(n, dtype=np.int64)
        for wid, b in located.items():
            receiving[w == wid] = b.receiving_id
        loc = np.where(loc == 0, receiving, loc)
    named = loc != 0
    if named.any():
        homes = dict(
            Location.objects.filter(pk__in=np.unique(loc[named]).tolist()).values_list(
                "pk", "warehouse_id"
            )
        )
        home = np.array([homes.get(x, -1) for x in loc[named].tolist()])
        wrong = np.zeros(n, dtype=bool)
        wrong[named] = (home != -1) & (home != w[named])
        wrong[named] |= ~np.isin(w[named], list(located) or [-1])
        if wrong.any():
            i = _first(wrong)
            raise InvalidInput(
                f"Location {loc[i]} is not in warehouse {w[i]}.", field="location"
            )
    history.location_id = loc if named.any() else None
    balance = _running([p, w], q) if n else np.zeros(0, dtype=np.int64)
    bad = (q == 0) | (balance < 0)
    in_bins: dict = {}
    if named.any():
        idx = np.flatnonzero(named)
        placed = _running([p[idx], loc[idx], w[idx]], q[idx])
        short = placed < 0
        if short.any():
            first_bad = _first(bad) if bad.any() else n
            i = idx[_first(short)]
            if i < first_bad:
                raise InvalidInput(
                    f"History for product {p[i]} at location {loc[i]} goes "
                    f"below zero on {_day(history, i)}."
                )
        frame = pd.DataFrame({"p": p[idx], "l": loc[idx], "w": w[idx], "q": q[idx]})
        in_bins = frame.groupby(["p", "l", "w"])["q"].sum().to_dict()
    if bad.any():
        i = _first(bad)
        raise InvalidInput(
            f"History for product {p[i]} in warehouse {w[i]} goes below "
            f"zero or has a zero movement on {_day(history, i)}."
        )
    history.balance_after = balance
    totals = (
        pd.DataFrame({"p": p, "w": w, "q": q}).groupby(["p", "w"])["q"].sum().to_dict()
        if n
        else {}
    )
    return totals, in_bins


def history_days(history: History) -> pd.DataFrame:
    """The daily roll-up of a checked history: one row per (product_id,
    warehouse_id, date) with shipped, net, low, movements, sorted by key (the
    day in the default time zone, as stock.services.ledger_days.movement_day)."""
    local = (
        pd.DatetimeIndex(history.created_at)
        .tz_localize("UTC")
        .tz_convert(timezone.get_default_timezone())
        .tz_localize(None)
    )
    q = history.quantity
    demand = np.isin(history.kind, [str(k) for k in DEMAND_KINDS])
    frame = pd.DataFrame(
        {
            "product_id": history.product_id,
            "warehouse_id": history.warehouse_id,
            "date": local.normalize(),
            "shipped": np.where(demand, -q, 0),
            "net": q,
            "low": history.balance_after,
            "movements": 1,
        }
    )
    return (
        frame.groupby(["product_id", "warehouse_id", "date"], sort=True)
        .agg(
            shipped=("shipped", "sum"),
            net=("net", "sum"),
            low=("low", "min"),
            movements=("movements", "sum"),
        )
        .reset_index()
    )


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _text(values, n: int, *, ids: bool = False) -> list[str] | str:
    """One COPY text field per row (or one for every row): ids 0/None are NULL."""
    if values is None or (np.ndim(values) == 0 and ids and not values):
        return _NULL
    if np.ndim(values) == 0:
        return _escape(str(values))
    if ids:
        return [str(v) if v else _NULL for v in np.asarray(values).tolist()]
    escaped = {v: _escape(v) for v in set(values.tolist())}
    return [escaped[v] for v in values.tolist()]


_COLUMNS = (
    "product_id",
    "warehouse_id",
    "location_id",
    "lot_id",
    "quantity",
    "balance_after",
    "kind",
    "reference_type",
    "reference_id",
    "actor_user_id",
    "actor_shop_id",
    "created_at",
    "note",
)


def _copy(cursor, sql: str, fields: list, n: int) -> None:
    """COPY n rows of tab-separated text, COPY_CHUNK rows at a time; a field
    is a list (one value per row) or one str for every row."""
    with cursor.copy(sql) as copy:
        for lo in range(0, n, COPY_CHUNK):
            hi = min(lo + COPY_CHUNK, n)
            columns = [
                f[lo:hi] if isinstance(f, list) else [f] * (hi - lo) for f in fields
            ]
            copy.write(
                "".join("\t".join(row) + "\n" for row in zip(*columns, strict=True))
            )


# The columns of a movement that name another row: (column, field name).
_REFERENCES = (
    ("product_id", "product"),
    ("warehouse_id", "warehouse"),
    ("location_id", "location"),
    ("lot_id", "lot"),
    ("actor_user_id", "actor_user"),
    ("actor_shop_id", "actor_shop"),
)


def history_references_lock(history: History) -> str | None:
    """PostgreSQL: check and lock every row the history names, one statement
    per table (core.bulk.references_lock; InvalidInput naming the field),
    then turn row triggers off for the COPYs (core.bulk.row_triggers_off): no
    foreign-key check per row at the commit. Returns what
    history_triggers_back needs after the COPYs."""
    if connection.vendor != "postgresql":
        return None
    ids = {}
    for column, name in _REFERENCES:
        values = getattr(history, column)
        if values is None:
            continue
        values = np.asarray(values).ravel()
        ids[name] = (np.unique(values) if values.dtype != object else values).tolist()
    references_lock(StockMovement, ids)
    # LedgerDay's own trigger (it keeps LedgerWeek) does not count: with row
    # triggers off, history_days_write adds the weeks itself
    return row_triggers_off(StockMovement, LedgerDay, handled=(WEEKS_TRIGGER,))


def history_triggers_back(before: str | None) -> None:
    """Triggers on again (before the level rows move: their deferred check
    that the bins match the level must be queued)."""
    row_triggers_on(StockMovement, before)


def history_insert(history: History, reference_type: str) -> None:
    """Write the checked rows: COPY on PostgreSQL, bulk_create elsewhere."""
    n = len(history)
    if connection.vendor != "postgresql":
        StockMovement.objects.bulk_create(_instances(history, reference_type), 5000)
        return
    stamps = np.datetime_as_string(history.created_at, unit="us")
    fields = [
        history.product_id.astype(str).tolist(),
        history.warehouse_id.astype(str).tolist(),
        _text(history.location_id, n, ids=True),
        _text(history.lot_id, n, ids=True),
        history.quantity.astype(str).tolist(),
        history.balance_after.astype(str).tolist(),
        _text(history.kind.astype(str), n),
        _escape(str(reference_type)),
        _text(history.reference_id, n),
        _text(history.actor_user_id, n, ids=True),
        _text(history.actor_shop_id, n, ids=True),
        [s + "+00" for s in stamps.tolist()],
        _text(history.note, n),
    ]
    table = StockMovement._meta.db_table
    with connection.cursor() as cursor:
        _copy(
            cursor.cursor,
            f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN",
            fields,
            n,
        )


def _instances(history: History, reference_type: str) -> list[StockMovement]:
    n = len(history)

    def column(values, default):
        if values is None or np.ndim(values) == 0:
            return [values if values is not None else default] * n
        return np.asarray(values).tolist()

    created = pd.DatetimeIndex(history.created_at).tz_localize("UTC").to_pydatetime()
    return [
        StockMovement(
            product_id=p,
            warehouse_id=w,
            location_id=loc or None,
            lot_id=lot or None,
            quantity=q,
            balance_after=b,
            kind=k,
            reference_type=reference_type,
            reference_id=rid,
            actor_user_id=user or None,
            actor_shop_id=shop or None,
            created_at=at,
            note=note,
        )
        for p, w, loc, lot, q, b, k, rid, user, shop, at, note in zip(
            history.product_id.tolist(),
            history.warehouse_id.tolist(),
            column(history.location_id, 0),
            column(history.lot_id, 0),
            history.quantity.tolist(),
            history.balance_after.tolist(),
            history.kind.tolist(),
            column(history.reference_id, ""),
            column(history.actor_user_id, 0),
            column(history.actor_shop_id, 0),
            created,
            column(history.note, ""),
            strict=True,
        )
    ]


def history_days_write(
    days: pd.DataFrame, now: datetime, triggers_off: bool = False
) -> None:
    """Write the roll-up of a history of pairs without a ledger to LedgerDay:
    by COPY on PostgreSQL, elsewhere through ledger_days_add. LedgerDay's
    trigger adds the rows to the weekly roll-up (LedgerWeek); with row
    triggers off (`triggers_off`, history_references_lock) it does not fire,
    and one upsert here adds them instead."""
    from .ledger_days import ledger_days_add

    if not len(days):
        return
    dates = days["date"].dt.date
    if connection.vendor != "postgresql":
        ledger_days_add(
            {
                (p, w, d): [s, net, low, m]
                for p, w, d, s, net, low, m in zip(
                    days["product_id"].tolist(),
                    days["warehouse_id"].tolist(),
                    dates.tolist(),
                    days["shipped"].tolist(),
                    days["net"].tolist(),
                    days["low"].tolist(),
                    days["movements"].tolist(),
                    strict=True,
                )
            },
            now=now,
        )
        return
    n = len(days)
    fields = [
        days[c].astype(str).tolist()
        for c in ("product_id", "warehouse_id", "date", "shipped", "net", "low")
    ]
    fields[2] = [d[:10] for d in fields[2]]
    fields += [days["movements"].astype(str).tolist(), now.isoformat()]
    # The pairs have no movements and their level rows are locked (no post on
    # them can commit first), so the roll-up, which equals the ledger, has no
    # row for them: the rows go straight in (a row there would make the COPY
    # fail on ledgerday_unique, and nothing be written). The backfill's SHARE
    # ROW EXCLUSIVE lock waits for this transaction.
    table = LedgerDay._meta.db_table
    columns = "product_id, warehouse_id, date, shipped, net, low, movements"
    with connection.cursor() as cursor:
        sql = f"COPY {table} ({columns}, updated_at) FROM STDIN"
        _copy(cursor.cursor, sql, fields, n)
    if triggers_off:
        ledger_weeks_add_written(now, set(days["product_id"].tolist()))


def history_levels(totals: dict) -> None:
    """Add each pair's total to its level row (which exists): one UPDATE on
    PostgreSQL, one per pair elsewhere."""
    from django.db.models import F

    if not totals:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        for (product_id, warehouse_id), total in sorted(totals.items()):
            StockLevel.objects.filter(
                product_id=product_id, warehouse_id=warehouse_id
            ).update(on_hand=F("on_hand") + total, updated_at=now)
        return
    keys = sorted(totals)
    table = StockLevel._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET on_hand = s.on_hand + v.total, updated_at = %s"
            " FROM unnest(%s::bigint[], %s::bigint[], %s::integer[])"
            " AS v(product_id, warehouse_id, total)"
            " WHERE s.product_id = v.product_id AND s.warehouse_id = v.warehouse_id",
            [
                now,
                [k[0] for k in keys],
                [k[1] for k in keys],
                [int(totals[k]) for k in keys],
            ],
        )


def history_lock_levels(pairs: set) -> None:
    """PostgreSQL: lock the pairs' level rows in (product, warehouse) order,
    the ledger's lock order, so no post on them runs during the load."""
    if connection.vendor != "postgresql" or not pairs:
        return
    keys = sorted(pairs)
    table = StockLevel._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} AS s"
            " JOIN unnest(%s::bigint[], %s::bigint[]) AS v(product_id, warehouse_id)"
            " ON s.product_id = v.product_id AND s.warehouse_id = v.warehouse_id"
            " ORDER BY s.product_id, s.warehouse_id FOR UPDATE OF s",
            [[k[0] for k in keys], [k[1] for k in keys]],
        )


__all__ = [
    "History",
    "history_check",
    "history_days",
    "history_days_write",
    "history_insert",
    "history_levels",
    "history_lock_levels",
    "history_references_lock",
    "history_triggers_back",
]
