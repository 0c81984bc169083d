"""Daily demand per product x warehouse, derived from the ledger or imported.

The ledger's daily roll-up (stock.LedgerDay, written with every movement) is
read here, never the movements themselves, a pass of products at a time so a
sync of any catalogue holds a bounded slice in memory.

A day whose stock opened at zero with nothing sold, or that sold out, is
censored: the zero (or the partial quantity) sold is not the demand. A day a
shop was refused a short line (stock.LostSale) is censored too, and its demand
is what shipped plus what was refused: a lower bound, still (a buyer refused
once may have tried again; a buyer who saw "sold out" never asked).
"""

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.bulk import references_lock, row_triggers_off, row_triggers_on
from stock.models import LedgerDay, LostSale, StockLevel
from stock.selectors.ledger_days import product_passes

from ..models import DemandDay, DemandSource

BATCH = 5000
# Products per pass of the sync: at 5 warehouses and 730 days, ~1 M ledger
# days, a few hundred MB at most.
PRODUCTS_PER_PASS = 300
# A chunk whose pairs span more than SPARSE x as many products as it has pairs
# reads by product ids instead of by range.
SPARSE = 4
_DEMAND_COLUMNS = ("product_id", "warehouse_id", "date", "quantity", "censored")


def _ledger_days(first: int, last: int, since: date | None, until: date):
    """The pass's roll-up rows from `since` (all when None) to `until`, and
    per pair the first day it moved and the on hand it carried into `since`."""
    span = LedgerDay.objects.filter(
        product_id__gte=first, product_id__lte=last, date__lte=until
    )
    rows = span if since is None else span.filter(date__gte=since)
    frame = pd.DataFrame.from_records(
        rows.values_list(
            "product_id", "warehouse_id", "date", "net", "shipped", "low"
        ).order_by(),
        columns=["product_id", "warehouse_id", "day", "net", "sold", "low"],
    )
    sums = {"first": Min("date")}
    if since is not None:
        sums["carried"] = Sum("net", filter=Q(date__lt=since))
    pairs = pd.DataFrame.from_records(
        span.values("product_id", "warehouse_id").annotate(**sums).order_by(),
        columns=["product_id", "warehouse_id", *sums],
    )
    pairs["carried"] = pairs.get("carried", 0)
    pairs["carried"] = pairs["carried"].fillna(0).astype("int64")
    return frame, pairs


def _calendar(frame: pd.DataFrame, pairs: pd.DataFrame, since, until) -> pd.DataFrame:
    """Every day of each pair from its first movement (or `since`) to `until`,
    with the day's sold units, whether it is censored, in numpy over all pairs."""
    if pairs.empty:
        return pd.DataFrame(columns=["product_id", "warehouse_id", "day", "sold"])
    end = np.datetime64(until, "D")
    first = pd.to_datetime(pairs["first"]).to_numpy().astype("datetime64[D]")
    if since is not None:
        first = np.maximum(first, np.datetime64(since, "D"))
    lengths = (end - first).astype(np.int64) + 1
    keep = lengths > 0
    pairs, first, lengths = pairs[keep], first[keep], lengths[keep]
    n = int(lengths.sum())
    owner = np.repeat(np.arange(len(pairs)), lengths)
    starts = np.cumsum(lengths) - lengths
    offset = np.arange(n) - np.repeat(starts, lengths)
    days = np.repeat(first, lengths) + offset.astype("timedelta64[D]")
    net = np.zeros(n, dtype=np.int64)
    sold = np.zeros(n, dtype=np.int64)
    low = np.full(n, -1, dtype=np.int64)
    moved = np.zeros(n, dtype=bool)
    if not frame.empty:
        index = pd.MultiIndex.from_arrays([pairs["product_id"], pairs["warehouse_id"]])
        at = index.get_indexer(
            pd.MultiIndex.from_arrays([frame["product_id"], frame["warehouse_id"]])
        )
        day = pd.to_datetime(frame["day"]).to_numpy().astype("datetime64[D]")
        inside = at >= 0
        position = starts[at] + (day - first[at]).astype(np.int64)
        inside &= (position >= starts[at]) & (position < starts[at] + lengths[at])
        position = position[inside]
        net[position] = frame["net"].to_numpy()[inside]
        sold[position] = frame["sold"].to_numpy()[inside]
        low[position] = frame["low"].to_numpy()[inside]
        moved[position] = True
    # closing = carried in + running sum of net within the pair
    running = np.cumsum(net)
    before = np.repeat(running[starts] - net[starts], lengths)
    closing = pairs["carried"].to_numpy()[owner] + running - before
    opening = closing - net
    censored = ((opening <= 0) & (sold == 0)) | (moved & (low == 0))
    return pd.DataFrame(
        {
            "product_id": pairs["product_id"].to_numpy()[owner],
            "warehouse_id": pairs["warehouse_id"].to_numpy()[owner],
            "day": days.astype("datetime64[ns]"),
            "sold": sold,
            "censored": censored,
        }
    )


