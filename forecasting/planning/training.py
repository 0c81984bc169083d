"""What a retrain adds to the demand frame: approved outlier decisions (an
overlay on the raw history), promotions as ``promo`` (and their prices), and
calendar events as ``event``, both over the history and the forecast horizon."""

import numpy as np
import pandas as pd
from django.db.models import Q

from catalog.models import Product
from stock.models import SalesOrderLine

from .models import (
    CalendarEvent,
    DemandOutlier,
    OutlierAction,
    OutlierStatus,
    Promotion,
    PromotionScope,
)


def apply_outlier_decisions(frame: pd.DataFrame) -> pd.DataFrame:
    """Approved flags only: an excluded day becomes censored (the engine imputes
    it and never scores it), a capped day takes the typical level."""
    if frame.empty:
        return frame
    approved = pd.DataFrame.from_records(
        DemandOutlier.objects.filter(
            status=OutlierStatus.APPROVED,
            product_id__in=frame["product_id"].unique().tolist(),
        )
        .values_list("product_id", "warehouse_id", "date", "action", "typical")
        .order_by(),
        columns=["product_id", "warehouse_id", "date", "action", "typical"],
    )
    if approved.empty:
        return frame
    approved["date"] = pd.to_datetime(approved["date"])
    m = frame.merge(approved, on=["product_id", "warehouse_id", "date"], how="left")
    exclude = m["action"].eq(OutlierAction.EXCLUDE).to_numpy()
    cap = m["action"].eq(OutlierAction.CAP).to_numpy()
    out = frame.copy()
    out["censored"] = out["censored"].astype(bool) | exclude
    capped = np.minimum(out["quantity"], np.round(m["typical"].to_numpy()))
    out["quantity"] = np.where(cap, capped, out["quantity"])
    return out


def _promotion_products(promotions: list[Promotion]) -> dict[int, set[int]]:
    """Product ids each promotion covers, in three queries whatever their number."""
    categories = {
        p.category_id for p in promotions if p.scope == PromotionScope.CATEGORY
    }
    shops = {p.shop_id for p in promotions if p.scope == PromotionScope.SHOP}
    by_category: dict[int, set[int]] = {}
    for pid, cid in Product.objects.filter(category_id__in=categories).values_list(
        "pk", "category_id"
    ):
        by_category.setdefault(cid, set()).add(pid)
    by_shop: dict[int, set[int]] = {}
    lines = SalesOrderLine.objects.filter(order__shop_id__in=shops)
    for pid, sid in lines.values_list("product_id", "order__shop_id").distinct():
        by_shop.setdefault(sid, set()).add(pid)
    covers = {}
    for p in promotions:
        if p.scope == PromotionScope.PRODUCT:
            covers[p.pk] = {p.product_id}
        elif p.scope == PromotionScope.CATEGORY:
            covers[p.pk] = by_category.get(p.category_id, set())
        else:
            covers[p.pk] = by_shop.get(p.shop_id, set())
    return covers


def promotion_days(product_ids, first, last) -> pd.DataFrame:
    """``product_id, date, promo_price, discount`` for every day a promotion
    covers a product between ``first`` and ``last`` (one row per day: the
    deepest discount wins where promotions overlap)."""
    promotions = list(
        Promotion.objects.filter(start_date__lte=last, end_date__gte=first)
        .filter(Q(product_id__in=product_ids) | ~Q(scope=PromotionScope.PRODUCT))
        .order_by("pk")
    )
    covers = _promotion_products(promotions)
    wanted = set(product_ids)
    rows = []
    for p in promotions:
        days = pd.date_range(max(p.start_date, first), min(p.end_date, last))
        price = float(p.promo_price) if p.promo_price is not None else np.nan
        cut = float(p.discount_percent) / 100 if p.discount_percent else 0.0
        for pid in covers[p.pk] & wanted:
            rows.extend((pid, d, price, cut) for d in days)
    frame = pd.DataFrame(
        rows, columns=["product_id", "date", "promo_price", "discount"]
    )
    return (
        frame.sort_values("discount")
        .drop_duplicates(["product_id", "date"], keep="last")
        .reset_index(drop=True)
    )


def event_days(first, last) -> set:
    """Every day between ``first`` and ``last`` inside a calendar event."""
    days = set()
    events = CalendarEvent.objects.filter(start_date__lte=last, end_date__gte=first)
    for start, end in events.values_list("start_date", "end_date"):
        days.update(pd.date_range(max(start, first), min(end, last)))
    return days


def _future_grid(frame: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """One row per series and forecast day, with the series' last price."""
    ends = frame.groupby("series_id").agg(
        last=("date", "max"), product_id=("product_id", "first")
    )
    last_price = frame.dropna(subset=["price"]).groupby("series_id")["price"].last()
    steps = np.arange(1, horizon + 1)
    future = pd.DataFrame(
        {
            "series_id": np.repeat(ends.index.to_numpy(), horizon),
            "product_id": np.repeat(ends["product_id"].to_numpy(), horizon),
            "date": (
                np.repeat(ends["last"].to_numpy(), horizon)
                + np.tile(steps, len(ends)) * np.timedelta64(1, "D")
            ),
        }
    )
    future["last_price"] = future["series_id"].map(last_price).astype(float)
    return future


def calendar_inputs(
    frame: pd.DataFrame, horizon: int
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The training frame with outlier decisions applied and ``promo`` / ``event``
    from the calendar, and the future covariates for ``horizon`` days after each
    series' last day (``forecast_panel``'s ``future``). Without any promotion or
    event the frame only gets the outlier overlay and ``future`` is None."""
    frame = apply_outlier_decisions(frame)
    if frame.empty:
        return frame, None
    future = _future_grid(frame, horizon)
    first = frame["date"].min().date()
    last = future["date"].max().date() if horizon else frame["date"].max().date()
    products = frame["product_id"].unique().tolist()
    promos = promotion_days(products, first, last)
    events = event_days(first, last)
    if promos.empty and not events:
        return frame, None
    frame = frame.copy()
    if not promos.empty:
        keys = ["product_id", "date"]
        hist = frame[keys].merge(promos, on=keys, how="left")
        frame["promo"] = (
            frame["promo"].astype(bool) | hist["discount"].notna().to_numpy()
        ).astype(float)
        fut = future[keys].merge(promos, on=keys, how="left")
        future["promo"] = fut["discount"].notna().astype(float).to_numpy()
        planned = fut["promo_price"].to_numpy()
        cut = future["last_price"].to_numpy() * (
            1 - fut["discount"].fillna(0).to_numpy()
        )
        future["price"] = np.where(np.isnan(planned), cut, planned)
    if events:
        frame["event"] = frame["date"].isin(events).astype(float)
        future["event"] = future["date"].isin(events).astype(float)
    return frame, future.drop(columns=["product_id", "last_price"])
