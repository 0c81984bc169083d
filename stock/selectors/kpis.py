"""Stock KPIs over the ledger for a period: turnover, fill rate, value, age."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from catalog.models import Product

from ..models import (
    DEMAND_Q,
    LedgerDay,
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
from .ledger_periods import LedgerScan, ledger_scan

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90
SLOW_DAYS = 90
DEAD_DAYS = 180


def holding_cost_rate() -> float:
    """A year's holding cost as a share of stock value (settings)."""
    return float(settings.STOCKWISE_HOLDING_COST_RATE)


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


def _ledger_values(scan: LedgerScan, periods) -> dict[int, tuple]:
    """Per period: (COGS in it, value moved after it, and how far the mean
    closing value of its days lies below the closing value of its last day),
    from the scan's per-product units at today's unit costs."""
    pks, costs = _unit_costs()
    cost = costs[np.searchsorted(pks, scan.product_ids)] if len(pks) else pks
    after = float(cost @ scan.after) if len(cost) else 0.0
    out = {}
    for period in periods:
        if not len(cost):
            out[period] = (0.0, 0.0, 0.0)
            continue
        # closing(d) = now - sum(net of days > d), so the mean closing over the
        # period is now - after - sum over in-period days k of net_k * k / P.
        out[period] = (
            float(cost @ scan.shipped[period]),
            after,
            float(cost @ scan.net_by_day[period]) / period,
        )
    return out


def _unit_costs() -> tuple[np.ndarray, np.ndarray]:
    rows = Product.objects.order_by("pk").values_list("pk", "unit_cost")
    pks, costs = zip(*rows, strict=True) if rows else ((), ())
    return np.array(pks, dtype=np.int64), np.array(costs, dtype=float)


def stock_kpis_get(*, period_days: int, today: date | None = None) -> StockKpis:
    return stock_kpis_periods(periods=[period_days], today=today)[period_days]


def stock_kpis_periods(
    *,
    periods,
    today: date | None = None,
    scan: LedgerScan | None = None,
    ageing: dict | None = None,
) -> dict[int, StockKpis]:
    """The KPIs of several periods ending on the same day: about six aggregate
    queries in all, whatever the number of products or periods (one ledger
    scan over the longest period serves them all; pass `scan` to share it,
    and `ageing`, stock_ageing_get at the periods' end, read beside it)."""
    longest = max(periods)
    since, until = period_bounds(longest, today=today)
    if scan is None:
        scan = ledger_scan(periods=periods, since=since)
    ledger = _ledger_values(scan, periods)
    inventory_value = (
        StockLevel.objects.aggregate(v=_value(F("on_hand") * F("product__unit_cost")))[
            "v"
        ]
        or 0.0
    )
    starts = {period: until - timedelta(days=period) for period in periods}
    lines = _order_lines_decided(starts, since, until)
    rate = holding_cost_rate()
    if ageing is None:
        ageing = stock_ageing_get(until)
    po = _purchase_order_values()
    out = {}
    for period in periods:
        cogs, after, shortfall = ledger[period]
        closing_end = inventory_value - after
        average = closing_end - shortfall
        turnover = cogs / average if average > 0 else None
        shipped = lines[f"shipped_{period}"]
        cancelled = lines[f"cancelled_{period}"]
        decided = shipped + cancelled
        out[period] = StockKpis(
            period_days=period,
            since=starts[period].date(),
            until=(until - timedelta(days=1)).date(),
            cogs=cogs,
            inventory_value=inventory_value,
            average_inventory_value=average,
            turnover=turnover,
            turnover_annual=turnover * 365 / period if turnover else None,
            days_of_inventory=average / (cogs / period) if cogs > 0 else None,
            lines_shipped=shipped,
            lines_cancelled=cancelled,
            fill_rate=shipped / decided if decided else None,
            holding_cost_rate=rate,
            holding_cost=average * rate * period / 365,
            open_po_value=po["open"] or 0.0,
            draft_po_value=po["draft"] or 0.0,
            **ageing,
        )
    return out


def _order_lines_decided(
    starts: dict[int, datetime], since: datetime, until: datetime
) -> dict[str, int]:
    """Sales order lines shipped and cancelled per period (by the order's
    creation), as shipped_<period> and cancelled_<period>: one query."""
    in_period = {
        period: Q(order__created_at__gte=start) for period, start in starts.items()
    }
    return SalesOrderLine.objects.filter(
        order__created_at__gte=since, order__created_at__lt=until
    ).aggregate(
        **{
            f"{name}_{period}": Count("pk", filter=Q(order__status=status) & when)
            for period, when in in_period.items()
            for name, status in (
                ("shipped", SalesOrderStatus.SHIPPED),
                ("cancelled", SalesOrderStatus.CANCELLED),
            )
        }
    )


def _purchase_order_values() -> dict:
    """Value still to come on sent purchase orders (`open`) and on drafts
    (`draft`), at the lines' unit cost: one query."""
    return PurchaseOrderLine.objects.filter(
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


def stock_ageing_get(until: datetime) -> dict:
    """Stock (per product x warehouse) with no shipment from there in N days
    (read from the ledger's daily roll-up: one query, one index probe per
    level row for the last shipping day of the last DEAD_DAYS, newest first,
    which stops at the first row it finds; slow and dead follow from it)."""
    day = timezone.localtime(until, timezone.get_default_timezone()).date()
    last_shipped = Subquery(
        LedgerDay.objects.filter(
            product_id=OuterRef("product_id"),
            warehouse_id=OuterRef("warehouse_id"),
            date__gte=day - timedelta(days=DEAD_DAYS),
            shipped__gt=0,
        )
        .order_by("-date")
        .values("date")[:1]
    )
    slow = Q(last_shipped__isnull=True) | Q(
        last_shipped__lt=day - timedelta(days=SLOW_DAYS)
    )
    dead = Q(last_shipped__isnull=True)
    value = F("on_hand") * F("product__unit_cost")
    rows = (
        StockLevel.objects.filter(on_hand__gt=0)
        .annotate(last_shipped=last_shipped)
        .aggregate(
            slow_count=Count("pk", filter=slow),
            slow_value=_value(value, filter=slow),
            dead_count=Count("pk", filter=dead),
            dead_value=_value(value, filter=dead),
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
        # A line picked from several locations is several movements, one
        # shipment: count each document's line (product x warehouse) once.
        shipments=Count(
            Concat(
                "reference_type",
                Value(":"),
                "reference_id",
                Value(":"),
                Cast("product_id", CharField()),
                Value(":"),
                Cast("warehouse_id", CharField()),
            ),
            filter=DEMAND_Q,
            distinct=True,
        ),
        shipment_units=Sum("quantity", filter=DEMAND_Q),
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
