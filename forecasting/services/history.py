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
from django.db.models import Exists, Max, Min, OuterRef, Q, Subquery, Sum
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


def _synced_to(first: int, last: int) -> dict[tuple[int, int], date]:
    """The newest ledger day DemandDay holds of each pair of the pass (pairs
    with none are left out): one probe of the (product, warehouse, date)
    index per pair, newest first, not a read of the pass's days."""
    newest = (
        DemandDay.objects.filter(
            product_id=OuterRef("product_id"),
            warehouse_id=OuterRef("warehouse_id"),
            source=DemandSource.LEDGER,
        )
        .order_by("-date")
        .values("date")[:1]
    )
    rows = (
        StockLevel.objects.filter(product_id__gte=first, product_id__lte=last)
        .annotate(newest=Subquery(newest))
        .values_list("product_id", "warehouse_id", "newest")
        .order_by()
    )
    # filtered here: a filter on the subquery runs it a second time
    return {(p, w): d for p, w, d in rows if d is not None}


def _ledger_days(first: int, last: int, since: date | None, until: date, synced=None):
    """The pass's roll-up rows from `since` (all when None) to `until`, and
    per pair the first day it moved and the on hand it carried into `since`.

    With `synced` (pairs -> newest day in DemandDay), a pair not in it is
    fresh: its days are read from its first movement whatever `since` is."""
    span = LedgerDay.objects.filter(
        product_id__gte=first, product_id__lte=last, date__lte=until
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
    pairs["fresh"] = False
    rows = span
    if since is not None and synced is not None and not pairs.empty:
        keys = zip(pairs["product_id"], pairs["warehouse_id"], strict=True)
        pairs["fresh"] = [k not in synced for k in keys]
        pairs["fresh"] &= pd.to_datetime(pairs["first"]) < pd.Timestamp(since)
        pairs.loc[pairs["fresh"], "carried"] = 0
    if since is not None:
        # a fresh pair's product is read whole (_calendar drops the days of
        # its other pairs before `since`)
        early = set(pairs.loc[pairs["fresh"], "product_id"].tolist())
        rows = span.filter(Q(date__gte=since) | Q(product_id__in=early))
    frame = pd.DataFrame.from_records(
        rows.values_list(
            "product_id", "warehouse_id", "date", "net", "shipped", "low"
        ).order_by(),
        columns=["product_id", "warehouse_id", "day", "net", "sold", "low"],
    )
    return frame, pairs


def _calendar(frame: pd.DataFrame, pairs: pd.DataFrame, since, until) -> pd.DataFrame:
    """Every day of each pair from its first movement (or `since`, unless the
    pair is `fresh`) to `until`, with the day's sold units, whether it is
    censored, in numpy over all pairs."""
    if pairs.empty:
        return pd.DataFrame(columns=["product_id", "warehouse_id", "day", "sold"])
    end = np.datetime64(until, "D")
    first = pd.to_datetime(pairs["first"]).to_numpy().astype("datetime64[D]")
    if since is not None:
        late = np.maximum(first, np.datetime64(since, "D"))
        fresh = pairs["fresh"].to_numpy(bool) if "fresh" in pairs else False
        first = np.where(fresh, first, late)
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


def _add_refused(frame: pd.DataFrame, first: int, last: int, since, until, early=()):
    """Add the units refused for lack of stock to the days they were refused,
    and mark those days censored (a refusal is a stock-out seen by a buyer).
    The `early` products' refusals are read from before `since` too."""
    rows = LostSale.objects.filter(
        short=True,
        product_id__gte=first,
        product_id__lte=last,
        created_at__date__lte=until,
    )
    if since is not None:
        rows = rows.filter(Q(created_at__date__gte=since) | Q(product_id__in=early))
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

    Incremental: each pass rewrites the days from the oldest of its pairs'
    newest synced day on (every pair that ever moved gets each new day, zero
    or not), and a pair with no day yet from its first movement, unless
    `full` is set. Reads the ledger's daily roll-up a pass of products at a
    time; each pass is written in its own transaction, so a sync that dies
    part-way leaves the later passes behind, and the next one completes them.
    """
    until = until or date.today() - timedelta(days=1)
    written = 0
    # every pair with a movement has a level row
    for first, last in product_passes(StockLevel.objects.all(), PRODUCTS_PER_PASS):
        synced = since = None
        if not full:
            synced = _synced_to(first, last)
            since = min(synced.values(), default=None)
        frame, pairs = _ledger_days(first, last, since, until, synced)
        early = set(pairs.loc[pairs["fresh"], "product_id"].tolist())
        frame = _calendar(frame, pairs, since, until)
        frame = _add_refused(frame, first, last, since, until, early)
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


def _pairs_filter(pairs: list[tuple[int, int]]) -> Q:
    """The rows of the sorted pairs by keyset: the range of the (product,
    warehouse, date) index from the first pair to the last, or the pairs'
    products when they are scattered (a run of changed series only)."""
    (p0, w0), (p1, w1) = pairs[0], pairs[-1]
    if p1 - p0 + 1 > SPARSE * len(pairs):
        return Q(product_id__in={p for p, _ in pairs})
    # the plain bounds give the planner the index range; the edges trim the
    # first and last products' warehouses
    return (
        Q(product_id__gte=p0, product_id__lte=p1)
        & (Q(product_id__gt=p0) | Q(product_id=p0, warehouse_id__gte=w0))
        & (Q(product_id__lt=p1) | Q(product_id=p1, warehouse_id__lte=w1))
    )


def _only_pairs(frame: pd.DataFrame, pairs) -> pd.DataFrame:
    """The frame's rows of the pairs (a range read also holds its neighbours)."""
    if frame.empty:
        return frame
    wanted = pd.MultiIndex.from_tuples(pairs)
    keys = pd.MultiIndex.from_arrays([frame["product_id"], frame["warehouse_id"]])
    return frame[keys.isin(wanted)]


_FRAME_COLUMNS = [
    "product_id",
    "warehouse_id",
    "date",
    "quantity",
    "price",
    "promo",
    "censored",
]


def _frame_finish(frame: pd.DataFrame) -> pd.DataFrame:
    """The engine's frame: typed columns, a series_id, sorted by series and date.

    The series_id text is made once per pair, not per row, and the rows are
    put in the order sorting by (series_id, date) gives (one row per pair and
    day) by each pair's rank, without comparing a string per row."""
    frame["date"] = pd.to_datetime(frame["date"])
    frame["price"] = pd.to_numeric(frame["price"], errors="coerce")
    product = frame["product_id"].to_numpy(dtype=np.int64)
    warehouse = frame["warehouse_id"].to_numpy(dtype=np.int64)
    codes, keys = pd.factorize((product << 32) | warehouse)
    labels = np.array([f"{k >> 32}:{k & 0xFFFFFFFF}" for k in keys], dtype=object)
    rank = np.empty(len(labels), dtype=np.int64)
    rank[np.argsort(labels, kind="stable")] = np.arange(len(labels))
    frame["series_id"] = labels[codes]
    order = np.lexsort((frame["date"].to_numpy(), rank[codes]))
    return frame.iloc[order].reset_index(drop=True)


def demand_frame(pairs: list[tuple[int, int]] | None = None) -> pd.DataFrame:
    """History as the engine takes it, from DemandDay: series_id, date,
    quantity, price, promo, censored, plus product_id and warehouse_id.

    With `pairs` (a chunk's, sorted), the rows are read by keyset: the range
    of the unique (product, warehouse, date) index from the first pair to the
    last, never an IN list of every product."""
    rows = DemandDay.objects.all()
    if pairs is not None:
        pairs = sorted(pairs)
        rows = rows.filter(_pairs_filter(pairs)) if pairs else rows.none()
    frame = pd.DataFrame.from_records(
        rows.values_list(*_FRAME_COLUMNS).order_by(), columns=_FRAME_COLUMNS
    )
    if pairs is not None:
        frame = _only_pairs(frame, pairs)
    return _frame_finish(frame)


def ledger_demand_frame(pairs: list[tuple[int, int]], until: date) -> pd.DataFrame:
    """demand_frame(pairs) as it is after a full demand_history_sync(until),
    derived from the ledger's roll-up without DemandDay's copy of it: what a
    retrain chunk reads, so a retrain never waits for the densified table.

    The chunk's roll-up rows (a keyset range), its pairs' dense calendar and
    censoring (`_calendar`, the sync's own), the refused sales (`_add_refused`),
    and the days DemandDay holds that the ledger does not (imports). Where an
    imported day falls inside a pair's ledger calendar, the ledger's quantity
    and censoring win and the import's price and promo stay, as the sync's
    upsert leaves them (on a row it then marks as the ledger's: so the rows
    read here are the imported ones and those with a price or a promotion)."""
    pairs = sorted(pairs)
    if not pairs:
        return demand_frame([])
    where = _pairs_filter(pairs)
    ledger = _only_pairs(
        pd.DataFrame.from_records(
            LedgerDay.objects.filter(where, date__lte=until)
            .values_list("product_id", "warehouse_id", "date", "net", "shipped", "low")
            .order_by(),
            columns=["product_id", "warehouse_id", "day", "net", "sold", "low"],
        ),
        pairs,
    )
    spans = (
        ledger.groupby(["product_id", "warehouse_id"], sort=True)["day"]
        .min()
        .rename("first")
        .reset_index()
    )
    spans["carried"] = 0
    days = _calendar(ledger, spans, None, until)
    if days.empty:
        days = days.assign(censored=pd.Series(dtype=bool))
    days = _add_refused(days, pairs[0][0], pairs[-1][0], None, until)
    imported = _only_pairs(
        pd.DataFrame.from_records(
            DemandDay.objects.filter(where)
            .filter(
                ~Q(source=DemandSource.LEDGER) | Q(price__isnull=False) | Q(promo=True)
            )
            .values_list(*_FRAME_COLUMNS)
            .order_by(),
            columns=_FRAME_COLUMNS,
        ),
        pairs,
    )
    derived = pd.DataFrame(
        {
            "product_id": days["product_id"].astype(np.int64),
            "warehouse_id": days["warehouse_id"].astype(np.int64),
            "date": pd.to_datetime(days["day"]),
            "quantity": days["sold"].astype(np.int64),
            "censored": days["censored"].astype(bool),
        }
    )
    if imported.empty:
        derived["price"] = np.nan
        derived["promo"] = False
        return _frame_finish(derived[_FRAME_COLUMNS])
    imported["price"] = pd.to_numeric(imported["price"], errors="coerce")
    imported["date"] = pd.to_datetime(imported["date"])
    keys = ["product_id", "warehouse_id", "date"]
    derived = derived.merge(
        imported[[*keys, "price", "promo"]], on=keys, how="left", validate="1:1"
    )
    derived["promo"] = derived["promo"].astype("boolean").fillna(False).astype(bool)
    seen = pd.MultiIndex.from_frame(derived[keys])
    alone = imported[~pd.MultiIndex.from_frame(imported[keys]).isin(seen)]
    frame = pd.concat([derived[_FRAME_COLUMNS], alone[_FRAME_COLUMNS]])
    return _frame_finish(frame.reset_index(drop=True))


def history_pairs(until: date) -> tuple[list[tuple[int, int]], date | None]:
    """The pairs a retrain fits, sorted (every active product's pair with a
    ledger day up to `until` or an imported day), and the newest day of
    history: `until` once anything moved (the sync carries every pair to it),
    else the newest imported day."""
    moved = LedgerDay.objects.filter(
        product_id=OuterRef("product_id"),
        warehouse_id=OuterRef("warehouse_id"),
        date__lte=until,
    )
    pairs = set(
        StockLevel.objects.filter(Exists(moved), product__is_active=True)
        .values_list("product_id", "warehouse_id")
        .distinct()
    )
    # the import source, as the partial index demandday_imported_at is
    imported = DemandDay.objects.filter(source=DemandSource.IMPORT)
    pairs |= set(
        imported.filter(product__is_active=True)
        .values_list("product_id", "warehouse_id")
        .distinct()
    )
    last = imported.aggregate(last=Max("date"))["last"]
    if LedgerDay.objects.filter(date__lte=until).exists():
        last = max(last, until) if last else until
    return sorted(pairs), last


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
