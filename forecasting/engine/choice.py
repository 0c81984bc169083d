"""The selection stage: each series' model from the backtest, and its fallback.

    choose(panel, classes, plan, bt, *, models, margin, ensemble_k) -> Choice

Contract: a series keeps its demand class's default (``registry.DEFAULT_BY_CLASS``;
per class, its yearly variant where ``select.yearly_pays_off``, then a benchmark
or combination of ``registry.CLASS_ALTERNATIVES`` where ``select.class_defaults``)
unless a challenger beats it clearly (``select.challengers``) in a class where
challengers pay off out of sample (``select.challengers_pay_off``). A series
with no usable backtest gets a reasoned fallback (``FALLBACK_REASONS``):
``all_zero`` (never sold: ``zero``), ``too_short`` (no origin fits its history:
its class's choice in this chunk unless a member failed) or ``failed`` (every
candidate failed: the class fallback). Never raises for a model failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .backtest import MIN_TRAIN, Backtest
from .metrics import _scale
from .panel import Panel
from .plan import Plan, members
from .registry import (
    CLASS_ALTERNATIVES,
    COMBINATIONS,
    DEFAULT_BY_CLASS,
    FALLBACK_BY_CLASS,
    YEARLY_DEFAULT,
)
from .select import (
    ENSEMBLE,
    aggregate,
    challengers,
    challengers_pay_off,
    class_defaults,
    ensemble_backtest,
    per_origin_mse,
    yearly_pays_off,
)

logger = logging.getLogger(__name__)

# Why a series had no backtest choice (``fallback_reason``; "" when it had one):
TOO_SHORT = "too_short"  # too little history for any backtest origin
ALL_ZERO = "all_zero"  # no demand observed at all
FAILED = "failed"  # history enough, but every candidate failed on it
FALLBACK_REASONS = (TOO_SHORT, ALL_ZERO, FAILED)


@dataclass
class Choice:
    """Per series: ``chosen`` model name ("ensemble:a+b" for a best-k mean),
    ``members`` (the base models its forecast averages), ``reason`` ("" or one
    of ``FALLBACK_REASONS``); ``names`` and ``mse`` (n, M): every candidate's
    mean backtest MSE (inf where it has none)."""

    chosen: np.ndarray
    members: list[tuple[str, ...]]
    reason: np.ndarray
    names: list[str]
    mse: np.ndarray

    @property
    def fallback(self) -> np.ndarray:
        return self.reason != ""


def _score_matrix(plan: Plan, bt: Backtest, ensemble_k: int):
    """(P (n, M, O) per-origin MSE, NaN where no candidate; names; ensemble
    members per series or None). Adds ``bt.F[ENSEMBLE]`` when ``ensemble_k`` > 1."""
    names = list(plan.names)
    P = np.stack([per_origin_mse(bt.A, bt.F[m]) for m in names], axis=1)
    for j, m in enumerate(names):
        P[~plan.is_cand[m], j, :] = np.nan
    singles = [m for m in names if m not in COMBINATIONS]
    ens_members = None
    if ensemble_k > 1 and len(singles) > 1 and bt.cuts:
        idx = [names.index(m) for m in singles]
        stack = np.stack([bt.F[m] for m in singles])
        bt.F[ENSEMBLE], ens_members = ensemble_backtest(
            bt.A, stack, P[:, idx, :], ensemble_k
        )
        P = np.concatenate([P, per_origin_mse(bt.A, bt.F[ENSEMBLE])[:, None, :]], 1)
        names = [*names, ENSEMBLE]
    return P, names, ens_members


def _defaults(P, names, classes, scale2) -> list[str]:
    """Each series' default: the class default, its yearly variant, or the
    class's benchmark, as the backtest decides per class."""
    default = [ENSEMBLE if ENSEMBLE in names else DEFAULT_BY_CLASS[c] for c in classes]
    use_yearly = yearly_pays_off(P, names, default, YEARLY_DEFAULT, classes, scale2)
    default = [
        YEARLY_DEFAULT[d] if u else d for d, u in zip(default, use_yearly, strict=True)
    ]
    return class_defaults(P, names, default, CLASS_ALTERNATIVES, classes, scale2)


