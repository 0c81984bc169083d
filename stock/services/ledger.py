"""The one writer of the ledger and its balances.

`ledger_post` changes on-hand and reserved quantities of StockLevel rows with
conditional UPDATEs (never read-compute-write), taken in (product, warehouse)
order so two transactions touching the same rows never deadlock, and writes one
immutable StockMovement per on-hand change in the same transaction. In a
warehouse with locations each movement names one and the LocationStockLevel
rows move with the level (ledger_locations.py), locked after the level row.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Product, Shop
from core.errors import InvalidInput

from ..errors import InsufficientStock, Shortage
from ..hooks import LedgerPosted, ledger_hook
from ..models import (
    Location,
    LocationStockLevel,
    StockLevel,
    StockMovement,
    Warehouse,
)
from ..models.ledger import KIND_SIGN, MovementKind
from ..selectors.picking import NO_BINS, warehouse_bins
from .ledger_locations import (
    bin_shortages,
    ensure_location_levels,
    move_locations,
    placed,
)


@dataclass(frozen=True)
class LedgerLine:
    product_id: int
    warehouse_id: int
    quantity: int = 0  # change of on hand; a movement is written when non-zero
    reserved: int = 0  # change of reserved
    kind: str = ""
    location_id: int | None = None
    # A relocation leg for stock the books hold in a warehouse with locations
    # but in none of them (it held stock before its first location): the
    # movement names no location and no location's balance moves.
    unplaced: bool = False


def _check_lines(lines: Sequence[LedgerLine]) -> None:
    for line in lines:
        if line.unplaced and (line.kind != MovementKind.RELOCATION or line.location_id):
            raise InvalidInput(
                "Only a relocation without a location moves unplaced stock.",
                field="location",
            )
        if line.quantity:
            sign = KIND_SIGN.get(line.kind)
            if sign is None:
                raise InvalidInput(
                    f"Unknown movement kind {line.kind!r}.", field="kind"
                )
            if sign and (line.quantity > 0) != (sign > 0):
                raise InvalidInput(
                    f"A {line.kind} cannot have quantity {line.quantity}.",
                    field="quantity",
                )


def _ensure_levels(pairs: set[tuple[int, int]]) -> None:
    if not pairs:
        return
    product_ids = {p for p, _ in pairs}
    warehouse_ids = {w for _, w in pairs}
    existing = set(
        StockLevel.objects.filter(
            product_id__in=product_ids, warehouse_id__in=warehouse_ids
        ).values_list("product_id", "warehouse_id")
    )
    missing = pairs - existing
    if missing:
        StockLevel.objects.bulk_create(
            [StockLevel(product_id=p, warehouse_id=w) for p, w in sorted(missing)],
            ignore_conflicts=True,
        )


def _shortages(failed: list[tuple[int, int, int, int]]) -> list[Shortage]:
    products = dict(
        Product.objects.filter(pk__in={f[0] for f in failed}).values_list("pk", "sku")
    )
    warehouses = dict(
        Warehouse.objects.filter(pk__in={f[1] for f in failed}).values_list(
            "pk", "code"
        )
    )
    levels = {
        (lv.product_id, lv.warehouse_id): lv
        for lv in StockLevel.objects.filter(
            product_id__in=products, warehouse_id__in=warehouses
        )
    }
    result = []
    for product_id, warehouse_id, dq, dr in failed:
        level = levels.get((product_id, warehouse_id))
        available = level.available if level else 0
        result.append(
            Shortage(
                sku=products[product_id],
                warehouse=warehouses[warehouse_id],
                requested=max(-dq, dr, dr - dq),
                available=available,
            )
        )
    return result


def ledger_post(
    *,
    lines: Sequence[LedgerLine],
    reference_type: str,
    reference_id: str = "",
    actor_user=None,
    actor_shop: Shop | None = None,
    note: str = "",
    occurred_at: datetime | None = None,
    savepoint: bool = True,
) -> list[StockMovement]:
    """Apply lines atomically; raise InsufficientStock naming every short line.

    In a warehouse with locations every movement has one: the line's, else
    the default receiving location for inbound, else picked for outbound
    (stock.selectors.picking), and the location's LocationStockLevel moves
    with the warehouse's StockLevel. An outbound line picked from several
    locations becomes one movement per location.

    savepoint=False is for a caller whose own atomic block is the unit that is
    rolled back when this raises (it saves the SAVEPOINT round trips); inside
    any other transaction the default keeps a refusal from spoiling it.
    """
    _check_lines(lines)
    lines, located, pick_first = placed(lines)
    deltas: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        delta = deltas[(line.product_id, line.warehouse_id)]
        delta[0] += line.quantity
        delta[1] += line.reserved
    now = occurred_at or timezone.now()
    with transaction.atomic(savepoint=savepoint):
        # A level row is created only where stock arrives: a reservation,
        # release or removal on a pair with no row matches no row below and is
        # refused as short, which is right, since nothing is there.
        _ensure_levels({pair for pair, (dq, _) in deltas.items() if dq > 0})
        ensure_location_levels(lines)
        # Before the UPDATEs: once a level row is updated it stays locked until
        # the commit, and a hot SKU's writers queue on that lock.
        prepared = ledger_hook.prepare()
        failed, bins_failed = [], []
        pieces: dict[tuple[int, int], list] = {}
        # Lock order: pairs sorted by (product, warehouse); in each, the level
        # row, then its locations by id. A pair whose bins move locks its
        # level row even when the warehouse total does not change.
        for (product_id, warehouse_id), (dq, dr) in sorted(deltas.items()):
            pair = (product_id, warehouse_id)
            if dq == 0 and dr == 0 and pair not in located:
                continue
            rows = StockLevel.objects.filter(
                product_id=product_id, warehouse_id=warehouse_id
            )
            if dq < 0:
                rows = rows.filter(on_hand__gte=-dq)
            if dr < 0:
                rows = rows.filter(reserved__gte=-dr)
            if dr - dq > 0:  # available after = on_hand + dq - reserved - dr >= 0
                rows = rows.filter(on_hand__gte=F("reserved") + (dr - dq))
            updated = rows.update(
                on_hand=F("on_hand") + dq, reserved=F("reserved") + dr, updated_at=now
            )
            if not updated:
                failed.append((product_id, warehouse_id, dq, dr))
                continue
            if pair in located:
                pieces[pair], short = move_locations(
                    pair,
                    [
                        line
                        for line in lines
                        if line.quantity
                        and (line.product_id, line.warehouse_id) == pair
                    ],
                    pick_first.get(warehouse_id),
                    now,
                )
                bins_failed += [(*pair, *s) for s in short]
        if failed or bins_failed:
            raise InsufficientStock(
                (_shortages(failed) if failed else [])
                + (bin_shortages(bins_failed) if bins_failed else [])
            )

        moving: list[tuple[LedgerLine, int | None]] = []
        split_done = set()
        for line in lines:
            if not line.quantity:
                continue
            pair = (line.product_id, line.warehouse_id)
            if pair in pieces:
                if pair not in split_done:
                    split_done.add(pair)
                    moving += pieces[pair]
            else:
                moving.append((line, line.location_id))
        if not moving:
            return _announce(deltas, [], reference_type, reference_id, prepared)
        balances = _balances({(m.product_id, m.warehouse_id) for m, _ in moving})
        # Balance after each movement: walk the lines of a pair backwards from
        # the final balance the UPDATE left.
        after: list[int] = [0] * len(moving)
        for index in range(len(moving) - 1, -1, -1):
            line = moving[index][0]
            pair = (line.product_id, line.warehouse_id)
            after[index] = balances[pair]
            balances[pair] -= line.quantity
        movements = [
            StockMovement(
                product_id=line.product_id,
                warehouse_id=line.warehouse_id,
                location_id=location_id,
                quantity=line.quantity,
                balance_after=balance,
                kind=line.kind,
                reference_type=reference_type,
                reference_id=str(reference_id),
                actor_user=actor_user if getattr(actor_user, "pk", None) else None,
                actor_shop=actor_shop,
                created_at=now,
                note=note[:500],
            )
            for (line, location_id), balance in zip(moving, after, strict=True)
        ]
        movements = StockMovement.objects.bulk_create(movements)
        return _announce(deltas, movements, reference_type, reference_id, prepared)


def _announce(deltas, movements, reference_type, reference_id, prepared):
    """Tell the ledger's listeners (stock.hooks) what this post changed."""
    ledger_hook.announce(
        LedgerPosted(
            pairs=tuple(sorted(pair for pair, (dq, dr) in deltas.items() if dq or dr)),
            movements=movements,
            reference_type=reference_type,
            reference_id=str(reference_id),
        ),
        prepared,
    )
    return movements


