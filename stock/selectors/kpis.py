"""Stock KPIs over the ledger for a period: turnover, fill rate, value, age."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, Sum
from django.utils import timezone

from ..models import (
    MovementKind,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SalesOrderLine,
    SalesOrderStatus,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeStatus,
)
from .sql import PeriodsSince

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90
SLOW_DAYS = 90
DEAD_DAYS = 180
DEFAULT_HOLDING_COST_RATE = 0.25  # a year's holding cost as a share of value


def holding_cost_rate() -> float:
    return float(
        getattr(settings, "STOCKWISE_HOLDING_COST_RATE", DEFAULT_HOLDING_COST_RATE)
    )


def period_bounds(period_days: int, *, today: date | None = None):
    """The last `period_days` complete days: [since, until) as aware datetimes."""
    today = today or timezone.localdate()
    until = timezone.make_aware(datetime.combine(today, time.min))
    return until - timedelta(days=period_days), until


def _value(expression, **extra) -> Sum:
    return Sum(expression, output_field=FloatField(), **extra)


@dataclass(frozen=True)
class StockKpis:
    period_days: int
    since: date
    until: date
    cogs: float
    inventory_value: float
    average_inventory_value: float
    turnover: float | None
    turnover_annual: float | None
    days_of_inventory: float | None
    lines_shipped: int
    lines_cancelled: int
    fill_rate: float | None
    holding_cost_rate: float
    holding_cost: float
    slow_count: int
    slow_value: float
    dead_count: int
    dead_value: float
    open_po_value: float
    draft_po_value: float


def _ledger_days(since: datetime, period_days: int) -> tuple[float, float, float]:
    """(COGS in the period, value moved after it, and how far the mean closing
    value of its days lies below the closing value of its last day), from one
    query grouped by day over the movements since `since`."""
    # every kind named, so the range reads the (kind, created_at, product_id,
    # quantity) index only (stock migration 0005), never the table
    rows = (
        StockMovement.objects.filter(
            kind__in=MovementKind.values, created_at__gte=since
        )
        .annotate(day=PeriodsSince("created_at", since=since))
        .values("day")
        .annotate(
            net=_value(F("quantity") * F("product__unit_cost")),
            shipped=_value(
                -F("quantity") * F("product__unit_cost"),
                filter=Q(kind=MovementKind.SHIPMENT),
            ),
        )
        .order_by()
    )
    cogs = after = 0.0
    # closing(d) = now - sum(net of days > d), so the mean closing over the
    # period is now - after - sum over in-period days k of net_k * k / P.
    weighted = 0.0
    for row in rows:
        day, net = row["day"], row["net"] or 0.0
        if day >= period_days:
            after += net
            continue
        cogs += row["shipped"] or 0.0
        weighted += net * day
    return cogs, after, weighted / period_days


def stock_kpis_get(*, period_days: int, today: date | None = None) -> StockKpis:
    """About six aggregate queries, whatever the number of products."""
    since, until = period_bounds(period_days, today=today)
    cogs, after, shortfall = _ledger_days(since, period_days)
    inventory_value = (
        StockLevel.objects.aggregate(v=_value(F("on_hand") * F("product__unit_cost")))[
            "v"
        ]
        or 0.0
    )
    closing_end = inventory_value - after
    average = closing_end - shortfall
    turnover = cogs / average if average > 0 else None
    lines = SalesOrderLine.objects.filter(
        order__created_at__gte=since, order__created_at__lt=until
    ).aggregate(
        shipped=Count("pk", filter=Q(order__status=SalesOrderStatus.SHIPPED)),
        cancelled=Count("pk", filter=Q(order__status=SalesOrderStatus.CANCELLED)),
    )
    decided = lines["shipped"] + lines["cancelled"]
    rate = holding_cost_rate()
    ageing = _ageing(until)
    po = PurchaseOrderLine.objects.filter(
        quantity_received__lt=F("quantity_ordered")
    ).aggregate(
        open=_value(
            (F("quantity_ordered") - F("quantity_received")) * F("unit_cost"),
            filter=Q(
                purchase_order__status__in=[
                    PurchaseOrderStatus.SENT,
                    PurchaseOrderStatus.PARTIALLY_RECEIVED,
                ]
            ),
        ),
        draft=_value(
            F("quantity_ordered") * F("unit_cost"),
            filter=Q(purchase_order__status=PurchaseOrderStatus.DRAFT),
        ),
    )
    return StockKpis(
        period_days=period_days,
        since=since.date(),
        until=(until - timedelta(days=1)).date(),
        cogs=cogs,
        inventory_value=inventory_value,
        average_inventory_value=average,
        turnover=turnover,
        turnover_annual=turnover * 365 / period_days if turnover else None,
        days_of_inventory=average / (cogs / period_days) if cogs > 0 else None,
        lines_shipped=lines["shipped"],
        lines_cancelled=lines["cancelled"],
        fill_rate=lines["shipped"] / decided if decided else None,
        holding_cost_rate=rate,
        holding_cost=average * rate * period_days / 365,
        open_po_value=po["open"] or 0.0,
        draft_po_value=po["draft"] or 0.0,
        **ageing,
    )


def _ageing(until: datetime) -> dict:
    """Stock (per product x warehouse) with no shipment from there in N days."""

    def shipped_since(days):
        return Exists(
            StockMovement.objects.filter(
                product_id=OuterRef("product_id"),
                warehouse_id=OuterRef("warehouse_id"),
                kind=MovementKind.SHIPMENT,
                created_at__gte=until - timedelta(days=days),
            )
        )

    value = F("on_hand") * F("product__unit_cost")
    rows = (
        StockLevel.objects.filter(on_hand__gt=0)
        .annotate(slow=~shipped_since(SLOW_DAYS), dead=~shipped_since(DEAD_DAYS))
        .aggregate(
            slow_count=Count("pk", filter=Q(slow=True)),
            slow_value=_value(value, filter=Q(slow=True)),
            dead_count=Count("pk", filter=Q(dead=True)),
            dead_value=_value(value, filter=Q(dead=True)),
        )
    )
    return {
        key: (val or 0.0) if key.endswith("value") else val for key, val in rows.items()
    }


@dataclass(frozen=True)
class TodayActivity:
    receipts: int
    receipt_units: int
    shipments: int
    shipment_units: int
    counts_due: list
    counts_due_count: int


def today_activity_get(*, today: date | None = None, limit: int = 10) -> TodayActivity:
    """What the floor did today and which counts wait: three queries."""
    since, _ = period_bounds(0, today=today)
    moved = StockMovement.objects.filter(created_at__gte=since).aggregate(
        receipts=Count("pk", filter=Q(kind=MovementKind.RECEIPT)),
        receipt_units=Sum("quantity", filter=Q(kind=MovementKind.RECEIPT)),
        shipments=Count("pk", filter=Q(kind=MovementKind.SHIPMENT)),
        shipment_units=Sum("quantity", filter=Q(kind=MovementKind.SHIPMENT)),
    )
    due = Stocktake.objects.filter(status=StocktakeStatus.OPEN)
    return TodayActivity(
        receipts=moved["receipts"],
        receipt_units=moved["receipt_units"] or 0,
        shipments=moved["shipments"],
        shipment_units=-(moved["shipment_units"] or 0),
        counts_due=list(
            due.select_related("warehouse", "location__warehouse").order_by(
                "created_at", "pk"
            )[:limit]
        ),
        counts_due_count=due.count(),
    )
