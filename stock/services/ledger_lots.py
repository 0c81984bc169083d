"""The lot side of the ledger: only stock.services.ledger calls this.

A movement that names a lot moves that lot's balance in its warehouse. An
outbound movement that names none takes its lots first expired, first out
(LotStockLevel.objects.fefo()) and becomes one movement per lot, then what is
left from the stock received without a lot. A transfer's inbound leg that
names no lot carries the lots its outbound leg took (a post holds one
transfer: the legs are matched by product). Runs after the level
rows are updated: every lot row of a pair is written under its level row's
lock, so lots never deadlock and the FEFO read sees the committed balances.
"""

from collections import defaultdict
from dataclasses import replace
from datetime import datetime

from django.db.models import F
from django.utils import timezone

from core.errors import InvalidInput

from ..errors import InsufficientStock, Shortage
from ..models import Lot, LotStockLevel, MovementKind, StockLevel, Warehouse
from ..selectors.lots import fefo_sequence
from .ledger_line import LedgerLine, Piece

# Kinds that never move a lot: a bin move stays in its warehouse.
LOTLESS_KINDS = (MovementKind.RELOCATION,)


def _moves_lots(line: LedgerLine) -> bool:
    return bool(line.quantity) and line.kind not in LOTLESS_KINDS


def move_lots(pieces: list[Piece], now: datetime) -> list[Piece]:
    """The pieces with their lots named (an outbound piece without a lot is
    split FEFO), after moving every lot balance they change. Raises
    InsufficientStock when a named lot has less than is taken from it and
    InvalidInput for a lot of another product."""
    if not pieces:  # a reservation or a release: no movement, no lot
        return pieces
    _lots_check([line for line, _ in pieces if line.lot_id and _moves_lots(line)])
    held = _held_for_fefo(pieces)
    carried: dict[int, list[list[int]]] = defaultdict(list)
    result: list[Piece] = []
    for line, location_id in pieces:
        if not _moves_lots(line) or line.lot_id:
            result.append((line, location_id))
            continue
        if line.quantity < 0:
            parts = _fefo_take(
                held.get((line.product_id, line.warehouse_id), []), -line.quantity
            )
            if line.kind == MovementKind.TRANSFER_OUT:
                carried[line.product_id] += [
                    [lot_id, units] for lot_id, units in parts if lot_id
                ]
            result += [
                (replace(line, quantity=-units, lot_id=lot_id), location_id)
                for lot_id, units in parts
            ]
        elif line.kind == MovementKind.TRANSFER_IN:
            parts = _carry(carried[line.product_id], line.quantity)
            result += [
                (replace(line, quantity=units, lot_id=lot_id), location_id)
                for lot_id, units in parts
            ]
        else:
            result.append((line, location_id))
    _move_lot_levels(result, now)
    return result


def _lots_check(lines: list[LedgerLine]) -> None:
    if not lines:
        return
    products = dict(
        Lot.objects.filter(pk__in={line.lot_id for line in lines}).values_list(
            "pk", "product_id"
        )
    )
    for line in lines:
        if products.get(line.lot_id) != line.product_id:
            raise InvalidInput("The lot is not a lot of that product.", field="lot")


def _held_for_fefo(pieces: list[Piece]) -> dict[tuple[int, int], list[list]]:
    """Per pair with an outbound piece naming no lot: the order its stock
    leaves in (selectors.lots.fefo_sequence: lots not expired, stock without
    a lot, expired lots), as [[lot id or None, units, expiry], ...]."""
    pairs = {
        (line.product_id, line.warehouse_id)
        for line, _ in pieces
        if _moves_lots(line) and line.quantity < 0 and not line.lot_id
    }
    held: dict[tuple[int, int], list[list]] = defaultdict(list)
    if not pairs:
        return held
    for product_id, warehouse_id, lot_id, on_hand, expiry in (
        LotStockLevel.objects.filter(
            product_id__in={p for p, _ in pairs},
            warehouse_id__in={w for _, w in pairs},
            on_hand__gt=0,
        )
        .fefo()
        .values_list(
            "product_id", "warehouse_id", "lot_id", "on_hand", "lot__expiry_date"
        )
    ):
        if (product_id, warehouse_id) in pairs:
            held[(product_id, warehouse_id)].append([lot_id, on_hand, expiry])
    today = timezone.localdate()
    stale = [
        pair for pair, lots in held.items() if any(e[2] and e[2] < today for e in lots)
    ]
    for pair in stale:
        untracked = _untracked_before(pair, pieces) - sum(e[1] for e in held[pair])
        held[pair] = fefo_sequence(held[pair], untracked, today)
    return held


