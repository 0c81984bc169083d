"""The replenishment plan: reorder point, order-up-to and order quantity per item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .demand import (
    DEFAULT_LEVELS,
    daily_sigma,
    gamma_quantile,
    order_up_to_level,
    reorder_level,
    window_moments,
)


def critical_ratio(unit_price, unit_cost, salvage_value=0.0) -> np.ndarray:
    """Cu / (Cu + Co): Cu the margin lost per unit short, Co the loss per leftover."""
    cu = np.clip(np.asarray(unit_price, float) - unit_cost, 0.0, None)
    co = np.clip(np.asarray(unit_cost, float) - salvage_value, 0.0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = cu / (cu + co)
    return np.clip(np.nan_to_num(ratio, nan=0.5), 0.0, 0.999)


def newsvendor_quantity(mu, var, ratio) -> np.ndarray:
    """Single-period stock level: the demand quantile at the critical ratio."""
    return gamma_quantile(np.asarray(ratio, float), mu, var)


def economic_order_quantity(annual_demand, order_cost, unit_cost, holding_rate):
    """sqrt(2 D K / (h c)); 0 where a cost is missing (EOQ does not apply)."""
    hold = np.asarray(unit_cost, float) * holding_rate
    ok = (np.asarray(order_cost) > 0) & (hold > 0) & (np.asarray(annual_demand) > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        eoq = np.sqrt(2.0 * annual_demand * order_cost / hold)
    return np.where(ok, eoq, 0.0)


def round_quantity(raw, pack_size, moq, free_capacity):
    """Round up to a multiple of the pack, then up to the MOQ (in whole packs), then
    down to what the free capacity holds. Returns quantity and the flags."""
    raw = np.clip(np.asarray(raw, dtype=float), 0.0, None)
    pack = np.maximum(np.asarray(pack_size, float), 1.0)
    q = np.ceil(raw / pack - 1e-9) * pack
    by_pack = (pack > 1) & (q > np.ceil(raw - 1e-9))
    moq_packs = np.ceil(np.asarray(moq, float) / pack - 1e-9) * pack
    by_moq = (q > 0) & (q < moq_packs)
    q = np.where(by_moq, moq_packs, q)
    cap = np.floor(np.clip(np.asarray(free_capacity, float), 0.0, None) / pack) * pack
    capped = q > cap
    q = np.where(capped, cap, q)
    return q, by_pack, by_moq, capped


def stockout_day(mean: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Day (1-based) on which cumulative mean demand first exceeds the position,
    inf when it does not within the forecast path."""
    cum = np.cumsum(np.nan_to_num(mean), axis=1)
    over = cum > position[:, None]
    day = np.argmax(over, axis=1) + 1.0
    return np.where(over.any(axis=1), day, np.inf)


