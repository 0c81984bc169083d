"""The one writer of the ledger and its balances.

`ledger_post` changes on-hand and reserved quantities of StockLevel rows with
conditional UPDATEs (never read-compute-write), taken in (product, warehouse)
order so two transactions touching the same rows never deadlock, and writes one
immutable StockMovement per on-hand change in the same transaction. In a
warehouse with locations each movement names one and the LocationStockLevel
rows move with the level (ledger_locations.py), locked after the level row;
lots likewise (ledger_lots.py: named, or first expired first out).
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Product, Shop
from core.errors import InvalidInput

from ..errors import InsufficientStock, Shortage
from ..hooks import LedgerPosted, ledger_hook
from ..models import (
    LocationStockLevel,
    StockLevel,
    StockMovement,
    Warehouse,
)
from .ledger_days import day_sums, ledger_days_add
from .ledger_history import (
    History,
    history_check,
    history_days,
    history_days_write,
    history_insert,
    history_levels,
    history_lock_levels,
    history_references_lock,
    history_triggers_back,
)
from .ledger_line import LedgerLine, Piece, lines_check
from .ledger_locations import (
    bin_shortages,
    ensure_location_levels,
    move_locations,
    placed,
)
from .ledger_lots import move_lots

__all__ = ["History", "LedgerLine", "ledger_load_history", "ledger_post"]

Pair = tuple[int, int]  # (product_id, warehouse_id)
_LEVELS = StockLevel._meta.db_table
# A pair's net change: [on hand, reserved].
Deltas = dict[Pair, list[int]]


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

    Refuses (InvalidInput, before any write) a line that fails lines_check or
    names a location outside its warehouse; refuses (InsufficientStock, all
    lines rolled back) when any pair or bin would go below zero on hand or
    reserved, or below zero available. Guarantees: every on-hand change is one
    StockMovement whose balance_after is the pair's balance after it, written
    in the same transaction as the balances; rows are locked in one fixed
    order (pairs by (product, warehouse); in each, the level row, then its
    locations by id), so concurrent posts never deadlock; the ledger's
    listeners (stock.hooks) are told of the post inside its transaction; the
    daily roll-up (stock.LedgerDay) takes the movements in one upsert in the
    same transaction.

    In a warehouse with locations every movement has one: the line's, else
    the default receiving location for inbound, else picked for outbound
    (stock.selectors.picking), and the location's LocationStockLevel moves
    with the warehouse's StockLevel. An outbound line picked from several
    locations becomes one movement per location.

    savepoint=False is for a caller whose own atomic block is the unit that is
    rolled back when this raises (it saves the SAVEPOINT round trips); inside
    any other transaction the default keeps a refusal from spoiling it.
    """
    lines_check(lines)
    lines, located, pick_first = placed(lines)
    deltas = _net_changes(lines)
    now = occurred_at or timezone.now()
    with transaction.atomic(savepoint=savepoint):
        _create_rows_where_stock_arrives(deltas, lines)
        # Before the UPDATEs: once a level row is updated it stays locked until
        # the commit, and a hot SKU's writers queue on that lock.
        prepared = ledger_hook.prepare()
        picked = _move_balances(deltas, lines, located, pick_first, now)
        movements = _write_movements(
            move_lots(_pieces(lines, picked), now),
            reference_type=reference_type,
            reference_id=str(reference_id),
            actor_user=actor_user,
            actor_shop=actor_shop,
            note=note,
            now=now,
        )
        ledger_days_add(day_sums(movements))
        _announce(deltas, movements, reference_type, reference_id, prepared)
    return movements


def _net_changes(lines: Sequence[LedgerLine]) -> Deltas:
    """Each pair's net change of on hand and reserved over all the lines."""
    deltas: Deltas = defaultdict(lambda: [0, 0])
    for line in lines:
        delta = deltas[(line.product_id, line.warehouse_id)]
        delta[0] += line.quantity
        delta[1] += line.reserved
    return deltas


def _create_rows_where_stock_arrives(
    deltas: Deltas, lines: Sequence[LedgerLine]
) -> None:
    """Create the missing level rows (warehouse and location) that stock
    arrives in. Only there: a reservation, release or removal on a pair with
    no row matches no row in _move_level and is refused as short, which is
    right, since nothing is there."""
    _ensure_levels({pair for pair, (dq, _) in deltas.items() if dq > 0})
    ensure_location_levels(lines)