def _pick(P, mse, names, default, margin, classes, scale2) -> np.ndarray:
    """(n,) column of each series' choice: the default unless a challenger wins
    clearly in a class where challengers pay off."""
    n = P.shape[0]
    scores = challengers(P, mse, names, default, margin)
    keep = challengers_pay_off(P, names, default, margin, classes, scale2)
    col = np.array([names.index(d) if d in names else -1 for d in default])
    only_default = ~keep & (col >= 0)
    only_default &= np.isfinite(mse[np.arange(n), np.maximum(col, 0)])
    scores[only_default] = np.inf
    scores[only_default, col[only_default]] = mse[only_default, col[only_default]]
    return np.argmin(scores, axis=1)


def _resolve(panel, classes, bt, names, best, best_mse, default, models, ens):
    """Per series (chosen, members, reason): fallbacks where the backtest gave
    nothing to choose by, ensembles spelt out by their members."""
    n = len(best)
    chosen = np.array([names[b] for b in best], dtype=object)
    series_members: list[tuple[str, ...]] = [()] * n
    reason = np.full(n, "", dtype=object)
    class_default = dict(zip(classes, default, strict=True))
    never_sold = ~(np.nan_to_num(panel.y) > 0).any(axis=1)
    singles = [m for m in names if m not in COMBINATIONS and m != ENSEMBLE]
    cuts = bt.cuts
    for i in range(n):
        if never_sold[i]:
            # Nothing sold yet: every candidate forecasts about zero on it.
            reason[i] = ALL_ZERO
            chosen[i] = (
                "zero"
                if not models
                else _young_model("", classes[i], models, bt.failures)
            )
        elif not np.isfinite(best_mse[i]):
            if cuts and (cuts[-1] - panel.start[i] >= MIN_TRAIN):
                reason[i] = FAILED
                chosen[i] = _fallback_model(classes[i], models, bt.failures)
            else:
                reason[i] = TOO_SHORT
                chosen[i] = _young_model(
                    class_default.get(classes[i], ""), classes[i], models, bt.failures
                )
        elif chosen[i] == ENSEMBLE:
            picked = tuple(singles[j] for j in ens[i] if j >= 0)
            series_members[i] = picked
            chosen[i] = "ensemble:" + "+".join(picked)
            continue
        series_members[i] = members(chosen[i])
    return chosen, series_members, reason


def choose(
    panel: Panel,
    classes: np.ndarray,
    plan: Plan,
    bt: Backtest,
    *,
    models=None,
    margin: float = 0.25,
    ensemble_k: int = 0,
) -> Choice:
    """Each series' model (see the module docstring for the rule)."""
    n = len(classes)
    P, names, ens = _score_matrix(plan, bt, ensemble_k)
    mse = aggregate(P)
    scale2 = _scale(panel.y, 2)
    default = _defaults(P, names, classes, scale2)
    best = _pick(P, mse, names, default, margin, classes, scale2)
    best_mse = mse[np.arange(n), best]
    chosen, series_members, reason = _resolve(
        panel, classes, bt, names, best, best_mse, default, models, ens
    )
    fallback = reason != ""
    if fallback.any():
        logger.info(
            "%d of %d series fell back: %s",
            fallback.sum(),
            n,
            pd.Series(reason[fallback]).value_counts().to_dict(),
        )
    return Choice(chosen, series_members, reason, names, mse)


def _young_model(class_choice, demand_class, models, failures) -> str:
    """A too-short series' model: its class's default (a combination, or the
    benchmark the class's backtest chose) unless a member failed, else the
    class fallback. A pinned single model forecasts its young series itself."""
    pinned = models[0] if models and len(models) == 1 else ""
    own = class_choice if class_choice != ENSEMBLE and not models else pinned
    if own and not any(failures.get(b) for b in members(own)):
        return own
    return _fallback_model(demand_class, models, failures)


def _fallback_model(demand_class, models, failures) -> str:
    """The class fallback (or the first requested model) that has not failed."""
    order = [*(models or []), FALLBACK_BY_CLASS[demand_class], "moving_average"]
    order = [m for m in order if m not in COMBINATIONS]
    for m in order:
        if not failures.get(m):
            return m
    return "moving_average"