def _add_refused(frame: pd.DataFrame, first: int, last: int, since, until):
    """Add the units refused for lack of stock to the days they were refused,
    and mark those days censored (a refusal is a stock-out seen by a buyer)."""
    rows = LostSale.objects.filter(
        short=True,
        product_id__gte=first,
        product_id__lte=last,
        created_at__date__lte=until,
    )
    if since is not None:
        rows = rows.filter(created_at__date__gte=since)
    refused = pd.DataFrame.from_records(
        rows.annotate(
            day=TruncDate("created_at", tzinfo=timezone.get_default_timezone())
        )
        .values("product_id", "warehouse_id", "day")
        .annotate(refused=Sum("quantity"))
        .order_by(),
        columns=["product_id", "warehouse_id", "day", "refused"],
    )
    if refused.empty or frame.empty:
        return frame
    refused["day"] = pd.to_datetime(refused["day"])
    keys = ["product_id", "warehouse_id", "day"]
    frame = frame.merge(refused, on=keys, how="left")
    lost = frame.pop("refused").fillna(0).astype(np.int64)
    frame["censored"] = frame["censored"].astype(bool) | (lost > 0)
    frame["sold"] = frame["sold"] + lost
    return frame


def demand_history_sync(*, until: date | None = None, full: bool = False) -> int:
    """Bring DemandDay up to date with the ledger, up to yesterday by default.

    Incremental: only days from the last synced ledger day on are rewritten
    (every pair that ever moved gets each new day, zero or not), unless
    `full` is set. Reads the ledger's daily roll-up a pass of products at a
    time; each pass is written in its own transaction.
    """
    until = until or date.today() - timedelta(days=1)
    since = None
    if not full:
        since = DemandDay.objects.filter(source=DemandSource.LEDGER).aggregate(
            last=Max("date")
        )["last"]
    written = 0
    # every pair with a movement has a level row
    for first, last in product_passes(StockLevel.objects.all(), PRODUCTS_PER_PASS):
        frame, pairs = _ledger_days(first, last, since, until)
        frame = _calendar(frame, pairs, since, until)
        frame = _add_refused(frame, first, last, since, until)
        written += _demand_days_write(frame)
    return written


