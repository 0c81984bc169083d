"""Count sheets: the list, one sheet and its lines, and what confirming would
post (the variance against the books, its value and the limit rule)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from ..models import (
    LocationStockLevel,
    StockLevel,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
)


def stocktakes_get(*, status: str) -> QuerySet:
    sheets = Stocktake.objects.all()
    if status == "active":
        sheets = sheets.filter(
            status__in=[StocktakeStatus.OPEN, StocktakeStatus.SUBMITTED]
        )
    elif status in StocktakeStatus.values:
        sheets = sheets.filter(status=status)
    return (
        sheets.select_related(
            "warehouse", "location__warehouse", "created_by", "counted_by"
        )
        .annotate(
            line_count=Count("lines"),
            counted_count=Count("lines", filter=Q(lines__counted__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


def stocktake_get(*, pk: int) -> Stocktake:
    return Stocktake.objects.select_related(
        "warehouse",
        "location__warehouse",
        "created_by",
        "counted_by",
        "confirmed_by",
    ).get(pk=pk)


def stocktake_lines_get(*, stocktake: Stocktake) -> list:
    return list(
        stocktake.lines.select_related("product")
        .prefetch_related("product__barcodes")
        .order_by("product__sku")
    )


def book_quantities(
    *, warehouse_id: int, location_id: int | None, product_ids=None
) -> dict[int, int]:
    """On hand per product id: of the warehouse, or of one location only (a
    count of one bin is compared with that bin, never with the others)."""
    if location_id is None:
        rows = StockLevel.objects.filter(warehouse_id=warehouse_id)
    else:
        rows = LocationStockLevel.objects.filter(location_id=location_id)
    if product_ids is not None:
        rows = rows.filter(product_id__in=product_ids)
    return dict(rows.values_list("product_id", "on_hand"))


@dataclass(frozen=True)
class VarianceLine:
    line: StocktakeLine
    book: int
    counted: int | None
    variance: int | None  # None: not counted, nothing is posted
    value: Decimal | None  # variance x the product's unit cost


@dataclass(frozen=True)
class VarianceSummary:
    """What confirming a sheet would post now, and whether it needs a manager's
    second, explicit confirmation (see variance_over_limit)."""

    lines: list[VarianceLine]
    units_net: int
    units_abs: int
    value_net: Decimal
    value_abs: Decimal
    limit_units: int
    limit_value: Decimal
    currency: str

    @property
    def over_limit(self) -> bool:
        return variance_over_limit(self.units_abs, self.value_abs)

    @property
    def changed(self) -> int:
        return sum(1 for v in self.lines if v.variance)


def variance_limits() -> tuple[int, Decimal]:
    return (
        settings.STOCKWISE_COUNT_VARIANCE_UNITS,
        Decimal(str(settings.STOCKWISE_COUNT_VARIANCE_LIMIT)),
    )


def variance_over_limit(units_abs: int, value_abs: Decimal) -> bool:
    """The count rule: differences above either limit (units, or value in the
    currency) are posted only by a manager who confirms a second time."""
    limit_units, limit_value = variance_limits()
    return units_abs > limit_units or value_abs > limit_value


def stocktake_variance(*, stocktake: Stocktake, lines=None) -> VarianceSummary:
    """Per line: the books now, the count, the difference and its value; and
    the totals. Against the books at this moment, as confirming would post."""
    lines = stocktake_lines_get(stocktake=stocktake) if lines is None else lines
    book = book_quantities(
        warehouse_id=stocktake.warehouse_id,
        location_id=stocktake.location_id,
        product_ids=[line.product_id for line in lines],
    )
    rows = []
    for line in lines:
        have = book.get(line.product_id, 0)
        variance = None if line.counted is None else line.counted - have
        value = None if variance is None else variance * line.product.unit_cost
        rows.append(VarianceLine(line, have, line.counted, variance, value))
    counted = [r for r in rows if r.variance is not None]
    limit_units, limit_value = variance_limits()
    return VarianceSummary(
        lines=rows,
        units_net=sum(r.variance for r in counted),
        units_abs=sum(abs(r.variance) for r in counted),
        value_net=sum((r.value for r in counted), Decimal(0)),
        value_abs=sum((abs(r.value) for r in counted), Decimal(0)),
        limit_units=limit_units,
        limit_value=limit_value,
        currency=settings.STOCKWISE_CURRENCY,
    )