def _move_balances(
    deltas: Deltas,
    lines: Sequence[LedgerLine],
    located: set[Pair],
    pick_first: dict[int, int | None],
    now: datetime,
) -> dict[Pair, list[Piece]]:
    """Move every pair's level, then its bins, in lock order; raise
    InsufficientStock naming every pair and bin that was short.

    Lock order: pairs sorted by (product, warehouse); in each, the level row,
    then its locations by id. A pair whose bins move locks its level row even
    when the warehouse total does not change. Returns, per pair whose bins
    moved, its lines split into (line, location) pieces.
    """
    failed, bins_failed = [], []
    picked: dict[Pair, list[Piece]] = {}
    for pair, (dq, dr) in sorted(deltas.items()):
        if dq == 0 and dr == 0 and pair not in located:
            continue
        if not _move_level(pair, dq, dr, now):
            failed.append((*pair, dq, dr))
            continue
        if pair in located:
            pair_lines = [
                line
                for line in lines
                if line.quantity and (line.product_id, line.warehouse_id) == pair
            ]
            picked[pair], short = move_locations(
                pair, pair_lines, pick_first.get(pair[1]), now
            )
            bins_failed += [(*pair, *s) for s in short]
    if failed or bins_failed:
        raise InsufficientStock(
            (_shortages(failed) if failed else [])
            + (bin_shortages(bins_failed) if bins_failed else [])
        )
    return picked


def _move_level(pair: Pair, dq: int, dr: int, now: datetime) -> bool:
    """One conditional UPDATE of the pair's level row (locking it until the
    commit); False, with nothing changed, when it would leave on hand,
    reserved or available below zero, or the row does not exist.

    Written out (as the idempotency key's statements are): every order of a
    hot SKU runs it, and the ORM's compiling cost more than the statement."""
    product_id, warehouse_id = pair
    conditions, params = (
        ["product_id = %s", "warehouse_id = %s"],
        [product_id, warehouse_id],
    )
    if dq < 0:
        conditions.append("on_hand >= %s")
        params.append(-dq)
    if dr < 0:
        conditions.append("reserved >= %s")
        params.append(-dr)
    if dr - dq > 0:  # available after = on_hand + dq - reserved - dr >= 0
        conditions.append("on_hand >= reserved + %s")
        params.append(dr - dq)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_LEVELS} SET on_hand = on_hand + %s, reserved = reserved + %s,"
            f" updated_at = %s WHERE {' AND '.join(conditions)}",
            [dq, dr, connection.ops.adapt_datetimefield_value(now), *params],
        )
        return cursor.rowcount > 0


def _pieces(
    lines: Sequence[LedgerLine], picked: dict[Pair, list[Piece]]
) -> list[Piece]:
    """The movements to write, in line order: a pair whose bins moved gives
    its picked pieces (once, where its first line was), any other line with a
    quantity gives itself."""
    pieces: list[Piece] = []
    done = set()
    for line in lines:
        if not line.quantity:
            continue
        pair = (line.product_id, line.warehouse_id)
        if pair not in picked:
            pieces.append((line, line.location_id))
        elif pair not in done:
            done.add(pair)
            pieces += picked[pair]
    return pieces


def _write_movements(
    pieces: list[Piece],
    *,
    reference_type: str,
    reference_id: str,
    actor_user,
    actor_shop: Shop | None,
    note: str,
    now: datetime,
) -> list[StockMovement]:
    """One StockMovement per piece, each with the pair's balance after it."""
    if not pieces:
        return []
    after = _balances_after(pieces)
    movements = [
        StockMovement(
            product_id=line.product_id,
            warehouse_id=line.warehouse_id,
            location_id=location_id,
            lot_id=line.lot_id,
            quantity=line.quantity,
            balance_after=balance,
            kind=line.kind,
            reference_type=reference_type,
            reference_id=reference_id,
            actor_user=actor_user if getattr(actor_user, "pk", None) else None,
            actor_shop=actor_shop,
            created_at=now,
            note=note[:500],
        )
        for (line, location_id), balance in zip(pieces, after, strict=True)
    ]
    return StockMovement.objects.bulk_create(movements)


def _balances_after(pieces: list[Piece]) -> list[int]:
    """The pair's on hand after each piece: walk each pair's pieces backwards
    from the final balance the UPDATE left (read under the level row's lock)."""
    balances = _balances({(line.product_id, line.warehouse_id) for line, _ in pieces})
    after: list[int] = [0] * len(pieces)
    for index in range(len(pieces) - 1, -1, -1):
        line = pieces[index][0]
        pair = (line.product_id, line.warehouse_id)
        after[index] = balances[pair]
        balances[pair] -= line.quantity
    return after


def _announce(deltas, movements, reference_type, reference_id, prepared) -> None:
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