def _untracked_before(pair: tuple[int, int], pieces: list[Piece]) -> int:
    """The pair's on hand before this post: its level (already moved, under
    its lock) less the post's net change to it."""
    after = (
        StockLevel.objects.filter(product_id=pair[0], warehouse_id=pair[1])
        .values_list("on_hand", flat=True)
        .first()
    ) or 0
    return after - sum(
        line.quantity
        for line, _ in pieces
        if (line.product_id, line.warehouse_id) == pair
    )


def _fefo_take(held: list[list], quantity: int) -> list[tuple[int | None, int]]:
    """Take quantity along ``held`` in order (decrementing it; an entry with
    lot None is stock without a lot), the rest from stock without a lot; the
    level row already proved there is enough."""
    parts: list[tuple[int | None, int]] = []
    for entry in held:
        if not quantity:
            break
        take = min(entry[1], quantity)
        if take:
            parts.append((entry[0], take))
            entry[1] -= take
            quantity -= take
    if quantity:
        parts.append((None, quantity))
    merged: dict[int | None, int] = {}
    for lot_id, units in parts:  # one part per lot (None may come twice)
        merged[lot_id] = merged.get(lot_id, 0) + units
    return list(merged.items())


def _carry(taken: list[list[int]], quantity: int) -> list[tuple[int | None, int]]:
    """The inbound leg of a transfer: the lots its outbound leg took, in the
    same order, the rest without a lot."""
    return _fefo_take(taken, quantity)


def _move_lot_levels(pieces: list[Piece], now: datetime) -> None:
    """Add each lot's net change to its balance in the warehouse: rows created
    where stock arrives, conditional UPDATEs by lot id where it leaves."""
    deltas: dict[tuple[int, int, int], int] = defaultdict(int)
    for line, _ in pieces:
        if line.lot_id and _moves_lots(line):
            deltas[(line.lot_id, line.warehouse_id, line.product_id)] += line.quantity
    arriving = [key for key, delta in deltas.items() if delta > 0]
    if arriving:
        LotStockLevel.objects.bulk_create(
            [
                LotStockLevel(lot_id=lot, warehouse_id=w, product_id=p)
                for lot, w, p in sorted(arriving)
            ],
            ignore_conflicts=True,
        )
    short = []
    for (lot_id, warehouse_id, _), delta in sorted(deltas.items()):
        if not delta:
            continue
        rows = LotStockLevel.objects.filter(lot_id=lot_id, warehouse_id=warehouse_id)
        if delta < 0:
            rows = rows.filter(on_hand__gte=-delta)
        if not rows.update(on_hand=F("on_hand") + delta, updated_at=now):
            short.append((lot_id, warehouse_id, -delta))
    if short:
        raise InsufficientStock(_lot_shortages(short))


def _lot_shortages(short: list[tuple[int, int, int]]) -> list[Shortage]:
    lots = Lot.objects.select_related("product").in_bulk({lot for lot, _, _ in short})
    codes = dict(Warehouse.objects.values_list("pk", "code"))
    held = {
        (lot, w): on_hand
        for lot, w, on_hand in LotStockLevel.objects.filter(
            lot_id__in=lots
        ).values_list("lot_id", "warehouse_id", "on_hand")
    }
    return [
        Shortage(
            sku=lots[lot].product.sku,
            warehouse=f"{codes[w]} (lot {lots[lot].number})",
            requested=requested,
            available=held.get((lot, w), 0),
        )
        for lot, w, requested in short
    ]
