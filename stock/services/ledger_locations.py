"""The location side of the ledger: only stock.services.ledger calls these.

In a warehouse with locations every movement names one (placed), location
balance rows exist before stock arrives (ensure_location_levels), and a
pair's locations move under its level row's lock (move_locations).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from django.db.models import F
from django.utils.translation import gettext

from catalog.models import Product
from core.errors import InvalidInput

from ..errors import Shortage
from ..models import Location, LocationStockLevel, Warehouse
from ..selectors.picking import NO_BINS, pick_allocate, warehouse_bins
from .ledger_line import LedgerLine, Piece


def placed(
    lines: Sequence[LedgerLine],
) -> tuple[list[LedgerLine], set[tuple[int, int]], dict[int, int | None]]:
    """Name the location of every movement in a warehouse with locations.

    A named location must belong to the line's warehouse; inbound without one
    goes to the default receiving location. Outbound without one keeps
    location_id None here and is picked under lock in ledger_post. Returns the
    lines, the (product, warehouse) pairs whose bins move, and each located
    warehouse's default picking location.
    """
    moving = [line for line in lines if line.quantity]
    if not moving:
        return list(lines), set(), {}
    bins = warehouse_bins({line.warehouse_id for line in moving})
    named = {line.location_id for line in moving if line.location_id is not None}
    homes = dict(
        Location.objects.filter(pk__in=named).values_list("pk", "warehouse_id")
    )
    placed, located = [], set()
    for line in lines:
        if not line.quantity:
            placed.append(line)
            continue
        if line.unplaced:
            pass
        elif line.location_id is not None:
            if homes.get(line.location_id) != line.warehouse_id:
                raise InvalidInput(
                    gettext("The location is not in that warehouse."), field="location"
                )
        elif bins.get(line.warehouse_id, NO_BINS).located and line.quantity > 0:
            line = replace(line, location_id=bins[line.warehouse_id].receiving_id)
        if bins.get(line.warehouse_id, NO_BINS).located:
            located.add((line.product_id, line.warehouse_id))
        placed.append(line)
    pick_first = {w: b.pick_id for w, b in bins.items() if b.located}
    return placed, located, pick_first


def ensure_location_levels(lines: Sequence[LedgerLine]) -> None:
    wanted = {
        (line.product_id, line.location_id, line.warehouse_id)
        for line in lines
        if line.quantity > 0 and line.location_id is not None
    }
    if not wanted:
        return
    existing = set(
        LocationStockLevel.objects.filter(
            product_id__in={p for p, _, _ in wanted},
            location_id__in={loc for _, loc, _ in wanted},
        ).values_list("product_id", "location_id")
    )
    missing = sorted(t for t in wanted if t[:2] not in existing)
    if missing:
        LocationStockLevel.objects.bulk_create(
            [
                LocationStockLevel(product_id=p, location_id=loc, warehouse_id=w)
                for p, loc, w in missing
            ],
            ignore_conflicts=True,
        )


def move_locations(
    pair: tuple[int, int],
    lines: list[LedgerLine],
    pick_first: int | None,
    now: datetime,
) -> tuple[list[Piece], list[tuple[int, int, int]]]:
    """Apply one pair's bin changes; the pair's level row is locked already.

    Lines without a location are picked from the bins (locked in location
    order: the fixed order every writer follows). Returns every line split
    into (line, location) pieces, and the bins that were short
    ([(location id, requested, available)]); a short bin is left unchanged
    and the caller rolls the post back.
    """
    change: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.location_id is not None:
            change[line.location_id] += line.quantity
    if any(line.location_id is None and not line.unplaced for line in lines):
        pieces = _pick(pair, lines, change, pick_first)
    else:
        pieces = [(line, line.location_id) for line in lines]
    short = []
    unfound = [line for line, loc in pieces if loc is None and not line.unplaced]
    if unfound:
        short.append((0, sum(-line.quantity for line in unfound), 0))
    return pieces, short + _move_bins(pair[0], change, now)


def _pick(
    pair: tuple[int, int],
    lines: list[LedgerLine],
    change: dict[int, int],
    pick_first: int | None,
) -> list[Piece]:
    """Lock the pair's bins (by location id) and pick every line that names
    no location from what they hold after the named lines' changes. Adds the
    picked units to `change`; a part no bin holds becomes a piece with no
    location (the caller reports it short)."""
    product_id, warehouse_id = pair
    rows = (
        LocationStockLevel.objects.select_for_update(of=("self",))
        .filter(product_id=product_id, warehouse_id=warehouse_id)
        .order_by("location_id")
        .values_list("location_id", "on_hand", "location__code")
    )
    held = {location_id: [on_hand, code] for location_id, on_hand, code in rows}
    for location_id, delta in change.items():
        if location_id in held:
            held[location_id][0] += delta
    pieces: list[Piece] = []
    for line in lines:
        if line.location_id is not None or line.unplaced:
            pieces.append((line, line.location_id))
            continue
        taken, _ = pick_allocate(
            quantity=-line.quantity,
            bins={loc: (q, code) for loc, (q, code) in held.items()},
            first=pick_first,
        )
        # The level row said enough: the bins hold it unless the books are
        # broken, and then the conditional UPDATE in _move_bins refuses.
        for location_id, units in taken:
            held[location_id][0] -= units
            change[location_id] -= units
            pieces.append((replace(line, quantity=-units), location_id))
        missing = -line.quantity - sum(units for _, units in taken)
        if missing:
            pieces.append((replace(line, quantity=-missing), None))
    return pieces


def _move_bins(
    product_id: int, change: dict[int, int], now: datetime
) -> list[tuple[int, int, int]]:
    """One conditional UPDATE per bin, in location order, never below zero;
    returns the bins that were short (location id, requested, available)."""
    short = []
    for location_id, delta in sorted(change.items()):
        if delta == 0:
            continue
        rows = LocationStockLevel.objects.filter(
            product_id=product_id, location_id=location_id
        )
        if delta < 0:
            rows = rows.filter(on_hand__gte=-delta)
        if not rows.update(on_hand=F("on_hand") + delta, updated_at=now):
            available = (
                LocationStockLevel.objects.filter(
                    product_id=product_id, location_id=location_id
                )
                .values_list("on_hand", flat=True)
                .first()
            )
            short.append((location_id, -delta, available or 0))
    return short


def bin_shortages(failed: list[tuple[int, int, int, int, int]]) -> list[Shortage]:
    products = dict(
        Product.objects.filter(pk__in={f[0] for f in failed}).values_list("pk", "sku")
    )
    places = {
        pk: f"{warehouse}/{code}"
        for pk, code, warehouse in Location.objects.filter(
            pk__in={f[2] for f in failed}
        ).values_list("pk", "code", "warehouse__code")
    }
    warehouses = dict(
        Warehouse.objects.filter(pk__in={f[1] for f in failed}).values_list(
            "pk", "code"
        )
    )
    return [
        Shortage(
            sku=products[product_id],
            warehouse=places.get(location_id, warehouses[warehouse_id]),
            requested=requested,
            available=available,
        )
        for product_id, warehouse_id, location_id, requested, available in failed
    ]
