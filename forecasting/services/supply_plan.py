"""Supply planning under real constraints, for the suggestion build.

Three things the per-item policy cannot see on its own:

* lead times learned from receipts (``stock.selectors.supplier_performance``),
  shrunk toward the stated figure (``forecasting.policy.leadtime``);
* single-period (seasonal) products: the newsvendor terms from the catalog;
* one plan per warehouse: the orders of a warehouse share its free storage
  (units, and volume where products have dimensions) and its open-to-buy
  budget, chosen together by ``forecasting.policy.capacity`` (HiGHS, greedy
  as the fallback).

Each suggestion records what this module did in ``plan_notes``.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone

from stock.models import PurchaseOrderLine
from stock.models.documents import PurchaseOrderStatus
from stock.selectors.supplier_performance import lead_time_samples

from ..models import WarehousePlanning
from ..policy.capacity import PlanItems, Resource, plan_constrained
from ..policy.leadtime import LearnedLeadTime, learned_lead_time

REVIEW_DAYS = 1.0


def learned_lead_times(inputs, stated) -> LearnedLeadTime:
    """Per pair: the lead time of its supplier at its warehouse, learned from
    receipts and shrunk toward ``stated`` (the pair's stated figure)."""
    samples = lead_time_samples()
    keys = [
        ((inputs.terms.get(p) or {}).get("supplier_id"), w) for p, w in inputs.pairs
    ]
    return learned_lead_time(stated, [samples.get(k, []) for k in keys])


def newsvendor_terms(inputs, lead) -> dict:
    """replenishment_plan's single-period arguments, per pair: the product's
    flag, its season (or lead time + review) and its price and salvage value."""
    products = [inputs.products[p] for p, _ in inputs.pairs]
    return {
        "single_period": [p.is_single_period for p in products],
        "selling_days": [
            p.season_days or lt + REVIEW_DAYS
            for p, lt in zip(products, lead, strict=True)
        ],
        "unit_price": [float(p.price) for p in products],
        "salvage_value": [float(p.salvage_value) for p in products],
    }


def _unit_cost(inputs, product_id) -> float:
    return float(
        inputs.term(product_id, "unit_cost", inputs.products[product_id].unit_cost)
    )


def _limits(inputs, warehouse_ids) -> tuple[dict, dict, dict]:
    """Per warehouse: free units, free litres and budget left (inf: no limit)."""
    planning = {
        p.warehouse_id: p
        for p in WarehousePlanning.objects.filter(warehouse_id__in=warehouse_ids)
    }
    free_units = {w: max(inputs.free.get(w, math.inf), 0.0) for w in warehouse_ids}
    used_litres: dict[int, float] = {}
    for (p, w), (on_hand, _) in inputs.levels.items():
        volume = inputs.products[p].unit_volume_litres if p in inputs.products else None
        if volume:
            used_litres[w] = used_litres.get(w, 0.0) + on_hand * volume
    free_litres, budget_left = {}, {}
    now = timezone.now()
    for w in warehouse_ids:
        limits = planning.get(w)
        if limits is None:
            continue
        if limits.capacity_litres is not None:
            free_litres[w] = max(
                float(limits.capacity_litres) - used_litres.get(w, 0.0), 0.0
            )
        if limits.budget_per_period is not None:
            since = now - timedelta(days=limits.period_days)
            committed = (
                PurchaseOrderLine.objects.filter(
                    purchase_order__warehouse_id=w,
                    purchase_order__created_at__gte=since,
                )
                .exclude(purchase_order__status=PurchaseOrderStatus.CANCELLED)
                .aggregate(v=Sum(F("quantity_ordered") * F("unit_cost")))["v"]
            )
            left = limits.budget_per_period - (committed or Decimal(0))
            budget_left[w] = max(float(left), 0.0)
    return free_units, free_litres, budget_left


def warehouse_plan(inputs, plan, wanted) -> list[dict]:
    """Cut the ``wanted`` rows' quantities so each warehouse's orders fit its
    free storage and budget together (writes ``plan["quantity"]`` and
    ``plan["capacity_capped"]``); returns each row's plan notes."""
    n = len(inputs.pairs)
    notes: list[dict] = [{} for _ in range(n)]
    _lead_and_newsvendor_notes(plan, notes)
    rows = np.flatnonzero(wanted)
    if not len(rows):
        return notes
    pairs = [inputs.pairs[i] for i in rows]
    warehouses = [w for _, w in pairs]
    free_units, free_litres, budget_left = _limits(inputs, sorted(set(warehouses)))
    cost = np.array([_unit_cost(inputs, p) for p, _ in pairs])
    price = np.array([float(inputs.products[p].price) for p, _ in pairs])
    volume = np.array([inputs.products[p].unit_volume_litres or 0.0 for p, _ in pairs])
    col = {
        c: plan[c].to_numpy()[rows]
        for c in (
            "quantity",
            "inventory_position",
            "demand_exposure",
            "demand_sd",
            "lead_time",
            "stockout_day",
        )
    }
    wanted_q = col["quantity"].astype(float)
    exposure = col["lead_time"] + REVIEW_DAYS
    # The order lasts beyond lead time + review (EOQ, packs, MOQ): units past
    # the exposure's demand still count a little, on the demand over the time
    # the wanted quantity covers (exposure + wanted / daily demand), so cycle
    # stock is not valued at nothing once urgent needs are met.
    daily = col["demand_exposure"] / np.maximum(exposure, 1e-9)
    horizon = exposure + np.where(daily > 0, wanted_q / np.maximum(daily, 1e-9), 0.0)
    stretch = horizon / np.maximum(exposure, 1e-9)
    items = PlanItems.build(
        wanted=wanted_q,
        pack=[
            inputs.term(p, "pack_size", inputs.products[p].pack_size) for p, _ in pairs
        ],
        moq=[inputs.term(p, "min_order_quantity", 1) for p, _ in pairs],
        position=col["inventory_position"],
        mu=col["demand_exposure"],
        var=col["demand_sd"] ** 2,
        mu_later=col["demand_exposure"] * stretch,
        var_later=col["demand_sd"] ** 2 * stretch,
        value=np.maximum(price - cost, 0.01),
        holding=cost * settings.STOCKWISE_HOLDING_COST_RATE * horizon / 365.0,
        priority=np.nan_to_num(col["stockout_day"], posinf=1e9) - col["lead_time"],
    )
    resources = [
        Resource("capacity", np.ones(len(rows)), free_units),
        Resource("volume", volume, free_litres),
        Resource("budget", cost, budget_left),
    ]
    result = plan_constrained(items, warehouses, resources)
    quantity = plan["quantity"].to_numpy().copy()
    capped = plan["capacity_capped"].to_numpy().copy()
    quantity[rows] = result.quantity
    for j, i in enumerate(rows.tolist()):
        if result.cut[j] <= 0:
            continue
        bounds = str(result.bound[j]).split("+")
        capped[i] = bool({"capacity", "volume"} & set(bounds))
        notes[i]["constraint"] = {
            "bounds": bounds,
            "wanted": int(wanted_q[j]),
            "cut": int(result.cut[j]),
            "solver": result.solver.get(warehouses[j], ""),
        }
    plan["quantity"] = quantity
    plan["capacity_capped"] = capped
    return notes


def _lead_and_newsvendor_notes(plan, notes) -> None:
    ratio = plan["critical_ratio"].to_numpy() if "critical_ratio" in plan else None
    policies = plan["policy"].to_numpy()
    receipts = plan["lead_receipts"].to_numpy() if "lead_receipts" in plan else None
    for i in range(len(notes)):
        if policies[i] == "newsvendor" and ratio is not None:
            notes[i]["critical_ratio"] = round(float(ratio[i]), 2)
        if receipts is not None and receipts[i] > 0:
            notes[i]["lead_time"] = {
                "stated": round(float(plan["lead_stated"].iat[i]), 1),
                "learned": round(float(plan["lead_time"].iat[i]), 1),
                "sd": round(float(plan["lead_time_sd"].iat[i]), 1),
                "receipts": int(receipts[i]),
            }
