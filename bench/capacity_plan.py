"""One plan per warehouse under binding capacity and budget: HiGHS against greedy.

    python bench/capacity_plan.py [--products 1000] [--warehouses 3] [--pairs N]
        [--tightness 0.6] [--objective units|margin] [--seed 7]

A generated case: ``--products`` x ``--warehouses`` product x warehouse pairs (or
``--pairs`` of them, spread over the warehouses), each with a daily demand
(log-normal across pairs), a lead time + review period of 7-21 days, Gamma demand
over it (variance 2 x mean + (0.3 mean)^2), a position between nothing and the
mean, pack sizes 1/6/12, MOQs 1/24/48, a unit cost 1-50 and a price 1.3-2 x cost.
The policy wants the 0.95-quantile order-up-to less the position, rounded up to
pack and MOQ. Each warehouse's free capacity and open-to-buy budget are
``--tightness`` x what its pairs want, so both bind.

Plans (one JSON line each): ``solved`` (forecasting.policy.capacity, HiGHS) and
``greedy`` (the same module's fallback: by urgency, days of cover ascending, each
pair gets all it wants that still fits). ``fill_rate`` = demand served / demand
over the exposure, on 200 seeded Gamma draws per pair (the same draws for both);
``capacity_violations`` / ``budget_violations`` = warehouses over their limit;
``seconds`` = time to plan all warehouses.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecasting.policy import gamma_quantile, round_quantity  # noqa: E402
from forecasting.policy.capacity import (  # noqa: E402
    PlanItems,
    Resource,
    plan_constrained,
)


def generate(pairs: int, warehouses: int, tightness: float, seed: int):
    rng = np.random.default_rng(seed)
    daily = rng.lognormal(mean=1.0, sigma=1.0, size=pairs)
    days = rng.integers(7, 22, size=pairs).astype(float)
    mu = daily * days
    var = 2.0 * mu + (0.3 * mu) ** 2
    position = rng.uniform(0.0, 1.0, size=pairs) * mu
    pack = rng.choice([1.0, 6.0, 12.0], size=pairs)
    moq = rng.choice([1.0, 24.0, 48.0], size=pairs, p=[0.6, 0.3, 0.1])
    cost = rng.uniform(1.0, 50.0, size=pairs)
    price = cost * rng.uniform(1.3, 2.0, size=pairs)
    raw = np.clip(gamma_quantile(0.95, mu, var) - position, 0.0, None)
    wanted, *_ = round_quantity(raw, pack, moq, np.inf)
    group = np.arange(pairs) % warehouses
    capacity = {g: tightness * wanted[group == g].sum() for g in range(warehouses)}
    budget = {
        g: tightness * (wanted * cost)[group == g].sum() for g in range(warehouses)
    }
    return dict(
        mu=mu,
        var=var,
        position=position,
        pack=pack,
        moq=moq,
        cost=cost,
        price=price,
        wanted=wanted,
        daily=daily,
        group=group,
        capacity=capacity,
        budget=budget,
    )


def run(case, method: str, objective: str, draws: np.ndarray) -> dict:
    margin = case["price"] - case["cost"]
    items = PlanItems.build(
        wanted=case["wanted"],
        pack=case["pack"],
        moq=case["moq"],
        position=case["position"],
        mu=case["mu"],
        var=case["var"],
        value=1.0 if objective == "units" else margin,
        holding=0.0,
        priority=case["position"] / case["daily"],
    )
    resources = [
        Resource("capacity", np.ones(len(items)), case["capacity"]),
        Resource("budget", case["cost"], case["budget"]),
    ]
    start = time.perf_counter()
    plan = plan_constrained(items, case["group"], resources, method=method)
    seconds = time.perf_counter() - start
    q, group = plan.quantity, case["group"]
    stock = np.clip(case["position"] + q, 0.0, None)
    served = np.minimum(draws, stock[:, None]).sum()
    over_cap = over_budget = 0
    for g, cap in case["capacity"].items():
        over_cap += int(q[group == g].sum() > cap + 1e-6)
        over_budget += int(
            (q * case["cost"])[group == g].sum() > case["budget"][g] + 1e-6
        )
    return {
        "plan": "solved" if method == "milp" else "greedy",
        "pairs": len(items),
        "objective": objective,
        "fill_rate": round(float(served / draws.sum()), 4),
        "margin_served": round(
            float((np.minimum(draws, stock[:, None]).mean(axis=1) * margin).sum()), 1
        ),
        "units_ordered": int(q.sum()),
        "capacity_used": round(float(q.sum() / sum(case["capacity"].values())), 4),
        "budget_used": round(
            float((q * case["cost"]).sum() / sum(case["budget"].values())), 4
        ),
        "capacity_violations": over_cap,
        "budget_violations": over_budget,
        "solvers": sorted(set(plan.solver.values())),
        "seconds": round(seconds, 3),
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--products", type=int, default=1000)
    p.add_argument("--warehouses", type=int, default=3)
    p.add_argument("--pairs", type=int, default=None)
    p.add_argument("--tightness", type=float, default=0.6)
    p.add_argument("--objective", choices=("units", "margin"), default="units")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    pairs = args.pairs or args.products * args.warehouses
    case = generate(pairs, args.warehouses, args.tightness, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    shape = case["mu"] ** 2 / case["var"]
    scale = case["var"] / case["mu"]
    draws = rng.gamma(shape[:, None], scale[:, None], size=(pairs, 200))
    for method in ("milp", "greedy"):
        print(json.dumps(run(case, method, args.objective, draws)), flush=True)


if __name__ == "__main__":
    main()
