"""Stock events worth a second look: count variances, unusual adjustments."""

from datetime import date

from django.db.models import F, FloatField, Q
from django.db.models.functions import Abs

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
    since, _ = period_bounds(period_days, today=today)
    before = F("balance_after") - F("quantity")
    return list(
        StockMovement.objects.filter(
            kind=MovementKind.ADJUSTMENT, created_at__gte=since
        )
        .annotate(
            size=Abs("quantity"),
            value=_abs_value("quantity"),
        )
        .filter(Q(size__gte=UNUSUAL_MIN_UNITS), size__gte=before * UNUSUAL_SHARE)
        .select_related("product", "warehouse", "actor_user")
        .order_by("-value", "-pk")[:limit]
    )