def replenishment_plan(
    *,
    mean: np.ndarray,
    quantiles: np.ndarray | None,
    on_hand,
    lead_time,
    service_level,
    levels: Sequence[float] = DEFAULT_LEVELS,
    reserved=0.0,
    on_order=0.0,
    review_period=1.0,
    moq=1.0,
    pack_size=1.0,
    unit_cost=0.0,
    order_cost=0.0,
    holding_rate=0.25,
    free_capacity=np.inf,
    periods_per_year: float = 365.0,
    single_period=False,
    selling_days=None,
    unit_price=np.nan,
    salvage_value=0.0,
    basis=None,
    correlation: float = 0.0,
    explain: bool = True,
    lead_time_sd=0.0,
) -> pd.DataFrame:
    """One row per item (rows of ``mean``): what to order now and why.

    ``mean`` is (items, days) of daily mean demand, ``quantiles`` (items, days,
    levels) the forecast quantiles; every other argument is a scalar or one value
    per item. Review is periodic: the policy looks every ``review_period`` days
    (0 = continuous review), and an order placed now arrives after ``lead_time``.

    * inventory position = on hand + on order - reserved;
    * order-up-to S meets the fill-rate target over lead time + review period
      (units short per cycle = (1 - target) x demand per cycle, Gamma loss);
    * reorder point s meets the same target for orders of max(EOQ, review-period
      demand) over the exposure L + R: not ordering now means the next order lands
      R days later (with R = 0 that is the lead time alone); capped at S. Safety
      stock is s minus the mean demand over the exposure;
    * when position <= s: raw = max(S - position, EOQ), rounded up to the pack and
      the MOQ, cut to the free capacity (``capacity_capped``);
    * ``single_period`` items (seasonal, short-life) get the newsvendor level: the
      demand quantile over ``selling_days`` at the critical ratio Cu / (Cu + Co);
    * ``lead_time_sd`` (days, learned from receipts: policy.leadtime) makes the
      lead time random: each window's variance gains d^2 x sd(L)^2, d its mean
      daily demand (Var = L sigma_d^2 + d^2 sigma_L^2).
    """
    mean = np.asarray(mean, dtype=float)
    n = mean.shape[0]

    def arr(v, dtype=float):
        return np.broadcast_to(np.asarray(v, dtype=dtype), (n,)).copy()

    position = arr(on_hand) + arr(on_order) - arr(reserved)
    beta, single = arr(service_level), arr(single_period, bool)
    unit_cost = arr(unit_cost)
    demand = _demand_windows(
        mean, quantiles, levels, arr(lead_time), arr(review_period), correlation
    )
    demand = _random_lead_time(demand, arr(lead_time_sd))
    eoq = _order_size(mean, periods_per_year, arr(order_cost), unit_cost, holding_rate)
    eoq = np.where(single, 0.0, eoq)
    up_to, reorder = _periodic_review_levels(demand, eoq, beta)
    ratio = critical_ratio(arr(unit_price), unit_cost, arr(salvage_value))
    if single.any():  # one buy up to the critical-ratio quantile
        days = demand.exposure if selling_days is None else arr(selling_days)
        mu_s, var_s = window_moments(mean, demand.sigma, days, correlation)
        level = newsvendor_quantity(mu_s, var_s, ratio)
        up_to = np.where(single, level, up_to)
        reorder = np.where(single, level, reorder)
    limits = arr(pack_size), arr(moq), arr(free_capacity)
    orders = _order_quantities(position, up_to, reorder, eoq, single, limits)
    out = pd.DataFrame(
        {
            "basis": np.asarray(
                np.full(n, "forecast", dtype=object) if basis is None else basis,
                dtype=object,
            ),
            "policy": np.where(single, "newsvendor", "periodic_review"),
            "critical_ratio": np.where(single, ratio, np.nan),
            "service_level": beta,
            **_level_columns(demand, reorder=reorder, up_to=up_to),
            "inventory_position": position,
            "eoq": eoq,
            **orders,
            "stockout_day": stockout_day(mean, position),
        }
    )
    if explain:
        out["reason"] = _reasons(out, demand.exposure, ratio)
    return out


@dataclass(frozen=True)
class _DemandWindows:
    """Demand moments per item over the lead time (``mu_l``, ``var_l``) and
    over the exposure lead time + review period (``mu_p``, ``var_p``);
    ``mu_r`` is the mean over the review period alone (never negative)."""

    lead: np.ndarray
    exposure: np.ndarray
    sigma: np.ndarray
    mu_l: np.ndarray
    var_l: np.ndarray
    mu_p: np.ndarray
    var_p: np.ndarray
    mu_r: np.ndarray


def _demand_windows(
    mean, quantiles, levels, lead, review, correlation
) -> _DemandWindows:
    """Spread per day from the quantiles, then the moments of the demand summed
    over the lead time and over the exposure (lead time + review period)."""
    sigma = daily_sigma(mean, quantiles, levels)
    exposure = lead + review
    mu_l, var_l = window_moments(mean, sigma, lead, correlation)
    mu_p, var_p = window_moments(mean, sigma, exposure, correlation)
    return _DemandWindows(
        lead=lead,
        exposure=exposure,
        sigma=sigma,
        mu_l=mu_l,
        var_l=var_l,
        mu_p=mu_p,
        var_p=var_p,
        mu_r=np.clip(mu_p - mu_l, 0.0, None),
    )


def _random_lead_time(demand: _DemandWindows, lead_sd) -> _DemandWindows:
    """Add d^2 x sd(L)^2 to both windows' variance (d: the window's mean daily
    demand); unchanged where the lead time has no spread."""
    if not np.any(lead_sd > 0):
        return demand
    with np.errstate(invalid="ignore", divide="ignore"):
        d_l = np.nan_to_num(demand.mu_l / demand.lead)
        d_p = np.nan_to_num(demand.mu_p / demand.exposure)
    return replace(
        demand,
        var_l=demand.var_l + (d_l * lead_sd) ** 2,
        var_p=demand.var_p + (d_p * lead_sd) ** 2,
    )


def _order_size(mean, periods_per_year, order_cost, unit_cost, holding_rate):
    """EOQ per item from its mean daily demand over (at most) a year of path."""
    h = mean.shape[1]
    daily = np.nanmean(mean[:, : min(h, int(periods_per_year))], axis=1) if h else 0.0
    return economic_order_quantity(
        np.nan_to_num(daily) * periods_per_year,
        order_cost,
        unit_cost,
        holding_rate,
    )


