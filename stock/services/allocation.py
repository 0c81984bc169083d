"""Splitting a shop's order over warehouses when no single one can fill it.

The plan reads what each warehouse has available (no locks); the reservation
then goes through ledger_post, whose conditional UPDATEs in (product,
warehouse) order refuse any line a concurrent order took first. A refused
reservation is planned again on the stock left, a few times, then refused.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from catalog.models import Shop

from ..models import ShopWarehousePriority, StockLevel, Warehouse

# The most warehouses a plan considers (those holding most of the order):
# subsets of 12 are 4,095, a few milliseconds, and a seller with more
# warehouses than that still ships from the ones that hold the stock.
MAX_WAREHOUSES = 12
UNRANKED = 10**6


@dataclass(frozen=True)
class Allocation:
    product_id: int
    warehouse_id: int
    quantity: int


def warehouse_ranks(shop: Shop) -> dict[int, int]:
    """The shop's priority of each warehouse it ranked (lower ships first)."""
    return dict(
        ShopWarehousePriority.objects.filter(shop=shop).values_list(
            "warehouse_id", "priority"
        )
    )


def candidates_order(
    warehouses: Sequence[Warehouse], totals: dict[int, int], ranks: dict[int, int]
) -> list[Warehouse]:
    """The shop's ranked warehouses first (by rank), then the others; within
    a rank, the one holding most of the order first, then by code."""
    return sorted(
        warehouses,
        key=lambda w: (ranks.get(w.pk, UNRANKED), -(totals.get(w.pk) or 0), w.code),
    )


def allocation_plan(*, shop: Shop, wanted: dict[int, int]) -> list[Allocation] | None:
    """The split of ``wanted`` ({product id: quantity}) over the fewest
    active warehouses, preferring the shop's ranked ones; None when the
    network does not hold enough of every product.

    Fewest shipments first: every subset of one size is tried before any of
    the next. Among subsets of the same size the first in the shop's order
    (candidates_order) wins, and each product is taken from its warehouses
    in that order.
    """
    available: dict[int, dict[int, int]] = {}
    for product_id, warehouse_id, free in (
        StockLevel.objects.with_available()
        .filter(
            product_id__in=wanted,
            warehouse__is_active=True,
            available_qty__gt=0,
        )
        .values_list("product_id", "warehouse_id", "available_qty")
    ):
        available.setdefault(warehouse_id, {})[product_id] = free
    if any(
        sum(held.get(p, 0) for held in available.values()) < q
        for p, q in wanted.items()
    ):
        return None
    totals = {
        w: sum(min(held.get(p, 0), q) for p, q in wanted.items())
        for w, held in available.items()
    }
    warehouses = candidates_order(
        list(Warehouse.objects.filter(pk__in=available)), totals, warehouse_ranks(shop)
    )[:MAX_WAREHOUSES]
    for size in range(1, len(warehouses) + 1):
        for chosen in combinations(warehouses, size):
            if all(
                sum(available[w.pk].get(p, 0) for w in chosen) >= q
                for p, q in wanted.items()
            ):
                return _assign(chosen, available, wanted)
    return None


def _assign(chosen, available, wanted) -> list[Allocation]:
    """Each product from the chosen warehouses in order, as much as each has."""
    plan = []
    for product_id, quantity in wanted.items():
        left = quantity
        for warehouse in chosen:
            take = min(left, available[warehouse.pk].get(product_id, 0))
            if take:
                plan.append(Allocation(product_id, warehouse.pk, take))
                left -= take
            if not left:
                break
    return plan
