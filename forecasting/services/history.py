"""Daily demand per product x warehouse, derived from the ledger or imported.

A day whose stock opened at zero with nothing sold, or that sold out, is
censored: the zero (or the partial quantity) sold is not the demand. A day a
shop was refused a short line (stock.LostSale) is censored too, and its demand
is what shipped plus what was refused: a lower bound, still (a buyer refused
once may have tried again; a buyer who saw "sold out" never asked).
"""

from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.db.models.functions import TruncDate

from stock.models import DEMAND_Q, LostSale, StockMovement

from ..models import DemandDay, DemandSource

BATCH = 5000


def _ledger_days(since: date | None, until: date) -> pd.DataFrame:
    movements = StockMovement.objects.filter(created_at__date__lte=until)
    rows = (
        movements.annotate(day=TruncDate("created_at"))
        .values("product_id", "warehouse_id", "day")
        .annotate(
            net=Sum("quantity"),
            sold=Sum("quantity", filter=DEMAND_Q),
            low=Min("balance_after"),
        )
        .order_by()
    )
    frame = pd.DataFrame.from_records(
        rows, columns=["product_id", "warehouse_id", "day", "net", "sold", "low"]
    )
    if frame.empty:
        return frame
    frame["day"] = pd.to_datetime(frame["day"])
    frame["sold"] = -frame["sold"].fillna(0).astype("int64")
    frame = frame.sort_values(["product_id", "warehouse_id", "day"])
    frame["closing"] = frame.groupby(["product_id", "warehouse_id"])["net"].cumsum()
    if since is not None:
        frame = frame[frame["day"] >= pd.Timestamp(since) - pd.Timedelta(days=1)]
    return frame


def _fill_calendar(frame: pd.DataFrame, until: date) -> pd.DataFrame:
    """Every day from a pair's first movement to `until`, closing carried over."""
    pieces = []
    end = pd.Timestamp(until)
    for (product_id, warehouse_id), group in frame.groupby(
        ["product_id", "warehouse_id"], sort=False
    ):
        days = pd.date_range(group["day"].iloc[0], end, freq="D")
        full = group.set_index("day").reindex(days)
        full["closing"] = full["closing"].ffill()
        full["sold"] = full["sold"].fillna(0)
        moved = full["net"].notna()
        opening = full["closing"].shift(1).fillna(0)
        full["censored"] = ((opening <= 0) & (full["sold"] == 0)) | (
            moved & (full["low"] == 0)
        )
        full["product_id"], full["warehouse_id"] = product_id, warehouse_id
        pieces.append(full.rename_axis("day").reset_index())
    return pd.concat(pieces, ignore_index=True) if pieces else frame


def _add_refused(frame: pd.DataFrame, since: date | None, until: date):
    """Add the units refused for lack of stock to the days they were refused,
    and mark those days censored (a refusal is a stock-out seen by a buyer)."""
    rows = LostSale.objects.filter(short=True, created_at__date__lte=until)
    if since is not None:
        rows = rows.filter(created_at__date__gte=since)
    refused = pd.DataFrame.from_records(
        rows.annotate(day=TruncDate("created_at"))
        .values("product_id", "warehouse_id", "day")
        .annotate(refused=Sum("quantity"))
        .order_by(),
        columns=["product_id", "warehouse_id", "day", "refused"],
    )
    if refused.empty:
        return frame
    refused["day"] = pd.to_datetime(refused["day"])
    keys = ["product_id", "warehouse_id", "day"]
    frame = frame.merge(refused, on=keys, how="left")
    lost = frame.pop("refused").fillna(0)
    frame["censored"] = frame["censored"].astype(bool) | (lost > 0)
    frame["sold"] = frame["sold"] + lost
    return frame


def demand_history_sync(*, until: date | None = None, full: bool = False) -> int:
    """Bring DemandDay up to date with the ledger, up to yesterday by default.

    Incremental: only days from the last synced ledger day on are rewritten,
    unless `full` is set.
    """
    until = until or date.today() - timedelta(days=1)
    since = None
    if not full:
        since = DemandDay.objects.filter(source=DemandSource.LEDGER).aggregate(
            last=Max("date")
        )["last"]
    frame = _ledger_days(since, until)
    if frame.empty:
        return 0
    frame = _fill_calendar(frame, until)
    frame = _add_refused(frame, since, until)
    if since is not None:
        frame = frame[frame["day"] >= pd.Timestamp(since)]
    objects = [
        DemandDay(
            product_id=int(p),
            warehouse_id=int(w),
            date=d.date(),
            quantity=int(q),
            censored=bool(c),
            source=DemandSource.LEDGER,
        )
        for p, w, d, q, c in zip(
            frame["product_id"],
            frame["warehouse_id"],
            frame["day"],
            frame["sold"].astype(np.int64),
            frame["censored"],
            strict=True,
        )
    ]
    with transaction.atomic():
        for start in range(0, len(objects), BATCH):
            DemandDay.objects.bulk_create(
                objects[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["product", "warehouse", "date"],
                update_fields=["quantity", "censored", "source"],
            )
    return len(objects)


def demand_frame(pairs: list[tuple[int, int]] | None = None) -> pd.DataFrame:
    """History as the engine takes it: series_id, date, quantity, price, promo,
    censored, plus product_id and warehouse_id."""
    rows = DemandDay.objects.all()
    if pairs is not None:
        products = {p for p, _ in pairs}
        warehouses = {w for _, w in pairs}
        rows = rows.filter(product_id__in=products, warehouse_id__in=warehouses)
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