def _balances(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    rows = StockLevel.objects.filter(
        product_id__in={p for p, _ in pairs}, warehouse_id__in={w for _, w in pairs}
    ).values_list("product_id", "warehouse_id", "on_hand")
    return {(p, w): on_hand for p, w, on_hand in rows if (p, w) in pairs}


def ledger_load_history(
    *, movements: Sequence[StockMovement], reference_type: str
) -> int:
    """Bulk-load a history of movements for pairs that have no ledger yet.

    For demo data and migrations from another system: the rows must be in time
    order per pair and keep every running balance >= 0, per warehouse and per
    location; balance_after is computed here and the balances are set to the
    ledger's sums. In a warehouse with locations a row that names none is
    placed in the default receiving location.
    """
    bins = warehouse_bins({m.warehouse_id for m in movements})
    homes = dict(
        Location.objects.filter(
            pk__in={m.location_id for m in movements if m.location_id}
        ).values_list("pk", "warehouse_id")
    )
    running: dict[tuple[int, int], int] = defaultdict(int)
    in_bins: dict[tuple[int, int, int], int] = defaultdict(int)
    for movement in movements:
        pair = (movement.product_id, movement.warehouse_id)
        located = bins.get(movement.warehouse_id, NO_BINS)
        if movement.location_id is None and located.located:
            movement.location_id = located.receiving_id
        if movement.location_id is not None:
            if (
                homes.get(movement.location_id, movement.warehouse_id)
                != (movement.warehouse_id)
                or not located.located
            ):
                raise InvalidInput(
                    f"Location {movement.location_id} is not in warehouse "
                    f"{movement.warehouse_id}.",
                    field="location",
                )
            place = (movement.product_id, movement.location_id, movement.warehouse_id)
            in_bins[place] += movement.quantity
            if in_bins[place] < 0:
                raise InvalidInput(
                    f"History for product {pair[0]} at location {place[1]} goes "
                    f"below zero on {movement.created_at:%Y-%m-%d}."
                )
        running[pair] += movement.quantity
        if movement.quantity == 0 or running[pair] < 0:
            raise InvalidInput(
                f"History for product {pair[0]} in warehouse {pair[1]} goes below "
                f"zero or has a zero movement on {movement.created_at:%Y-%m-%d}."
            )
        movement.balance_after = running[pair]
        movement.reference_type = reference_type
    with transaction.atomic():
        if StockMovement.objects.filter(
            product_id__in={p for p, _ in running},
            warehouse_id__in={w for _, w in running},
        ).exists():
            raise InvalidInput("History can only be loaded into an empty ledger.")
        StockMovement.objects.bulk_create(movements, batch_size=5000)
        _ensure_levels(set(running))
        for (product_id, warehouse_id), total in running.items():
            StockLevel.objects.filter(
                product_id=product_id, warehouse_id=warehouse_id
            ).update(on_hand=F("on_hand") + total)
        ensure_location_levels(
            [LedgerLine(p, w, quantity=1, location_id=loc) for p, loc, w in in_bins]
        )
        for (product_id, location_id, _), total in sorted(in_bins.items()):
            if total:
                LocationStockLevel.objects.filter(
                    product_id=product_id, location_id=location_id
                ).update(on_hand=F("on_hand") + total)
    return len(movements)
