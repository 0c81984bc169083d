"""What open purchase orders bring in, and when: the stock-out projection
counts an order only from its expected date."""

from datetime import date

from django.db.models import F, Sum

from stock.models import PurchaseOrderLine
from stock.models.documents import OPEN_PURCHASE_STATUSES


def inbound_schedule(*, today: date) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Per (product, warehouse): [(days from today, units still to come)] of
    the open purchase order lines, one query. An order without an expected
    date is left out: nobody knows when it comes, so the projection does not
    count on it (the inventory position still does)."""
    rows = (
        PurchaseOrderLine.objects.filter(
            purchase_order__status__in=OPEN_PURCHASE_STATUSES,
            purchase_order__expected_date__isnull=False,
            quantity_received__lt=F("quantity_ordered"),
        )
        .values(
            "product_id",
            "purchase_order__warehouse_id",
            "purchase_order__expected_date",
        )
        .annotate(open=Sum(F("quantity_ordered") - F("quantity_received")))
    )
    schedule: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for row in rows:
        pair = (row["product_id"], row["purchase_order__warehouse_id"])
        offset = (row["purchase_order__expected_date"] - today).days
        schedule.setdefault(pair, []).append((offset, int(row["open"])))
    return schedule