def _ensure_levels(pairs: set[Pair]) -> None:
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
    """Each short pair with its SKU, warehouse code and what is available:
    one query, joined to the level rows (a pair without a row, two more)."""
    pairs = {(f[0], f[1]) for f in failed}
    products, warehouses = sorted({p for p, _ in pairs}), sorted({w for _, w in pairs})
    # Written out: a hot SKU sold out answers every order with this 409.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.product_id, l.warehouse_id, p.sku, w.code, l.on_hand,"
            f" l.reserved FROM {_LEVELS} l"
            f" JOIN {Product._meta.db_table} p ON p.id = l.product_id"
            f" JOIN {Warehouse._meta.db_table} w ON w.id = l.warehouse_id"
            f" WHERE l.product_id IN ({', '.join(['%s'] * len(products))})"
            f" AND l.warehouse_id IN ({', '.join(['%s'] * len(warehouses))})",
            [*products, *warehouses],
        )
        found = {
            (p, w): (sku, code, on_hand - reserved)
            for p, w, sku, code, on_hand, reserved in cursor.fetchall()
            if (p, w) in pairs
        }
    missing = pairs - set(found)
    if missing:
        products = dict(
            Product.objects.filter(pk__in={p for p, _ in missing}).values_list(
                "pk", "sku"
            )
        )
        warehouses = dict(
            Warehouse.objects.filter(pk__in={w for _, w in missing}).values_list(
                "pk", "code"
            )
        )
        for p, w in missing:
            found[(p, w)] = (products[p], warehouses[w], 0)
    result = []
    for product_id, warehouse_id, dq, dr in failed:
        sku, code, available = found[(product_id, warehouse_id)]
        result.append(
            Shortage(
                sku=sku,
                warehouse=code,
                requested=max(-dq, dr, dr - dq),
                available=available,
            )
        )
    return result


def _balances(pairs: set[Pair]) -> dict[Pair, int]:
    rows = StockLevel.objects.filter(
        product_id__in={p for p, _ in pairs}, warehouse_id__in={w for _, w in pairs}
    ).values_list("product_id", "warehouse_id", "on_hand")
    return {(p, w): on_hand for p, w, on_hand in rows if (p, w) in pairs}


def ledger_load_history(
    *, movements: "Sequence[StockMovement] | History", reference_type: str
) -> int:
    """Bulk-load a history of movements for pairs that have no ledger yet.

    For demo data and migrations from another system: the rows (StockMovement
    instances, or a ledger_history.History of columns: no Python object per
    row) must be in time order per pair and keep every running balance >= 0,
    per warehouse and per location; balance_after is computed here and the
    balances are set to the ledger's sums. In a warehouse with locations a
    row that names none is placed in the default receiving location. Refuses
    (InvalidInput, nothing written) a history that breaks these rules or a
    pair that has a ledger. The pairs' level rows are locked first (the
    ledger's lock order), so no post on them runs meanwhile. The daily
    roll-up (LedgerDay) is written with the rows; on PostgreSQL the rows go in
    with COPY (instances then get no pk, but their balance_after, location
    and reference_type are filled in).
    """
    history = movements if isinstance(movements, History) else History.of(movements)
    running, in_bins = history_check(history)
    if not isinstance(movements, History):
        _fill_instances(movements, history, reference_type)
    now = timezone.now()
    with transaction.atomic():
        _ensure_levels(set(running))
        history_lock_levels(set(running))
        if StockMovement.objects.filter(
            product_id__in={p for p, _ in running},
            warehouse_id__in={w for _, w in running},
        ).exists():
            raise InvalidInput("History can only be loaded into an empty ledger.")
        triggers_were = history_references_lock(history)
        history_insert(history, reference_type)
        history_days_write(
            history_days(history), now, triggers_off=triggers_were is not None
        )
        history_triggers_back(triggers_were)
        history_levels(running)
        ensure_location_levels(
            [LedgerLine(p, w, quantity=1, location_id=loc) for p, loc, w in in_bins]
        )
        for (product_id, location_id, _), total in sorted(in_bins.items()):
            if total:
                LocationStockLevel.objects.filter(
                    product_id=product_id, location_id=location_id
                ).update(on_hand=F("on_hand") + total)
    return len(history)


def _fill_instances(movements, history: History, reference_type: str) -> None:
    """What the load computed, on the caller's instances."""
    locations = (
        history.location_id.tolist()
        if history.location_id is not None
        else [None] * len(history)
    )
    for movement, balance, location_id in zip(
        movements, history.balance_after.tolist(), locations, strict=True
    ):
        movement.balance_after = balance
        movement.location_id = location_id or None
        movement.reference_type = reference_type