def _demand_days_write(frame: pd.DataFrame) -> int:
    """Upsert the frame's days as ledger demand (quantity, censored, source)."""
    if frame.empty:
        return 0
    frame = pd.DataFrame(
        {
            "product_id": frame["product_id"].astype(np.int64),
            "warehouse_id": frame["warehouse_id"].astype(np.int64),
            # PostgreSQL takes the ISO text (COPY); a date per row elsewhere
            "date": (
                np.datetime_as_string(
                    pd.to_datetime(frame["day"]).to_numpy().astype("datetime64[D]")
                )
                if connection.vendor == "postgresql"
                else pd.to_datetime(frame["day"]).dt.date
            ),
            "quantity": frame["sold"].astype(np.int64),
            "censored": frame["censored"].astype(bool),
        }
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # the pass's products and warehouses checked and locked once, not
            # one foreign-key check per day at the commit
            references_lock(
                DemandDay,
                {
                    "product": frame["product_id"].unique().tolist(),
                    "warehouse": frame["warehouse_id"].unique().tolist(),
                },
            )
            before = row_triggers_off(DemandDay, upsert=True)
            _copy_upsert(frame)
            row_triggers_on(DemandDay, before)
        else:
            objects = [
                DemandDay(
                    product_id=p,
                    warehouse_id=w,
                    date=d,
                    quantity=q,
                    censored=c,
                    source=DemandSource.LEDGER,
                )
                for p, w, d, q, c in zip(
                    frame["product_id"].tolist(),
                    frame["warehouse_id"].tolist(),
                    frame["date"],
                    frame["quantity"].tolist(),
                    frame["censored"].tolist(),
                    strict=True,
                )
            ]
            for start in range(0, len(objects), BATCH):
                DemandDay.objects.bulk_create(
                    objects[start : start + BATCH],
                    update_conflicts=True,
                    unique_fields=["product", "warehouse", "date"],
                    update_fields=["quantity", "censored", "source"],
                )
    return len(frame)


def _copy_upsert(frame: pd.DataFrame) -> None:
    """PostgreSQL: COPY the frame (as one tab-separated text, written by
    pandas) into a temporary table, then one INSERT ... ON CONFLICT from it,
    instead of a statement per 5,000 rows to build and parse. A row equal to
    the stored one is not rewritten."""
    table = DemandDay._meta.db_table
    columns = ", ".join(_DEMAND_COLUMNS)
    text = frame.to_csv(sep="\t", header=False, index=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS demand_sync "
            "(product_id bigint, warehouse_id bigint, date date, quantity integer, "
            "censored boolean) ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(f"COPY demand_sync ({columns}) FROM STDIN") as copy:
            copy.write(text)
        cursor.execute(
            f"""
            INSERT INTO {table} ({columns}, promo, source, written_at)
            SELECT {columns}, false, %s, %s FROM demand_sync
            ORDER BY product_id, warehouse_id, date
            ON CONFLICT (product_id, warehouse_id, date) DO UPDATE SET
                quantity = excluded.quantity,
                censored = excluded.censored,
                source = excluded.source
            WHERE ({table}.quantity, {table}.censored, {table}.source)
                IS DISTINCT FROM (excluded.quantity, excluded.censored,
                                  excluded.source)
            """,
            [DemandSource.LEDGER, timezone.now()],
        )
        cursor.execute("TRUNCATE demand_sync")


def demand_frame(pairs: list[tuple[int, int]] | None = None) -> pd.DataFrame:
    """History as the engine takes it: series_id, date, quantity, price, promo,
    censored, plus product_id and warehouse_id.

    With `pairs` (a chunk's, sorted), the rows are read by keyset: the range
    of the unique (product, warehouse, date) index from the first pair to the
    last, never an IN list of every product."""
    rows = DemandDay.objects.all()
    if pairs is not None:
        pairs = sorted(pairs)
        if not pairs:
            rows = rows.none()
        else:
            (p0, w0), (p1, w1) = pairs[0], pairs[-1]
            if p1 - p0 + 1 > SPARSE * len(pairs):
                # a few scattered pairs (a run of changed series only): their
                # products, not the whole range between them
                rows = rows.filter(product_id__in={p for p, _ in pairs})
            else:
                # the plain bounds give the planner the index range; the
                # edges trim the first and last products' warehouses
                rows = rows.filter(
                    Q(product_id__gte=p0, product_id__lte=p1)
                    & (Q(product_id__gt=p0) | Q(product_id=p0, warehouse_id__gte=w0))
                    & (Q(product_id__lt=p1) | Q(product_id=p1, warehouse_id__lte=w1))
                )
    frame = pd.DataFrame.from_records(
        rows.values_list(
            "product_id",
            "warehouse_id",
            "date",
            "quantity",
            "price",
            "promo",
            "censored",
        ).order_by(),
        columns=[
            "product_id",
            "warehouse_id",
            "date",
            "quantity",
            "price",
            "promo",
            "censored",
        ],
    )
    if pairs is not None and not frame.empty:
        wanted = pd.MultiIndex.from_tuples(pairs)
        keys = pd.MultiIndex.from_arrays([frame["product_id"], frame["warehouse_id"]])
        frame = frame[keys.isin(wanted)]
    frame["date"] = pd.to_datetime(frame["date"])
    frame["price"] = pd.to_numeric(frame["price"], errors="coerce")
    frame["series_id"] = (
        frame["product_id"].astype(str) + ":" + frame["warehouse_id"].astype(str)
    )
    return frame.sort_values(["series_id", "date"]).reset_index(drop=True)


def history_changed_pairs(since: datetime) -> set[tuple[int, int]]:
    """The pairs whose history changed since `since`: a movement posted (also
    one dated in the past), a sale refused, or a day imported."""
    changed = set(
        LedgerDay.objects.filter(updated_at__gte=since)
        .values_list("product_id", "warehouse_id")
        .distinct()
    )
    changed |= set(
        LostSale.objects.filter(created_at__gte=since, warehouse__isnull=False)
        .values_list("product_id", "warehouse_id")
        .distinct()
    )
    changed |= set(
        DemandDay.objects.filter(source=DemandSource.IMPORT, written_at__gte=since)
        .values_list("product_id", "warehouse_id")
        .distinct()
    )
    return changed
