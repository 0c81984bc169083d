"""Lost sales: the order lines a shop was refused for lack of stock."""

from django.db.models import Subquery
from django.utils import timezone

from catalog.models import Shop

from ..errors import InsufficientStock
from ..models import LostSale, Warehouse


def lost_sales_record(
    *, shop: Shop | None, external_id: str, lines, error: InsufficientStock
) -> list[LostSale]:
    """Record every line of an order refused with ``error``: one INSERT.

    Call it after the refused transaction rolled back (a row written inside
    it would roll back with the order). ``lines`` are the order's
    ``OrderLineInput`` lines; the warehouse is the one the refusal names (the
    candidate with the most stock), looked up inside the INSERT.
    """
    if not error.shortages:
        return []
    short = {s.sku: s for s in error.shortages}
    code = error.shortages[0].warehouse
    warehouse = Subquery(Warehouse.objects.filter(code=code).values("pk")[:1])
    now = timezone.now()
    rows = [
        LostSale(
            shop=shop,
            external_id=external_id[:100],
            product_id=line.product.pk,
            warehouse_id=warehouse,
            quantity=line.quantity,
            available=short[line.product.sku].available
            if line.product.sku in short
            else None,
            short=line.product.sku in short,
            unit_price=line.unit_price,
            created_at=now,
        )
        for line in _merged(lines)
    ]
    return LostSale.objects.bulk_create(rows)


def _merged(lines):
    """One row per product, quantities of repeated lines added (as ordered)."""
    merged: dict[int, object] = {}
    for line in lines:
        seen = merged.get(line.product.pk)
        if seen is not None:
            line = type(line)(
                line.product, seen.quantity + line.quantity, line.unit_price
            )
        merged[line.product.pk] = line
    return list(merged.values())
