"""One plan per warehouse: the orders of a group chosen together under shared limits.

Pure numpy/scipy (no Django). Each item arrives with the quantity the policy wants
(already rounded to its pack and MOQ); the items of one group (a warehouse) share
resources (free storage in units, free volume, the open-to-buy budget left). When
everything wanted fits, nothing changes. Otherwise a mixed-integer program, solved
by HiGHS (``scipy.optimize.milp``), picks how many packs of each item to buy:

    maximise  sum_i  value_i * E[min(D_i, position_i + q_i)] - holding_i * q_i
    s.t.      sum_i  usage_ri * q_i <= limit_r            for each resource r
              q_i = pack_i * k_i,  k_i integer in [0, wanted_i / pack_i]
              k_i = 0  or  k_i >= moq_packs_i              (binary y_i)

E[min(D, x)], the expected demand over lead time + review period that stock x
serves, is concave in x; it enters as a piecewise-linear function of q_i on
``breakpoints`` equal segments (segment variables with falling slopes, which
the maximisation fills in order). Demand is the policy's Gamma over the exposure.
Where HiGHS returns no solution (failure, time limit without an incumbent), the
greedy rule by priority is used instead: it is also the comparator of
``bench/capacity_plan.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .demand import gamma_loss

BREAKPOINTS = 8
LATER_WEIGHT = 0.1
_EPS = 1e-7


@dataclass(frozen=True)
class PlanItems:
    """Per item (arrays of one length): what the policy wants and its terms.

    ``wanted`` units (a multiple of ``pack``, at least the MOQ when positive);
    ``position`` the inventory position, ``mu``/``var`` the demand moments over
    lead time + review period; ``value`` per unit of demand served (margin, or 1
    to count units), ``holding`` the cost per unit bought; ``priority`` orders
    the greedy rule (lower first: the most urgent). ``mu_later``/``var_later``
    (optional) are the demand over the longer time the wanted order lasts:
    served there, a unit earns ``LATER_WEIGHT`` of its value (cycle stock
    saves a later order but protects no sale now).
    """

    wanted: np.ndarray
    pack: np.ndarray
    moq: np.ndarray
    position: np.ndarray
    mu: np.ndarray
    var: np.ndarray
    value: np.ndarray
    holding: np.ndarray
    priority: np.ndarray
    mu_later: np.ndarray | None = None
    var_later: np.ndarray | None = None

    @classmethod
    def build(cls, **kwargs) -> PlanItems:
        n = len(np.atleast_1d(kwargs["wanted"]))
        return cls(
            **{
                k: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
                for k, v in kwargs.items()
                if v is not None
            }
        )

    def __len__(self) -> int:
        return len(self.wanted)


@dataclass(frozen=True)
class Resource:
    """A shared limit: ``usage`` per unit of each item, ``limit`` per group
    (a missing group, or an infinite limit, is not limited)."""

    name: str
    usage: np.ndarray
    limit: Mapping


@dataclass
class ConstrainedPlan:
    """The result, per item: ``quantity``, ``bound`` (the binding resources'
    names joined by "+", "holding_cost" where buying less paid better, "" when
    not cut) and ``cut`` units; per group, the ``solver`` that decided it
    ("unconstrained", "milp" or "greedy")."""

    quantity: np.ndarray
    bound: np.ndarray
    cut: np.ndarray
    solver: dict = field(default_factory=dict)


def expected_served(x, mu, var) -> np.ndarray:
    """E[min(D, x)] = E[D] - E[(D - x)+] for the Gamma demand."""
    return np.clip(mu, 0.0, None) - gamma_loss(np.clip(x, 0.0, None), mu, var)


def plan_constrained(
    items: PlanItems,
    groups: Sequence,
    resources: Sequence[Resource],
    *,
    method: str = "milp",
    breakpoints: int = BREAKPOINTS,
    time_limit: float = 10.0,
) -> ConstrainedPlan:
    """Choose each group's quantities together (``method`` "milp", falling back
    to greedy per group; or "greedy" alone)."""
    groups = np.asarray(groups, dtype=object)
    n = len(items)
    quantity = items.wanted.copy()
    bound = np.full(n, "", dtype=object)
    solver: dict = {}
    for g in dict.fromkeys(groups.tolist()):
        idx = np.flatnonzero(groups == g)
        limited = [
            (r.name, r.usage[idx], float(r.limit.get(g, np.inf)))
            for r in resources
            if np.isfinite(r.limit.get(g, np.inf))
        ]
        limited = [(nm, u, max(lim, 0.0)) for nm, u, lim in limited]
        if all((u * items.wanted[idx]).sum() <= lim + _EPS for _, u, lim in limited):
            solver[g] = "unconstrained"
            continue
        sub = _subset(items, idx)
        q = None
        if method == "milp":
            q = _solve_milp(sub, limited, breakpoints, time_limit)
        solver[g] = "milp" if q is not None else "greedy"
        if q is None:
            q = _greedy(sub, limited)
        quantity[idx] = q
        bound[idx] = _bound_names(sub, q, limited)
    cut = np.clip(items.wanted - quantity, 0.0, None)
    bound = np.where(cut > 0, bound, "")
    return ConstrainedPlan(quantity=quantity, bound=bound, cut=cut, solver=solver)


def _subset(items: PlanItems, idx) -> PlanItems:
    return PlanItems(
        **{
            k: None if getattr(items, k) is None else getattr(items, k)[idx]
            for k in items.__dataclass_fields__
        }
    )


def _packs(items: PlanItems):
    pack = np.maximum(items.pack, 1.0)
    kmax = np.floor(items.wanted / pack + _EPS)
    kmin = np.minimum(np.ceil(np.maximum(items.moq, 1.0) / pack - _EPS), kmax)
    return pack, kmax, np.maximum(kmin, 1.0)


def _segments(items: PlanItems, breakpoints: int):
    """Breakpoints in whole packs: 0, the MOQ, then up to ``breakpoints`` equal
    steps to the wanted quantity. Returns (n, b) widths in packs (whole numbers,
    so the relaxation's vertices are whole-pack plans but for a few items) and
    the net gain per pack on each segment (falling: E[min(D, x)] is concave)."""
    pack, kmax, kmin = _packs(items)
    frac = np.linspace(0.0, 1.0, breakpoints)[None, :]
    inner = np.round(kmin[:, None] + frac * (kmax - kmin)[:, None])
    edges = np.concatenate([np.zeros((len(items), 1)), inner], axis=1)
    edges = np.minimum(np.maximum.accumulate(edges, axis=1), kmax[:, None])
    width = np.diff(edges, axis=1)
    x = items.position[:, None] + edges * pack[:, None]
    served = expected_served(x, items.mu[:, None], items.var[:, None])
    if items.mu_later is not None:
        later = expected_served(x, items.mu_later[:, None], items.var_later[:, None])
        served = served + LATER_WEIGHT * later
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.diff(served, axis=1) / (width * pack[:, None])
    top = 1.0 + (LATER_WEIGHT if items.mu_later is not None else 0.0)
    slope = np.clip(np.nan_to_num(slope, nan=0.0, posinf=0.0), 0.0, top)
    # Concave by theory; empty segments and the numeric tail are forced so.
    slope = np.minimum.accumulate(np.where(width > 0, slope, 1.0), axis=1)
    gain = (items.value[:, None] * slope - items.holding[:, None]) * pack[:, None]
    return width, np.where(width > 0, gain, 0.0)


def _solve_milp(items: PlanItems, limited, breakpoints: int, time_limit: float):
    """Quantities from HiGHS, or None when it returns no solution.

    Variables: packs bought on each segment (integer, in [0, width]) and, for
    items whose MOQ exceeds one pack, a flag y: the first segment (up to the
    MOQ) is all or nothing (= MOQ packs x y) and the later ones open only with y.
    """
    n = len(items)
    pack, kmax, kmin = _packs(items)
    width, gain = _segments(items, breakpoints)
    b = width.shape[1]
    moq_rows = np.flatnonzero((kmin > 1) & (kmax > 0))
    m, ns = len(moq_rows), n * b
    c = np.concatenate([-gain.ravel(), np.zeros(m)])
    upper = np.concatenate([width.ravel(), np.ones(m)])
    rows = []
    if m:
        ycols = sparse.identity(m, format="csr")
        first = sparse.csr_matrix(
            (np.ones(m), (np.arange(m), moq_rows * b)), shape=(m, ns)
        )
        rows.append(
            (sparse.hstack([first, -sparse.diags(kmin[moq_rows]) @ ycols]), 0, 0)
        )
        rest_cols = (moq_rows[:, None] * b + np.arange(1, b)[None, :]).ravel()
        rest = sparse.csr_matrix(
            (np.ones(len(rest_cols)), (np.repeat(np.arange(m), b - 1), rest_cols)),
            shape=(m, ns),
        )
        cap = sparse.diags(kmax[moq_rows] - kmin[moq_rows]) @ ycols
        rows.append((sparse.hstack([rest, -cap]), -np.inf, 0))
    for _, usage, limit in limited:
        coef = np.concatenate([np.repeat(usage * pack, b), np.zeros(m)])
        rows.append((sparse.csr_matrix(coef[None, :]), -np.inf, limit))
    constraints = [LinearConstraint(a, lo, hi) for a, lo, hi in rows]
    x = _relax_and_fix(c, constraints, upper, b, n, moq_rows, time_limit)
    if x is None:
        return None
    k = np.round(x[:ns]).reshape(n, b).sum(axis=1)
    return _repair(items, k * pack, limited)


def _relax_and_fix(c, constraints, upper, b, n, moq_rows, time_limit):
    """The LP relaxation first: with two or three shared rows its vertex has
    whole-pack segments for all but a few items (the widths are whole packs).
    Those items' variables are fixed where the LP put them, and the MILP decides
    the rest (the items the LP left fractional), so HiGHS's branch and bound
    and its heuristics work on a handful of items, not thousands (a full MILP
    of 1,000 items took 0.8-13 s, mostly in presolve probing and sub-MIPs).
    None when either solve returns no solution."""
    lower = np.zeros_like(upper)
    ones = np.ones_like(upper)
    try:
        relaxed = milp(
            c,
            constraints=constraints,
            integrality=np.zeros_like(upper),
            bounds=Bounds(lower, upper),
            options={"time_limit": time_limit},
        )
        if relaxed.x is None:
            return None
        x = relaxed.x
        loose = np.abs(x - np.round(x)) > 1e-6
        item_loose = loose[: n * b].reshape(n, b).any(axis=1)
        item_loose[moq_rows[loose[n * b :]]] = True
        keep = np.concatenate([np.repeat(item_loose, b), item_loose[moq_rows]])
        fixed = np.where(keep, lower, np.round(x))
        top = np.where(keep, upper, np.round(x))
        res = milp(
            c,
            constraints=constraints,
            integrality=ones,
            bounds=Bounds(fixed, top),
            options={"time_limit": time_limit, "mip_rel_gap": 1e-4},
        )
    except (ValueError, MemoryError):
        return None
    return res.x


def _repair(items: PlanItems, q, limited):
    """Rounding the solver's pack counts may overshoot a limit by its tolerance:
    take packs off the least valuable items until every limit holds."""
    q = q.copy()
    pack, _, kmin = _packs(items)
    for _, usage, limit in limited:
        while (usage * q).sum() > limit + _EPS:
            held = np.flatnonzero((q > 0) & (usage > 0))
            if not len(held):
                break
            i = held[np.argmin(items.value[held])]
            q[i] = q[i] - pack[i] if q[i] - pack[i] >= kmin[i] * pack[i] else 0.0
    return q


def _greedy(items: PlanItems, limited):
    """By priority, each item gets all it wants that still fits (whole packs, at
    least its MOQ or nothing): the myopic rule."""
    pack, kmax, kmin = _packs(items)
    left = np.array([lim for _, _, lim in limited], dtype=float)
    usage = np.array([u for _, u, _ in limited], dtype=float).reshape(len(left), -1)
    q = np.zeros(len(items))
    for i in np.argsort(items.priority, kind="stable"):
        per_pack = usage[:, i] * pack[i]
        fits = [
            np.floor((left[r] + _EPS) / per_pack[r]) if per_pack[r] > 0 else np.inf
            for r in range(len(left))
        ]
        k = min([kmax[i], *fits])
        if k < kmin[i]:
            continue
        q[i] = k * pack[i]
        left -= per_pack * k
    return q


def _bound_names(items: PlanItems, q, limited) -> np.ndarray:
    """Per item cut: which resources are spent (less than the item's smallest
    step left), or "holding_cost" where none is and buying less paid better."""
    pack, _, kmin = _packs(items)
    names = []
    for name, usage, limit in limited:
        slack = limit - (usage * q).sum()
        step = usage * pack * np.where(q > 0, 1.0, kmin)
        names.append((name, (step > 0) & (slack < step)))
    out = np.full(len(items), "", dtype=object)
    for i in range(len(items)):
        hit = [name for name, tight in names if tight[i]]
        out[i] = "+".join(hit) if hit else "holding_cost"
    return out
