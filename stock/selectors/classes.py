"""ABC by revenue and XYZ by variability of weekly demand, from the ledger.

Computed for all products at once (two grouped queries) and cached for a few
minutes, so the dashboard matrix and the product-list filter agree.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime

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


def _abc(revenue: dict[int, float]) -> dict[int, str]:
    total = sum(revenue.values())
    classes, running = {}, 0.0
    for product_id, value in sorted(revenue.items(), key=lambda kv: (-kv[1], kv[0])):
        share = running / total if total else 1.0
        classes[product_id] = next(
            (name for name, limit in ABC_LIMITS if value > 0 and share < limit), "C"
        )
        running += value
    return classes


def _xyz(weekly: list[float]) -> str:
    mean = sum(weekly) / len(weekly) if weekly else 0.0
    if mean <= 0:
        return "Z"
    cv = math.sqrt(sum((w - mean) ** 2 for w in weekly) / len(weekly)) / mean
    return next((name for name, limit in XYZ_LIMITS if cv <= limit), "Z")


def abc_xyz_compute(*, period_days: int, today: date | None = None) -> AbcXyz:
    weeks = max(period_days // 7, 1)
    _, until = period_bounds(period_days, today=today)
    since = until - timezone.timedelta(days=7 * weeks)
    products = {
        pk: float(price)
        for pk, price in Product.objects.filter(is_active=True).values_list(
            "pk", "price"
        )
    }
    weekly: dict[int, list[float]] = {pk: [0.0] * weeks for pk in products}
    for product_id, week, units in (
        StockMovement.objects.filter(
            kind=MovementKind.SHIPMENT, created_at__gte=since, created_at__lt=until
        )
        .annotate(week=PeriodsSince("created_at", since=since, days=7))
        .values("product_id", "week")
        .annotate(units=Sum("quantity"))
        .order_by()
        .values_list("product_id", "week", "units")
    ):
        if product_id in weekly and 0 <= week < weeks:
            weekly[product_id][week] -= units
    revenue = {pk: sum(weekly[pk]) * price for pk, price in products.items()}
    stock_value = dict(
        StockLevel.objects.filter(product__is_active=True)
        .values("product_id")
        .annotate(v=Sum(F("on_hand") * F("product__unit_cost")))
        .order_by()
        .values_list("product_id", "v")
    )
    result = AbcXyz(
        period_days=period_days,
        computed_at=timezone.now(),
        cells={
            a: {x: {"count": 0, "revenue": 0.0, "stock_value": 0.0} for x in "XYZ"}
            for a in "ABC"
        },
    )
    for product_id, abc in _abc(revenue).items():
        xyz = _xyz(weekly[product_id])
        cell = result.cells[abc][xyz]
        cell["count"] += 1
        cell["revenue"] += revenue[product_id]
        cell["stock_value"] += float(stock_value.get(product_id) or 0)
        result.classes[product_id] = abc + xyz
    return result


def abc_xyz_get(*, period_days: int, refresh: bool = False) -> AbcXyz:
    """The cached classification (recomputed when older than the cache time)."""
    key = f"stockwise:abcxyz:v{CACHE_VERSION}:{period_days}"
    found = None if refresh else cache.get(key)
    if found is None:
        found = abc_xyz_compute(period_days=period_days)
        cache.set(key, found, cache_seconds())
    return found


def products_in_class(*, period_days: int, abc: str = "", xyz: str = "") -> list[int]:
    classes = abc_xyz_get(period_days=period_days).classes
    return [
        pk
        for pk, name in classes.items()
        if (not abc or name[0] == abc) and (not xyz or name[1] == xyz)
    ]