def _periodic_review_levels(demand: _DemandWindows, eoq, beta):
    """(order-up-to S, reorder point s) meeting the fill-rate target ``beta``."""
    cycle_q = np.maximum(np.maximum(eoq, demand.mu_r), 1e-6)
    up_to = order_up_to_level(
        demand.mu_l, demand.var_l, demand.mu_p, demand.var_p, beta
    )
    # A negative safety stock is right in theory when EOQ batches alone meet the
    # target, but a manager reads it as an error: the reorder point covers at least
    # the mean demand over the exposure.
    reorder = np.maximum(
        reorder_level(demand.mu_p, demand.var_p, cycle_q, beta), demand.mu_p
    )
    return up_to, np.minimum(reorder, up_to)


def _level_columns(demand: _DemandWindows, *, reorder, up_to) -> dict[str, np.ndarray]:
    """The plan's columns from "lead_time" to "order_up_to": the demand the
    levels cover, the safety stock in them and its multiple of the spread."""
    sd_p = np.sqrt(demand.var_p)
    safety = reorder - demand.mu_p
    return {
        "lead_time": demand.lead,
        "cover_days": demand.exposure,
        "demand_lead_time": demand.mu_l,
        "demand_exposure": demand.mu_p,
        "demand_sd": sd_p,
        "safety_stock": safety,
        "safety_factor": np.where(sd_p > 0, safety / np.maximum(sd_p, 1e-12), 0.0),
        "reorder_point": reorder,
        "order_up_to": up_to,
    }


def _order_quantities(
    position, up_to, reorder, eoq, single, limits
) -> dict[str, np.ndarray]:
    """Whether to order now, the raw quantity, the rounded one and how it was
    rounded (``limits``: pack size, MOQ, free capacity): the plan's columns
    from "order" to "capacity_capped"."""
    order = np.where(single, position < up_to, position <= reorder)
    need = np.clip(up_to - position, 0.0, None)
    raw = np.where(order, np.maximum(need, eoq), 0.0)
    by_eoq = order & (eoq > need)
    order &= raw > 1e-9
    quantity, by_pack, by_moq, capped = round_quantity(raw, *limits)
    quantity = np.where(order, quantity, 0.0)
    by_pack, by_moq, capped = by_pack & order, by_moq & order, capped & order
    return {
        "order": order,
        "raw_quantity": raw,
        "quantity": quantity,
        "rounding": _rounding_labels(by_eoq, by_pack, by_moq, capped),
        "capacity_capped": capped,
    }


def _rounding_labels(by_eoq, by_pack, by_moq, capped) -> np.ndarray:
    parts = [
        np.where(flag, name + "+", "")
        for flag, name in ((by_eoq, "eoq"), (by_pack, "pack"), (by_moq, "moq"))
    ]
    parts.append(np.where(capped, "capacity+", ""))
    label = np.char.rstrip(np.char.add(np.char.add(parts[0], parts[1]), parts[2]), "")
    label = np.char.add(label, parts[3])
    label = np.char.rstrip(label.astype(str), "+")
    return np.where(label == "", "none", label).astype(object)


def _reasons(plan: pd.DataFrame, exposure, ratio) -> list[str]:
    out = []
    rows = zip(
        plan["policy"],
        plan["basis"],
        plan["order"],
        plan["inventory_position"],
        plan["reorder_point"],
        plan["order_up_to"],
        plan["demand_exposure"],
        plan["safety_stock"],
        plan["raw_quantity"],
        plan["quantity"],
        plan["rounding"],
        exposure,
        ratio,
        strict=True,
    )
    for pol, basis, order, pos, s, up, mu, ss, raw, q, rnd, days, cr in rows:
        if pol == "newsvendor":
            text = (
                f"single-period buy: {cr:.0%} critical-ratio level {up:.1f}, "
                f"position {pos:g}"
            )
        else:
            text = (
                f"position {pos:g} {'<=' if order else '>'} reorder point {s:.1f} "
                f"({days:g}-day demand {mu:.1f} + safety {ss:.1f})"
            )
        if order:
            text += f"; order up to {up:.1f}: {raw:.1f} -> {q:g}"
            if rnd != "none":
                text += f" ({rnd})"
        else:
            text += "; no order"
        if basis == "category_profile":
            text += "; demand borrowed from the category profile"
        out.append(text)
    return out
