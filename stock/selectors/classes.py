"""ABC by revenue and XYZ by variability of weekly demand, from the ledger.

Computed for all products at once (two grouped queries) and cached for a few
minutes, so the dashboard matrix and the product-list filter agree.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Sum
from django.utils import timezone

from catalog.models import Product

from ..models import MovementKind, StockLevel, StockMovement
from .kpis import period_bounds
from .sql import PeriodsSince

ABC_LIMITS = (("A", 0.80), ("B", 0.95))  # cumulative revenue share before the item
XYZ_LIMITS = (("X", 0.5), ("Y", 1.0))  # coefficient of variation of weekly units
CACHE_VERSION = 1


def cache_seconds() -> int:
    return int(getattr(settings, "STOCKWISE_DASHBOARD_CACHE_SECONDS", 900))


@dataclass
class AbcXyz:
    period_days: int
    computed_at: datetime
    # {"A": {"X": {"count": n, "revenue": r, "stock_value": v}, ...}, ...}
    cells: dict = field(default_factory=dict)
    classes: dict = field(default_factory=dict)  # product_id -> "AX"

    def rows(self) -> list[dict]:
        return [
            {"abc": a, "cells": [{"xyz": x, **self.cells[a][x]} for x in "XYZ"]}
            for a in "ABC"
        ]


def _abc(revenue: np.ndarray, pks: np.ndarray) -> np.ndarray:
    """A/B/C per product: the cumulative revenue share before it, largest first."""
    order = np.lexsort((pks, -revenue))
    ranked = revenue[order]
    total = ranked.sum()
    before = np.cumsum(ranked) - ranked
    share = before / total if total else np.ones_like(ranked)
    names = np.full(len(ranked), "C")
    for name, limit in reversed(ABC_LIMITS):
        names[(ranked > 0) & (share < limit)] = name
    out = np.empty_like(names)
    out[order] = names
    return out


def _xyz(weekly: np.ndarray) -> np.ndarray:
    """X/Y/Z per row of a (products x weeks) array: coefficient of variation."""
    mean = weekly.mean(axis=1)
    std = np.sqrt(((weekly - mean[:, None]) ** 2).mean(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, std / np.where(mean > 0, mean, 1.0), np.inf)
    names = np.full(len(mean), "Z")
    for name, limit in reversed(XYZ_LIMITS):
        names[cv <= limit] = name
    return names


def abc_xyz_compute(*, period_days: int, today: date | None = None) -> AbcXyz:
    return abc_xyz_compute_periods(periods=[period_days], today=today)[period_days]


def abc_xyz_compute_periods(*, periods, today: date | None = None) -> dict[int, AbcXyz]:
    """The classes of several periods from three queries: one scan of the
    longest period's shipments, summed per product and week back from the
    period's end, so a shorter period is the last columns of the same array
    (its weeks end on the same day)."""
    weeks_of = {period: max(period // 7, 1) for period in periods}
    longest = max(weeks_of.values())
    _, until = period_bounds(max(periods), today=today)
    since = until - timezone.timedelta(days=7 * longest)
    products = list(
        Product.objects.filter(is_active=True).order_by("pk").values_list("pk", "price")
    )
    pks = np.array([pk for pk, _ in products], dtype=np.int64)
    prices = np.array([float(price) for _, price in products], dtype=float)
    weekly = np.zeros((len(pks), longest))
    shipped = list(
        StockMovement.objects.filter(
            kind=MovementKind.SHIPMENT, created_at__gte=since, created_at__lt=until
        )
        .annotate(week=PeriodsSince("created_at", since=since, days=7))
        .values("product_id", "week")
        .annotate(units=Sum("quantity"))
        .order_by()
        .values_list("product_id", "week", "units")
    )
    if shipped and len(pks):
        product, week, units = (np.array(c) for c in zip(*shipped, strict=True))
        row = np.minimum(np.searchsorted(pks, product), len(pks) - 1)
        keep = (pks[row] == product) & (week >= 0) & (week < longest)
        np.add.at(weekly, (row[keep], week[keep]), -units[keep].astype(float))
    values = dict(
        StockLevel.objects.filter(product__is_active=True)
        .values("product_id")
        .annotate(v=Sum(F("on_hand") * F("product__unit_cost")))
        .order_by()
        .values_list("product_id", "v")
    )
    stock_value = np.array([float(values.get(pk) or 0) for pk in pks.tolist()])
    computed_at = timezone.now()
    return {
        period: _classified(
            period, computed_at, pks, prices, weekly[:, longest - weeks :], stock_value
        )
        for period, weeks in weeks_of.items()
    }


def _classified(period_days, computed_at, pks, prices, weekly, stock_value) -> AbcXyz:
    revenue = weekly.sum(axis=1) * prices
    result = AbcXyz(period_days=period_days, computed_at=computed_at)
    abc, xyz = _abc(revenue, pks), _xyz(weekly)
    for a in "ABC":
        result.cells[a] = {}
        for x in "XYZ":
            mask = (abc == a) & (xyz == x)
            result.cells[a][x] = {
                "count": int(mask.sum()),
                "revenue": float(revenue[mask].sum()),
                "stock_value": float(stock_value[mask].sum()),
            }
    result.classes = dict(
        zip(pks.tolist(), np.char.add(abc, xyz).tolist(), strict=True)
    )
    return result


def abc_xyz_store(result: AbcXyz) -> None:
    cache.set(_key(result.period_days), result, cache_seconds())


def _key(period_days: int) -> str:
    return f"stockwise:abcxyz:v{CACHE_VERSION}:{period_days}"


def abc_xyz_get(*, period_days: int, refresh: bool = False) -> AbcXyz:
    """The cached classification (recomputed when older than the cache time)."""
    found = None if refresh else cache.get(_key(period_days))
    if found is None:
        found = abc_xyz_compute(period_days=period_days)
        abc_xyz_store(found)
    return found


def products_in_class(*, period_days: int, abc: str = "", xyz: str = "") -> list[int]:
    classes = abc_xyz_get(period_days=period_days).classes
    return [
        pk
        for pk, name in classes.items()
        if (not abc or name[0] == abc) and (not xyz or name[1] == xyz)
    ]
