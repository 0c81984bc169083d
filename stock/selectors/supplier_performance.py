"""How suppliers deliver: lead times, punctuality and fill of their purchase orders.

Read from the purchase orders and the ledger's receipts (a receipt is a RECEIPT
movement referencing the order). In a fixed number of queries whatever the
number of orders: one for the orders with their line sums, one for the first
receipt of each, one for the suppliers.

Per received order: the lead time is from when it was sent (created, if it was
never marked sent) to its first receipt, in days; it was on time when that
receipt came no later than the expected date (the sent date + the supplier's
stated lead time where no date was given); its fill is units received / units
ordered. A supplier's scorecard pools its orders, and the trend does the same
per month of first receipt.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Min, Sum
from django.utils import timezone

from catalog.models import Supplier

from ..models import MovementKind, PurchaseOrder, ReferenceType, StockMovement
from ..models.documents import PurchaseOrderStatus


@dataclass(frozen=True)
class Delivery:
    """One purchase order that has had at least one receipt."""

    order_id: int
    supplier_id: int
    warehouse_id: int
    ordered_at: datetime
    received_at: datetime
    due: date
    units_ordered: int
    units_received: int

    @property
    def lead_days(self) -> float:
        return (self.received_at - self.ordered_at).total_seconds() / 86400.0

    @property
    def on_time(self) -> bool:
        return timezone.localdate(self.received_at) <= self.due


@dataclass
class Scorecard:
    """Pooled figures of a set of deliveries (None where there are none)."""

    deliveries: int = 0
    on_time_rate: float | None = None
    lead_mean: float | None = None
    lead_sd: float | None = None
    fill_rate: float | None = None

    @classmethod
    def of(cls, deliveries: list[Delivery]) -> Scorecard:
        if not deliveries:
            return cls()
        leads = [d.lead_days for d in deliveries]
        mean = sum(leads) / len(leads)
        var = sum((x - mean) ** 2 for x in leads) / len(leads)
        ordered = sum(d.units_ordered for d in deliveries)
        return cls(
            deliveries=len(deliveries),
            on_time_rate=sum(d.on_time for d in deliveries) / len(deliveries),
            lead_mean=mean,
            lead_sd=var**0.5,
            fill_rate=sum(d.units_received for d in deliveries) / ordered
            if ordered
            else None,
        )


@dataclass
class SupplierScorecard:
    supplier: Supplier
    overall: Scorecard
    months: list[tuple[date, Scorecard]] = field(default_factory=list)


def deliveries_get() -> list[Delivery]:
    """Every purchase order that has had a receipt."""
    orders = PurchaseOrder.objects.exclude(
        status__in=[PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CANCELLED]
    ).annotate(
        ordered_units=Sum("lines__quantity_ordered"),
        received_units=Sum("lines__quantity_received"),
    )
    rows = orders.values_list(
        "pk",
        "supplier_id",
        "warehouse_id",
        "created_at",
        "sent_at",
        "expected_date",
        "supplier__lead_time_days",
        "ordered_units",
        "received_units",
    )
    receipts = StockMovement.objects.filter(
        kind=MovementKind.RECEIPT, reference_type=ReferenceType.PURCHASE_ORDER
    )
    first = {
        ref: at
        for ref, at in receipts.values("reference_id")
        .annotate(first=Min("created_at"))
        .values_list("reference_id", "first")
    }
    out = []
    for pk, sup, wh, created, sent, expected, stated, ordered, received in rows:
        received_at = first.get(str(pk))
        if received_at is None:
            continue
        ordered_at = sent or created
        due = expected or timezone.localdate(ordered_at) + timedelta(days=stated)
        out.append(
            Delivery(
                pk, sup, wh, ordered_at, received_at, due, ordered or 0, received or 0
            )
        )
    return out


def lead_time_samples() -> dict[tuple[int, int], list[float]]:
    """Observed lead times (days) per (supplier, warehouse)."""
    samples: dict[tuple[int, int], list[float]] = defaultdict(list)
    for d in deliveries_get():
        samples[(d.supplier_id, d.warehouse_id)].append(d.lead_days)
    return dict(samples)


def supplier_scorecards(
    *, months: int = 6, today: date | None = None
) -> list[SupplierScorecard]:
    """Each active supplier's figures over all its deliveries, and per month
    (of first receipt) for the last ``months`` months, oldest first."""
    today = today or timezone.localdate()
    deliveries = deliveries_get()
    by_supplier: dict[int, list[Delivery]] = defaultdict(list)
    for d in deliveries:
        by_supplier[d.supplier_id].append(d)
    starts = _month_starts(today, months)
    cards = []
    for supplier in Supplier.objects.filter(is_active=True).order_by("name"):
        mine = by_supplier.get(supplier.pk, [])
        per_month: dict[date, list[Delivery]] = defaultdict(list)
        for d in mine:
            per_month[timezone.localdate(d.received_at).replace(day=1)].append(d)
        cards.append(
            SupplierScorecard(
                supplier=supplier,
                overall=Scorecard.of(mine),
                months=[(m, Scorecard.of(per_month.get(m, []))) for m in starts],
            )
        )
    return cards


def _month_starts(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    out = []
    for _ in range(months):
        out.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return out[::-1]
