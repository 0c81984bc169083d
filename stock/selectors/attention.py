"""What needs doing today: the home page's attention list."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F
from django.utils import timezone

from ..models import (
    PurchaseOrder,
    SalesOrder,
    SalesOrderStatus,
    StockLevel,
    Stocktake,
    StocktakeStatus,
)
from ..models.documents import RECEIVABLE_PURCHASE_STATUSES

HOME_LIST_LIMIT = 10
DUE_SOON_DAYS = 7


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
        status__in=RECEIVABLE_PURCHASE_STATUSES,
        expected_date__lte=today + timedelta(DUE_SOON_DAYS),
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
