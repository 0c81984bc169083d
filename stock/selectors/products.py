"""A product's pages: the product list with stock totals, its stock per
warehouse, its ledger and stock history, and its open order lines."""

import logging
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, Product

from ..models import (
    LedgerDay,
    PurchaseOrderLine,
    SalesOrderLine,
    SalesOrderStatus,
    StockLevel,
    StockMovement,
)
from ..models.documents import OPEN_PURCHASE_STATUSES
from .display import Formatter

logger = logging.getLogger(__name__)


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

    One query over the ledger's daily roll-up (stock.LedgerDay, a row per
    warehouse and day with a movement, equal to the ledger by construction),
    never the movements: each day's closing balance is today's on hand less
    the net change of the days after it, so a product with years of busy
    history costs a year of day rows, not a window over every movement.
    """
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    since = today - timedelta(days)
    on_hand = {level.warehouse_id: level.on_hand for level in levels}
    codes = {level.warehouse_id: level.warehouse.code for level in levels}
    rows = (
        LedgerDay.objects.filter(product=product, date__gte=since)
        .order_by("warehouse_id", "-date")
        .values_list("warehouse_id", "warehouse__code", "date", "net")
    )
    series: dict[str, dict[date, int]] = {}
    balance: dict[int, int] = {}
    missing = []
    for warehouse_id, code, day, net in rows:
        if warehouse_id not in on_hand:
            missing.append(warehouse_id)
            continue
        points = series.setdefault(code, {})
        closing = balance.get(warehouse_id, on_hand[warehouse_id])
        points[day] = closing
        balance[warehouse_id] = closing - net
    if missing:  # a roll-up row without a level row: the ledger is damaged
        logger.error(
            "Product %s: ledger days without a stock level in warehouse(s) %s",
            product.sku,
            sorted(set(missing)),
        )
    for warehouse_id, opening in balance.items():
        series[codes[warehouse_id]].setdefault(since, opening)
    for level in levels:
        points = series.setdefault(level.warehouse.code, {since: level.on_hand})
        points[today] = level.on_hand
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
