"""Sales orders to ship and purchase orders to receive: lists and one document
with its lines, each a bounded number of queries."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from ..models import (
    PurchaseOrder,
    PurchaseOrderStatus,
    SalesOrder,
    SalesOrderStatus,
    StockLevel,
    Warehouse,
)
from ..models.documents import RECEIVABLE_PURCHASE_STATUSES


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def reserved_orders_get(
    *, shop=None, warehouse=None, since: date | None = None, until: date | None = None
) -> QuerySet:
    """Orders waiting to ship, optionally of one shop or warehouse and received
    from ``since`` to ``until`` (days included)."""
    orders = SalesOrder.objects.filter(status=SalesOrderStatus.RESERVED)
    if shop is not None:
        orders = orders.filter(shop=shop)
    if warehouse is not None:
        orders = orders.filter(warehouse=warehouse)
    if since:
        orders = orders.filter(created_at__gte=_day_start(since))
    if until:
        orders = orders.filter(created_at__lt=_day_start(until + timedelta(days=1)))
    return (
        orders.select_related("shop", "warehouse")
        .annotate(line_count=Count("lines"), units=Sum("lines__quantity"))
        .order_by("created_at", "id")
    )


def order_get(*, pk: int) -> SalesOrder:
    return SalesOrder.objects.select_related("shop", "warehouse").get(pk=pk)


def order_lines_get(*, order: SalesOrder) -> list:
    """Lines with what is on hand for each in the order's warehouse."""
    lines = list(
        order.lines.select_related("product").prefetch_related("product__barcodes")
    )
    levels = {
        level.product_id: level
        for level in StockLevel.objects.filter(
            warehouse_id=order.warehouse_id,
            product_id__in=[line.product_id for line in lines],
        )
    }
    for line in lines:
        line.level = levels.get(line.product_id)
    return lines


def purchase_orders_get(
    *,
    status: str,
    warehouse=None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet:
    """Purchase orders of a status ("open": to receive), optionally of one
    warehouse and expected from ``since`` to ``until`` (days included)."""
    orders = PurchaseOrder.objects.all()
    if status == "open":
        orders = orders.filter(status__in=RECEIVABLE_PURCHASE_STATUSES)
    elif status in PurchaseOrderStatus.values:
        orders = orders.filter(status=status)
    if warehouse is not None:
        orders = orders.filter(warehouse=warehouse)
    if since:
        orders = orders.filter(expected_date__gte=since)
    if until:
        orders = orders.filter(expected_date__lte=until)
    return (
        orders.select_related("supplier", "warehouse")
        .annotate(
            line_count=Count("lines"),
            units_ordered=Sum("lines__quantity_ordered"),
            units_received=Sum("lines__quantity_received"),
        )
        .order_by(F("expected_date").asc(nulls_last=True), "id")
    )


def purchase_order_get(*, pk: int) -> PurchaseOrder:
    return PurchaseOrder.objects.select_related("supplier", "warehouse").get(pk=pk)


def purchase_order_lines_get(*, purchase_order: PurchaseOrder) -> list:
    return list(
        purchase_order.lines.select_related("product")
        .prefetch_related("product__barcodes")
        .order_by("id")
    )


def is_receivable(purchase_order: PurchaseOrder) -> bool:
    return purchase_order.status in RECEIVABLE_PURCHASE_STATUSES


def order_shipments(order: SalesOrder, lines, holds, lots) -> list[dict]:
    """For a split order's page: one shipment per warehouse (by code), each
    with its lines (the order line, the quantity from there, the lots to
    pick). ``holds`` are the order's (product, warehouse, quantity), ``lots``
    order_lot_picks of them. Empty for an order shipped from one warehouse."""
    if not order.is_split:
        return []
    by_product = {line.product_id: line for line in lines}
    warehouses = Warehouse.objects.in_bulk({w for _, w, _ in holds})
    shipments: dict[int, list] = {}
    for product_id, warehouse_id, quantity in holds:
        shipments.setdefault(warehouse_id, []).append(
            {
                "line": by_product[product_id],
                "quantity": quantity,
                "lots": lots.get((product_id, warehouse_id), []),
            }
        )
    return [
        {
            "warehouse": warehouses[w],
            "lines": sorted(rows, key=lambda row: row["line"].product.sku),
        }
        for w, rows in sorted(shipments.items(), key=lambda kv: warehouses[kv[0]].code)
    ]
