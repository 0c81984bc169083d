"""Reads the pages need, each a bounded number of queries (selectors-style)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, FirstValue, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, Product

from ..models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeStatus,
)
from ..models.documents import OPEN_PURCHASE_STATUSES
from ..selectors.display import Formatter
from ..services.purchasing import RECEIVABLE

HOME_LIST_LIMIT = 10
DUE_SOON_DAYS = 7


# --- home ---------------------------------------------------------------------


@dataclass(frozen=True)
class Attention:
    reserved_orders: int
    due_purchase_orders: list
    due_purchase_orders_count: int
    submitted_counts: list
    submitted_counts_count: int
    stock_outs: list
    stock_outs_count: int
    today: date


def attention_get(*, include_counts: bool) -> Attention:
    """What needs doing today: about eight queries whatever the data size."""
    today = timezone.localdate()
    due = PurchaseOrder.objects.filter(
        status__in=RECEIVABLE, expected_date__lte=today + timedelta(DUE_SOON_DAYS)
    )
    stock_outs = StockLevel.objects.filter(
        on_hand__lte=F("reserved"),
        product__is_active=True,
        warehouse__is_active=True,
    )
    submitted = Stocktake.objects.filter(status=StocktakeStatus.SUBMITTED)
    return Attention(
        reserved_orders=SalesOrder.objects.filter(
            status=SalesOrderStatus.RESERVED
        ).count(),
        due_purchase_orders=list(
            due.select_related("supplier", "warehouse").order_by("expected_date", "pk")[
                :HOME_LIST_LIMIT
            ]
        ),
        due_purchase_orders_count=due.count(),
        submitted_counts=list(
            submitted.select_related(
                "warehouse", "location__warehouse", "counted_by"
            ).order_by("counted_at", "pk")[:HOME_LIST_LIMIT]
            if include_counts
            else []
        ),
        submitted_counts_count=submitted.count() if include_counts else 0,
        stock_outs=list(
            stock_outs.select_related("product", "warehouse")
            .with_available()
            .order_by("product__sku", "warehouse__code")[:HOME_LIST_LIMIT]
        ),
        stock_outs_count=stock_outs.count(),
        today=today,
    )


# --- products -----------------------------------------------------------------


def product_list_get(
    *, q: str = "", category_id: int | None = None, active: str = ""
) -> QuerySet:
    """Products with their stock totals over all warehouses, in one query."""
    products = (
        Product.objects.select_related("category")
        .annotate(
            total_on_hand=Coalesce(Sum("stock_levels__on_hand"), Value(0)),
            total_reserved=Coalesce(Sum("stock_levels__reserved"), Value(0)),
        )
        .annotate(total_available=F("total_on_hand") - F("total_reserved"))
    )
    if q:
        products = products.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    if category_id:
        products = products.filter(category_id__in=_with_descendants(category_id))
    if active in ("0", "1"):
        products = products.filter(is_active=active == "1")
    return products.order_by("sku")


def _with_descendants(category_id: int) -> set[int]:
    """The category and every category below it, from one query."""
    children: dict[int, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = set(), [category_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def product_stock_get(*, product: Product) -> list[StockLevel]:
    return list(
        StockLevel.objects.filter(product=product)
        .select_related("warehouse")
        .with_available()
        .order_by("warehouse__code")
    )


def product_movements_get(
    *,
    product: Product,
    warehouse: str = "",
    kind: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet:
    """The product's ledger, newest first, optionally narrowed (the dashboard's
    anomalies link here with a warehouse, a kind and a day)."""
    movements = StockMovement.objects.filter(product=product)
    if warehouse:
        movements = movements.filter(warehouse__code=warehouse)
    if kind:
        movements = movements.filter(kind=kind)
    if since:
        movements = movements.filter(created_at__gte=_day_start(since))
    if until:
        movements = movements.filter(created_at__lt=_day_start(until + timedelta(1)))
    return movements.select_related(
        "warehouse", "location", "actor_user", "actor_shop"
    ).order_by("-created_at", "-id")


def _day_start(day: date):
    return timezone.make_aware(datetime.combine(day, time.min))


STOCK_HISTORY_DAYS = 365


def product_stock_history_get(
    *, product: Product, levels: list[StockLevel], days: int = STOCK_HISTORY_DAYS
) -> dict:
    """On hand at the end of each day with a movement, per warehouse, over the
    last `days`: `chart` for static/js/charts.js, and the same numbers as a
    table (`columns`, and `rows` of display cells: the day, then each column).

    One query, aggregated by the database: a row per warehouse and day (its
    closing balance, and the warehouse's opening balance of the window), not a
    row per movement; it walks the (product, warehouse, created_at) index.
    """
    today = timezone.localdate()
    since = today - timedelta(days)
    by_day = [F("warehouse_id"), F("day")]
    newest_first = [F("created_at").desc(), F("id").desc()]
    rows = (
        StockMovement.objects.filter(product=product, created_at__gte=_day_start(since))
        .annotate(day=TruncDate("created_at"))
        .annotate(
            closing=Window(
                FirstValue("balance_after"), partition_by=by_day, order_by=newest_first
            ),
            opening=Window(
                FirstValue(F("balance_after") - F("quantity")),
                partition_by=[F("warehouse_id")],
                order_by=[F("created_at").asc(), F("id").asc()],
            ),
        )
        .values_list("warehouse__code", "day", "closing", "opening")
        .order_by()
        .distinct()
    )
    series: dict[str, dict[date, int]] = {}
    for code, day, closing, opening in rows:
        series.setdefault(code, {since: opening})[day] = closing
    for level in levels:
        series.setdefault(level.warehouse.code, {since: level.on_hand})
        series[level.warehouse.code][today] = level.on_hand
    chart = _step_chart(series, _("units on hand"))
    numbers = Formatter()
    return {
        "chart": chart,
        "columns": [d["label"] for d in chart["datasets"]],
        "rows": [
            (day, *(numbers.number(d["data"][i], empty="—") for d in chart["datasets"]))
            for i, day in enumerate(chart["labels"])
        ],
    }


LINE_STYLES = ("solid", "dashed", "dotted", "dashdot")
POINT_STYLES = ("circle", "triangle", "rect", "rectRot")


def _step_chart(series: dict[str, dict[date, int]], y_label: str) -> dict:
    days = sorted({day for points in series.values() for day in points})
    datasets = []
    for n, code in enumerate(sorted(series)):
        values, last = [], None
        for day in days:
            last = series[code].get(day, last)
            values.append(last)
        datasets.append(
            {
                "label": code,
                "style": LINE_STYLES[n % len(LINE_STYLES)],
                "point": POINT_STYLES[n % len(POINT_STYLES)],
                "step": True,
                "data": values,
            }
        )
    return {
        "kind": "line",
        "labels": [day.isoformat() for day in days],
        "datasets": datasets,
        "y": y_label,
    }


def product_open_sales_lines_get(*, product: Product, limit: int = 20) -> list:
    """Reserved (not yet shipped) order lines of the product, oldest first."""
    return list(
        SalesOrderLine.objects.filter(
            product=product, order__status=SalesOrderStatus.RESERVED
        )
        .select_related("order__shop", "order__warehouse")
        .order_by("order__created_at", "order_id")[:limit]
    )


def product_open_po_lines_get(*, product: Product) -> list[PurchaseOrderLine]:
    return list(
        PurchaseOrderLine.objects.filter(
            product=product,
            purchase_order__status__in=OPEN_PURCHASE_STATUSES,
            quantity_received__lt=F("quantity_ordered"),
        )
        .select_related("purchase_order__supplier", "purchase_order__warehouse")
        .order_by("purchase_order__expected_date", "purchase_order_id")
    )


# --- documents ----------------------------------------------------------------


def reserved_orders_get(*, shop=None) -> QuerySet:
    orders = SalesOrder.objects.filter(status=SalesOrderStatus.RESERVED)
    if shop is not None:
        orders = orders.filter(shop=shop)
    return (
        orders.select_related("shop", "warehouse")
        .annotate(line_count=Count("lines"), units=Sum("lines__quantity"))
        .order_by("created_at", "id")
    )


def order_get(*, pk: int) -> SalesOrder:
    return SalesOrder.objects.select_related("shop", "warehouse").get(pk=pk)


def order_lines_get(*, order: SalesOrder) -> list:
    """Lines with what is on hand for each in the order's warehouse."""
    lines = list(order.lines.select_related("product"))
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


def purchase_orders_get(*, status: str) -> QuerySet:
    orders = PurchaseOrder.objects.all()
    if status == "open":
        orders = orders.filter(status__in=RECEIVABLE)
    elif status in PurchaseOrderStatus.values:
        orders = orders.filter(status=status)
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
    return list(purchase_order.lines.select_related("product").order_by("id"))


def is_receivable(purchase_order: PurchaseOrder) -> bool:
    return purchase_order.status in RECEIVABLE


# --- counts -------------------------------------------------------------------


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
    return list(stocktake.lines.select_related("product").order_by("product__sku"))
