"""The ledger proves the balances: every difference between StockLevel and its sums."""

from dataclasses import dataclass

from django.db.models import Sum

from ..models import SalesOrderLine, SalesOrderStatus, StockLevel, StockMovement


@dataclass(frozen=True)
class Difference:
    product_id: int
    warehouse_id: int
    field: str
    balance: int
    expected: int

    def __str__(self):
        return (
            f"product {self.product_id} in warehouse {self.warehouse_id}: "
            f"{self.field} is {self.balance}, the ledger says {self.expected}"
        )


def stock_reconcile() -> list[Difference]:
    """Every StockLevel whose on hand differs from the sum of its ledger, or whose
    reserved differs from what its open sales orders hold."""
    ledger = {
        (row["product_id"], row["warehouse_id"]): row["total"]
        for row in StockMovement.objects.values("product_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    holds = {
        (row["product_id"], row["order__warehouse_id"]): row["total"]
        for row in SalesOrderLine.objects.filter(
            order__status=SalesOrderStatus.RESERVED
        )
        .values("product_id", "order__warehouse_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    differences = []
    seen = set()
    for product_id, warehouse_id, on_hand, reserved in StockLevel.objects.values_list(
        "product_id", "warehouse_id", "on_hand", "reserved"
    ).order_by():
        pair = (product_id, warehouse_id)
        seen.add(pair)
        if on_hand != ledger.get(pair, 0):
            differences.append(
                Difference(*pair, "on_hand", on_hand, ledger.get(pair, 0))
            )
        if reserved != holds.get(pair, 0):
            differences.append(
                Difference(*pair, "reserved", reserved, holds.get(pair, 0))
            )
    for pair in (set(ledger) | set(holds)) - seen:
        if ledger.get(pair, 0):
            differences.append(Difference(*pair, "on_hand", 0, ledger[pair]))
        if holds.get(pair, 0):
            differences.append(Difference(*pair, "reserved", 0, holds[pair]))
    return sorted(differences, key=lambda d: (d.product_id, d.warehouse_id, d.field))
