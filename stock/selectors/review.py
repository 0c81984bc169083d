"""Stock events worth a second look: count variances, unusual adjustments."""

from datetime import date, timedelta

from django.db.models import F, FloatField, Q
from django.db.models.functions import Abs

from catalog.models import Product

from ..models import MovementKind, StockMovement, StocktakeLine, StocktakeStatus
from .kpis import period_bounds

LIMIT = 10
# An adjustment is unusual when it moves at least this many units and at least
# half of what was on hand before it.
UNUSUAL_MIN_UNITS = 5
UNUSUAL_SHARE = 0.5


def _abs_value(units: str):
    return Abs(F(units) * F("product__unit_cost"), output_field=FloatField())


def count_variances_get(
    *, period_days: int, today: date | None = None, limit: int = LIMIT
) -> list[StocktakeLine]:
    """Confirmed count lines that corrected the book, largest value first."""
    since, _ = period_bounds(period_days, today=today)
    return list(
        StocktakeLine.objects.filter(
            stocktake__status=StocktakeStatus.CONFIRMED,
            stocktake__confirmed_at__gte=since,
        )
        .exclude(variance=0)
        .exclude(variance__isnull=True)
        .select_related("product", "stocktake__warehouse")
        .annotate(value=_abs_value("variance"))
        .order_by("-value", "pk")[:limit]
    )


def adjustments_unusual_get(
    *, period_days: int, today: date | None = None, limit: int = LIMIT
) -> list[StockMovement]:
    return adjustments_unusual_periods(periods=[period_days], today=today, limit=limit)[
        period_days
    ]


def adjustments_unusual_periods(
    *, periods, today: date | None = None, limit: int = LIMIT
) -> dict[int, list[StockMovement]]:
    """The largest unusual adjustments (by value at today's unit cost) of each
    period, newest first among equals; three queries for all the periods.

    The unusual ones over the longest period come without a join, so the
    database walks the (kind, created_at) range of adjustments; joined to the
    products for their cost, SQLite instead probed the ledger of every product
    and warehouse for a year (seconds at 10,000 products). They are rare, and
    valued and ranked here.
    """
    since, until = period_bounds(max(periods), today=today)
    before = F("balance_after") - F("quantity")
    found = list(
        StockMovement.objects.filter(
            kind=MovementKind.ADJUSTMENT, created_at__gte=since
        )
        .annotate(size=Abs("quantity"))
        .filter(Q(size__gte=UNUSUAL_MIN_UNITS), size__gte=before * UNUSUAL_SHARE)
        .values_list("pk", "product_id", "quantity", "created_at")
    )
    costs = dict(
        Product.objects.filter(
            pk__in=sorted({product for _, product, _, _ in found})
        ).values_list("pk", "unit_cost")
    )
    value = {
        pk: abs(float(quantity) * float(costs[product]))
        for pk, product, quantity, _ in found
    }
    chosen = {}
    for period in periods:
        start = until - timedelta(days=period)
        ranked = sorted(
            (pk for pk, _, _, created_at in found if created_at >= start),
            key=lambda pk: (-value[pk], -pk),
        )
        chosen[period] = ranked[:limit]
    rows = StockMovement.objects.select_related(
        "product", "warehouse", "actor_user"
    ).in_bulk({pk for pks in chosen.values() for pk in pks})
    for pk, row in rows.items():
        row.value = value[pk]
        row.size = abs(row.quantity)
    return {period: [rows[pk] for pk in pks] for period, pks in chosen.items()}
