"""Which location stock comes from or goes to when a movement names none.

One rule, shared by the ledger (which applies it under lock) and the pages that
tell staff where to pick: inbound goes to the warehouse's default receiving
location; outbound is taken from the default picking location first, then from
the locations holding most (ties by code), over as many as it takes.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Sum

from ..models import (
    Location,
    LocationKind,
    LocationStockLevel,
    MovementKind,
    ReferenceType,
    SalesOrder,
    SalesOrderStatus,
    StockMovement,
    Warehouse,
)


@dataclass(frozen=True)
class WarehouseBins:
    located: bool  # has locations: every movement there names one
    receiving_id: int | None = None
    pick_id: int | None = None


NO_BINS = WarehouseBins(located=False)


def warehouse_bins(warehouse_ids: Iterable[int]) -> dict[int, WarehouseBins]:
    """Per warehouse: has it locations, and its default receiving and picking
    location (the configured ones; for a warehouse whose defaults are not set
    yet, its first receiving/storage location by code)."""
    rows = list(
        Warehouse.objects.filter(pk__in=set(warehouse_ids))
        .annotate(located=Exists(Location.objects.filter(warehouse_id=OuterRef("pk"))))
        .values_list(
            "pk", "located", "default_receiving_location_id", "default_pick_location_id"
        )
    )
    unset = [pk for pk, located, rcv, pick in rows if located and not (rcv and pick)]
    fallback: dict[int, dict[str, int]] = {}
    if unset:
        for pk, warehouse_id, kind in (
            Location.objects.filter(warehouse_id__in=unset)
            .order_by("warehouse_id", "-is_active", "code")
            .values_list("pk", "warehouse_id", "kind")
        ):
            found = fallback.setdefault(warehouse_id, {"any": pk})
            found.setdefault(kind, pk)
    result = {}
    for pk, located, receiving_id, pick_id in rows:
        if not located:
            result[pk] = NO_BINS
            continue
        found = fallback.get(pk, {})
        result[pk] = WarehouseBins(
            located=True,
            receiving_id=receiving_id
            or found.get(LocationKind.RECEIVING)
            or found.get(LocationKind.STORAGE)
            or found.get("any"),
            pick_id=pick_id or found.get(LocationKind.STORAGE) or found.get("any"),
        )
    return result


def pick_allocate(
    *, quantity: int, bins: dict[int, tuple[int, str]], first: int | None
) -> tuple[list[tuple[int, int]], int]:
    """Take quantity from bins ({location id: (on hand, code)}): the `first`
    location, then the fullest, ties by code. Returns [(location id, units)]
    and what could not be found (0 when the bins hold enough)."""
    order = sorted(bins, key=lambda loc: (loc != first, -bins[loc][0], bins[loc][1]))
    taken, left = [], quantity
    for location_id in order:
        if left <= 0:
            break
        have = bins[location_id][0]
        if have > 0:
            take = min(have, left)
            taken.append((location_id, take))
            left -= take
    return taken, left


@dataclass(frozen=True)
class Pick:
    location: str  # location code
    quantity: int


def order_pick_list(*, order: SalesOrder) -> dict[int, list[Pick]]:
    """Where to pick each line of a reserved order, as the ledger will when it
    ships now: {product id: [Pick]}. Empty for a warehouse without locations."""
    wanted = dict(order.lines.values_list("product_id", "quantity"))
    return warehouse_pick_list(warehouse_id=order.warehouse_id, wanted=wanted)


def warehouse_pick_list(
    *, warehouse_id: int, wanted: dict[int, int]
) -> dict[int, list[Pick]]:
    """Where to pick ``wanted`` ({product id: quantity}) in one warehouse now,
    by the ledger's pick rule. Empty for a warehouse without locations."""
    bins = warehouse_bins([warehouse_id]).get(warehouse_id, NO_BINS)
    if not bins.located:
        return {}
    held: dict[int, dict[int, tuple[int, str]]] = {}
    codes = {}
    for product_id, location_id, on_hand, code in LocationStockLevel.objects.filter(
        warehouse_id=warehouse_id, product_id__in=wanted, on_hand__gt=0
    ).values_list("product_id", "location_id", "on_hand", "location__code"):
        held.setdefault(product_id, {})[location_id] = (on_hand, code)
        codes[location_id] = code
    plan = {}
    for product_id, quantity in wanted.items():
        taken, _ = pick_allocate(
            quantity=quantity, bins=held.get(product_id, {}), first=bins.pick_id
        )
        plan[product_id] = [Pick(codes[loc], units) for loc, units in taken]
    return plan


def order_picks(
    *, order: SalesOrder, warehouse_id: int | None = None
) -> dict[int, list[Pick]]:
    """For the order page: where to pick a reserved order's lines, or where a
    shipped order's lines were taken from (its ledger); for a split order,
    ``warehouse_id`` names the shipment (reserved: use warehouse_pick_list)."""
    if order.status == SalesOrderStatus.RESERVED:
        return order_pick_list(order=order)
    if order.status != SalesOrderStatus.SHIPPED:
        return {}
    picked: dict[int, list[Pick]] = {}
    for product_id, code, quantity in (
        StockMovement.objects.filter(
            reference_type=ReferenceType.SALES_ORDER,
            reference_id=str(order.pk),
            kind=MovementKind.SHIPMENT,
            location__isnull=False,
            warehouse_id=warehouse_id or order.warehouse_id,
        )
        .values("product_id", "location__code")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "location__code", "total")
        .order_by("product_id", "location__code")
    ):
        picked.setdefault(product_id, []).append(Pick(code, -quantity))
    return picked


def product_locations(*, product_id: int) -> dict[int, list[Pick]]:
    """Where a product is, per warehouse: {warehouse id: [Pick]} by code."""
    held: dict[int, list[Pick]] = {}
    for warehouse_id, code, on_hand in (
        LocationStockLevel.objects.filter(product_id=product_id, on_hand__gt=0)
        .order_by("warehouse_id", "location__code")
        .values_list("warehouse_id", "location__code", "on_hand")
    ):
        held.setdefault(warehouse_id, []).append(Pick(code, on_hand))
    return held
