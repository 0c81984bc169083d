"""Reads of lots: which lot to pick, what is expiring, and how much stock
will expire before it sells."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.utils import timezone

from ..models import (
    LotStockLevel,
    MovementKind,
    ReferenceType,
    SalesOrder,
    SalesOrderStatus,
    StockLevel,
    StockMovement,
)

Pair = tuple[int, int]
# Above this many pairs every lot in stock is read and filtered here, rather
# than sending thousands of ids in an IN list.
MAX_IN_LIST = 500


@dataclass(frozen=True)
class LotPick:
    number: str
    expiry_date: date | None
    quantity: int


def fefo_lots(pairs: Iterable[Pair]) -> dict[Pair, list[LotPick]]:
    """Each pair's lots in stock, first expired first out."""
    pairs = set(pairs)
    held: dict[Pair, list[LotPick]] = defaultdict(list)
    if not pairs:
        return held
    rows = LotStockLevel.objects.filter(on_hand__gt=0)
    if len(pairs) <= MAX_IN_LIST:
        rows = rows.filter(
            product_id__in={p for p, _ in pairs},
            warehouse_id__in={w for _, w in pairs},
        )
    for p, w, number, expiry, on_hand in rows.fefo().values_list(
        "product_id", "warehouse_id", "lot__number", "lot__expiry_date", "on_hand"
    ):
        if (p, w) in pairs:
            held[(p, w)].append(LotPick(number, expiry, on_hand))
    return held


def fefo_sequence(lots: list[list], untracked: int | None, today: date) -> list[list]:
    """The order stock leaves a pair in: ``lots`` ([lot id or pick, on hand,
    expiry], FEFO) not yet expired, then the stock without a lot
    (``untracked`` units, as [None, units]; None: whatever is left, last),
    then the expired lots, so an expired unit ships only when nothing else is
    left (expired stock waits for lots_write_off_expired)."""
    fresh = [lot for lot in lots if lot[2] is None or lot[2] >= today]
    expired = [lot for lot in lots if lot[2] is not None and lot[2] < today]
    if not expired:
        return fresh
    return fresh + [[None, max(untracked or 0, 0), None]] + expired


def _take(sequence: list[list], quantity: int) -> list[LotPick]:
    """The lots a quantity takes along a fefo_sequence of picks (stock
    without a lot is taken but not listed)."""
    taken = []
    for lot, held, _ in sequence:
        if quantity <= 0:
            break
        units = min(held, quantity)
        if lot is not None and units:
            taken.append(LotPick(lot.number, lot.expiry_date, units))
        quantity -= units
    return taken


def order_lot_picks(
    *, order: SalesOrder, holds: Sequence[tuple[int, int, int]]
) -> dict[Pair, list[LotPick]]:
    """For the order page: which lots to pick for each (product, warehouse)
    the order holds (``holds``: product, warehouse, quantity), first expired
    first out as the ledger will when it ships now; for a shipped order, the
    lots its shipments took. Stock without a lot is not listed."""
    if order.status == SalesOrderStatus.RESERVED:
        held = fefo_lots((p, w) for p, w, _ in holds)
        on_hand = dict(
            ((p, w), n)
            for p, w, n in StockLevel.objects.filter(
                product_id__in={p for p, _, _ in holds},
                warehouse_id__in={w for _, w, _ in holds},
            ).values_list("product_id", "warehouse_id", "on_hand")
        )
        today = timezone.localdate()
        plan = {}
        for p, w, quantity in holds:
            lots = held.get((p, w), [])
            untracked = on_hand.get((p, w), 0) - sum(lot.quantity for lot in lots)
            order_ = fefo_sequence(
                [[lot, lot.quantity, lot.expiry_date] for lot in lots], untracked, today
            )
            if taken := _take(order_, quantity):
                plan[(p, w)] = taken
        return plan
    if order.status != SalesOrderStatus.SHIPPED:
        return {}
    picked: dict[Pair, list[LotPick]] = defaultdict(list)
    for p, w, number, expiry, total in (
        StockMovement.objects.filter(
            reference_type=ReferenceType.SALES_ORDER,
            reference_id=str(order.pk),
            kind=MovementKind.SHIPMENT,
            lot__isnull=False,
        )
        .values("product_id", "warehouse_id", "lot__number", "lot__expiry_date")
        .annotate(total=Sum("quantity"))
        .values_list(
            "product_id", "warehouse_id", "lot__number", "lot__expiry_date", "total"
        )
        .order_by("lot__expiry_date", "lot__number")
    ):
        picked[(p, w)].append(LotPick(number, expiry, -total))
    return dict(picked)


def lots_in_stock():
    """Every lot balance in stock, soonest expiry first, for the lots page."""
    return (
        LotStockLevel.objects.filter(on_hand__gt=0)
        .select_related("lot", "product", "warehouse")
        .fefo()
    )


def expiring_unsellable(
    pairs: Sequence[Pair], daily_demand: Sequence[Sequence[float]], today: date
) -> list[float]:
    """Per pair, the units in lots that will expire before demand uses them.

    Demand takes the lots first expired first out (as the ledger ships them)
    at ``daily_demand`` (a path per pair, from today; its last day repeats
    past its end). A lot sells on its expiry date and not after (the day
    lots_write_off_expired writes it off): expiring on day e (days from
    today) it sells at most what the demand of days 0..e leaves after the
    earlier lots; the rest of it, and all of a lot already expired, is not
    available. Stock without a lot is assumed not to expire.
    """
    held = fefo_lots(pairs)
    waste = []
    for pair, path in zip(pairs, daily_demand, strict=True):
        lots = held.get(pair)
        if not lots:  # most pairs: nothing can expire
            waste.append(0.0)
            continue
        cumulative = _cumulative(path)
        used = 0.0  # demand already served by earlier lots
        lost = 0.0
        for lot in lots:
            if lot.expiry_date is None:
                break  # undated lots last, and they do not expire
            days = (lot.expiry_date - today).days
            sold = min(float(lot.quantity), max(0.0, cumulative(days + 1) - used))
            used += sold
            lost += lot.quantity - sold
        waste.append(lost)
    return waste


def _cumulative(path: Sequence[float]):
    """Demand over the first ``days`` days along path (the last day repeated)."""
    values = [max(float(v), 0.0) for v in path] or [0.0]
    prefix = [0.0]
    for v in values:
        prefix.append(prefix[-1] + v)

    def total(days: int) -> float:
        if days <= 0:
            return 0.0
        if days <= len(values):
            return prefix[days]
        return prefix[-1] + values[-1] * (days - len(values))

    return total
