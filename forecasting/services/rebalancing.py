"""Transfer suggestions: stock one warehouse holds above its order-up-to level
moved to another below its reorder point, when moving is cheaper than buying.

The inputs are those of the purchase suggestions (suggestions.py: the same
forecasts, stock, lots that expire unsold and policy levels), read by the
same functions; only the matching of excess to shortage is here.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models_rebalancing import TransferStatus, TransferSuggestion
from .suggestions import (
    DEFAULT_LEAD_TIME,
    _abc_classes,
    _inputs_load,
    _pairs_to_plan,
    _plan_compute,
)

CENT = Decimal("0.01")


@dataclass
class _Side:
    """One warehouse's side of a product: what it can give or needs."""

    warehouse_id: int
    units: int  # excess to give, or shortage to fill
    position: float
    reorder_point: float
    order_up_to: float
    free: int  # usable on hand less reserved
    lead_time: float
    unit_cost: float


def transfer_suggestions_build(*, today: date | None = None) -> dict:
    """Write one open transfer suggestion per product, source and target
    where a move pays; older open ones are superseded. Returns the counts."""
    today = today or timezone.localdate()
    pairs, forecasts, levels = _pairs_to_plan(today)
    if not pairs:
        return {"suggestions": 0, "superseded": 0}
    inputs = _inputs_load(pairs, forecasts, levels, today)
    plan, usable = _plan_compute(inputs, _abc_classes(inputs), today)
    givers, takers = _sides(inputs, plan, usable)
    new = []
    for product_id in sorted(set(givers) & set(takers)):
        new += _match(product_id, givers[product_id], takers[product_id])
    with transaction.atomic():
        superseded = TransferSuggestion.objects.filter(
            status=TransferStatus.OPEN
        ).update(status=TransferStatus.SUPERSEDED)
        TransferSuggestion.objects.bulk_create(new)
    return {"suggestions": len(new), "superseded": superseded}


def _sides(inputs, plan, usable):
    """Per product, the warehouses with excess (givers) and with a shortage
    (takers), from the plan's position, reorder point and order-up-to."""
    col = {
        c: plan[c].to_numpy()
        for c in ("inventory_position", "reorder_point", "order_up_to", "lead_time")
    }
    givers: dict[int, list[_Side]] = defaultdict(list)
    takers: dict[int, list[_Side]] = defaultdict(list)
    for i, (product_id, warehouse_id) in enumerate(inputs.pairs):
        if not usable[i]:
            continue
        position = float(col["inventory_position"][i])
        reorder, up_to = float(col["reorder_point"][i]), float(col["order_up_to"][i])
        on_order = inputs.on_order.get((product_id, warehouse_id)) or 0
        free = int(position - on_order)  # usable on hand less reserved
        unit_cost = float(
            inputs.term(product_id, "unit_cost", inputs.products[product_id].unit_cost)
        )
        side = _Side(
            warehouse_id,
            0,
            position,
            reorder,
            up_to,
            free,
            float(col["lead_time"][i])
            if math.isfinite(col["lead_time"][i])
            else DEFAULT_LEAD_TIME,
            unit_cost,
        )
        # Only stock on the shelf above the level is excess: units on order
        # are not there to move.
        excess = math.floor(free - up_to)
        if excess > 0:
            side.units = excess
            givers[product_id].append(side)
        elif position < reorder:
            side.units = math.ceil(up_to - position)
            takers[product_id].append(side)
    return givers, takers


def _costs(taker: _Side) -> tuple[Decimal, Decimal]:
    """(transfer, buy) cost per unit for the taker: buying costs the unit cost
    plus the stock-out cost of each day a purchase arrives after a transfer."""
    transfer = Decimal(str(settings.STOCKWISE_TRANSFER_COST_PER_UNIT))
    gap = max(0.0, taker.lead_time - settings.STOCKWISE_TRANSFER_DAYS)
    buy = Decimal(
        str(taker.unit_cost + settings.STOCKWISE_STOCKOUT_COST_PER_UNIT_DAY * gap)
    )
    return transfer.quantize(CENT, ROUND_HALF_UP), buy.quantize(CENT, ROUND_HALF_UP)


def _match(product_id, givers: list[_Side], takers: list[_Side]):
    """The most short warehouse first takes from the one with most excess."""
    takers = sorted(
        takers, key=lambda s: (s.position - s.reorder_point, s.warehouse_id)
    )
    givers = sorted(givers, key=lambda s: (-s.units, s.warehouse_id))
    new = []
    for taker in takers:
        transfer_cost, buy_cost = _costs(taker)
        if transfer_cost >= buy_cost:
            continue
        for giver in givers:
            units = min(giver.units, taker.units)
            if units <= 0:
                continue
            giver.units -= units
            taker.units -= units
            new.append(
                TransferSuggestion(
                    product_id=product_id,
                    from_warehouse_id=giver.warehouse_id,
                    to_warehouse_id=taker.warehouse_id,
                    quantity=units,
                    from_usable=giver.free,
                    from_order_up_to=giver.order_up_to,
                    to_position=taker.position,
                    to_reorder_point=taker.reorder_point,
                    to_order_up_to=taker.order_up_to,
                    transfer_cost=transfer_cost,
                    buy_cost=buy_cost,
                    lead_time_days=taker.lead_time,
                    reason=_reason(giver, taker, units, transfer_cost, buy_cost),
                )
            )
    return new


def _reason(giver: _Side, taker: _Side, units, transfer_cost, buy_cost) -> str:
    return (
        f"Source holds {giver.free} usable above an order-up-to level of "
        f"{giver.order_up_to:.0f}; target position {taker.position:.0f} is below "
        f"its reorder point {taker.reorder_point:.0f} (order-up-to "
        f"{taker.order_up_to:.0f}). Moving {units} costs {transfer_cost} a unit; "
        f"buying costs {buy_cost} a unit (unit cost and "
        f"{max(0.0, taker.lead_time - settings.STOCKWISE_TRANSFER_DAYS):.0f} days "
        f"longer to arrive)."
    )
