"""ABC by revenue and XYZ by variability of weekly demand, from the ledger.

Computed for all products at once (from the ledger scan and two small
queries) and cached for a few minutes, so the dashboard matrix and the
product-list filter agree.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Sum
from django.utils import timezone

from catalog.models import Product

from ..models import StockLevel
from .kpis import period_bounds
from .ledger_periods import LedgerScan, ledger_scan

ABC_LIMITS = (("A", 0.80), ("B", 0.95))  # cumulative revenue share before the item
XYZ_LIMITS = (("X", 0.5), ("Y", 1.0))  # coefficient of variation of weekly units
CACHE_VERSION = 1


def cache_seconds() -> int:
    return int(settings.STOCKWISE_DASHBOARD_CACHE_SECONDS)


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


def _xyz(units: np.ndarray, squares: np.ndarray, weeks: int) -> np.ndarray:
    """X/Y/Z per product from the sum of its weekly units and of their squares
    over `weeks` weeks: the coefficient of variation of its weekly units."""
    mean = units / weeks
    std = np.sqrt(np.maximum(squares / weeks - mean**2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, std / np.where(mean > 0, mean, 1.0), np.inf)
    names = np.full(len(mean), "Z")
    for name, limit in reversed(XYZ_LIMITS):
        # from sums of squares a limit case (cv exactly 1.0) may round up
        names[cv <= limit * (1 + 1e-9)] = name
    return names


def abc_xyz_compute(*, period_days: int, today: date | None = None) -> AbcXyz:
    return abc_xyz_compute_periods(periods=[period_days], today=today)[period_days]


def abc_xyz_compute_periods(
    *, periods, today: date | None = None, scan: LedgerScan | None = None
) -> dict[int, AbcXyz]:
    """The classes of several periods from three queries: the ledger scan
    (shared with the KPIs when `scan` is given) sums each product's shipped
    units per week back from the periods' end, and the squares of those weekly
    sums, for each period's last weeks; the classes are numpy over products."""
    since, _ = period_bounds(max(periods), today=today)
    if scan is None:
        scan = ledger_scan(periods=periods, since=since)
    products = list(
        Product.objects.filter(is_active=True).order_by("pk").values_list("pk", "price")
    )
    pks = np.array([pk for pk, _ in products], dtype=np.int64)
    prices = np.array([float(price) for _, price in products], dtype=float)
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
            period,
            computed_at,
            pks,
            prices,
            scan.per_product(scan.week_units[period], pks),
            scan.per_product(scan.week_squares[period], pks),
            scan.weeks[period],
            stock_value,
        )
        for period in periods
    }


def _classified(
    period_days, computed_at, pks, prices, units, squares, weeks, stock_value
) -> AbcXyz:
    revenue = units * prices
    result = AbcXyz(period_days=period_days, computed_at=computed_at)
    abc, xyz = _abc(revenue, pks), _xyz(units, squares, weeks)
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
