"""The ledger proves the balances: every difference between StockLevel,
LocationStockLevel and their sums."""

from dataclasses import dataclass

from django.db.models import Sum

from ..models import (
    Location,
    LocationStockLevel,
    SalesOrderAllocation,
    SalesOrderLine,
    SalesOrderStatus,
    StockLevel,
    StockMovement,
)
from .reconcile_lots import lot_differences


@dataclass(frozen=True)
class Difference:
    product_id: int
    warehouse_id: int
    field: str
    balance: int
    expected: int
    location_id: int | None = None

    def __str__(self):
        if self.field == "locations":
            return (
                f"product {self.product_id} in warehouse {self.warehouse_id}: its "
                f"locations hold {self.balance}, the warehouse level says "
                f"{self.expected}"
            )
        if self.location_id is not None:
            return (
                f"product {self.product_id} at location {self.location_id} in "
                f"warehouse {self.warehouse_id}: {self.field} is {self.balance}, "
                f"the ledger says {self.expected}"
            )
        return (
            f"product {self.product_id} in warehouse {self.warehouse_id}: "
            f"{self.field} is {self.balance}, the ledger says {self.expected}"
        )


def stock_reconcile() -> list[Difference]:
    """Every StockLevel whose on hand differs from the sum of its ledger, or whose
    reserved differs from what its open sales orders hold; every location
    balance that differs from its location's ledger; and, in a warehouse with
    locations, every product whose locations do not add up to its level; every
    lot balance off its ledger, and lots holding more than their level."""
    ledger = {
        (row["product_id"], row["warehouse_id"]): row["total"]
        for row in StockMovement.objects.values("product_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    holds = {
        (row["product_id"], row["order__warehouse_id"]): row["total"]
        for row in SalesOrderLine.objects.filter(
            order__status=SalesOrderStatus.RESERVED, order__is_split=False
        )
        .values("product_id", "order__warehouse_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    # A split order holds its allocations, each in its own warehouse.
    for row in (
        SalesOrderAllocation.objects.filter(order__status=SalesOrderStatus.RESERVED)
        .values("product_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    ):
        pair = (row["product_id"], row["warehouse_id"])
        holds[pair] = holds.get(pair, 0) + row["total"]
    differences = []
    seen = set()
    levels = {}
    for product_id, warehouse_id, on_hand, reserved in StockLevel.objects.values_list(
        "product_id", "warehouse_id", "on_hand", "reserved"
    ).order_by():
        pair = (product_id, warehouse_id)
        seen.add(pair)
        levels[pair] = on_hand
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
    # A level that differs from its ledger is named once, above; the sum of its
    # locations is compared only with a level the ledger proves.
    proven = {
        pair: on_hand
        for pair, on_hand in levels.items()
        if on_hand == ledger.get(pair, 0)
    }
    unproven = {(d.product_id, d.warehouse_id) for d in differences}
    differences += _location_differences(proven, unproven)
    differences += lot_differences(levels, Difference)
    return sorted(
        differences,
        key=lambda d: (d.product_id, d.warehouse_id, d.field, d.location_id or 0),
    )


def _location_differences(
    levels: dict[tuple[int, int], int], unproven: set[tuple[int, int]]
) -> list[Difference]:
    """levels: the warehouse levels the ledger proves, {(product, warehouse):
    on hand}; unproven: the pairs whose level differs from the ledger."""
    homes = dict(Location.objects.values_list("pk", "warehouse_id"))
    located = set(homes.values())
    ledger = {
        (row["product_id"], row["location_id"]): row["total"]
        for row in StockMovement.objects.filter(location__isnull=False)
        .values("product_id", "location_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    differences = []
    in_bins: dict[tuple[int, int], int] = {}
    seen = set()
    for (
        product_id,
        location_id,
        warehouse_id,
        on_hand,
    ) in LocationStockLevel.objects.values_list(
        "product_id", "location_id", "warehouse_id", "on_hand"
    ).order_by():
        place = (product_id, location_id)
        seen.add(place)
        if warehouse_id != homes[location_id]:
            differences.append(
                Difference(
                    product_id,
                    warehouse_id,
                    "warehouse",
                    warehouse_id,
                    homes[location_id],
                    location_id,
                )
            )
        pair = (product_id, homes[location_id])
        in_bins[pair] = in_bins.get(pair, 0) + on_hand
        if on_hand != ledger.get(place, 0):
            differences.append(
                Difference(*pair, "on_hand", on_hand, ledger.get(place, 0), location_id)
            )
    for product_id, location_id in set(ledger) - seen:
        if ledger[(product_id, location_id)]:
            differences.append(
                Difference(
                    product_id,
                    homes[location_id],
                    "on_hand",
                    0,
                    ledger[(product_id, location_id)],
                    location_id,
                )
            )
    # Each location proven too: then a product's locations can differ from its
    # level only by movements that name no location in a warehouse with some.
    wrong = {(d.product_id, d.warehouse_id) for d in differences} | unproven
    for pair in set(levels) | set(in_bins):
        if (
            pair[1] in located
            and pair not in wrong
            and in_bins.get(pair, 0) != levels.get(pair, 0)
        ):
            held, level = in_bins.get(pair, 0), levels.get(pair, 0)
            differences.append(Difference(*pair, "locations", held, level))
    return differences
