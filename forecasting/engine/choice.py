"""The selection stage: each series' model from the backtest, and its fallback.

    choose(panel, classes, plan, bt, *, models, margin, ensemble_k) -> Choice

Contract: a series keeps its demand class's default (``registry.DEFAULT_BY_CLASS``;
``registry.UNSCORED_DEFAULT_BY_CLASS`` where nothing in the chunk could be
scored; per class, its yearly variant where ``select.yearly_pays_off``, then a
benchmark or combination of ``registry.CLASS_ALTERNATIVES`` where
``select.class_defaults``; for a series that has not sold for a quarter of a
horizon or more, the alternative its class and recency bucket's backtest
prefers, ``select.recency_defaults``, and a series switched so takes no
challenger) unless a challenger beats it clearly (``select.challengers``) in a
class where challengers pay off out of sample (``select.challengers_pay_off``).
A sparse series on its group's default has that forecast scaled as the group's
backtest says (``Choice.factor``, ``select.level_factor``; quiet-items.md).
A series with no usable backtest gets a reasoned fallback
(``FALLBACK_REASONS``): ``all_zero`` (never sold: ``zero``), ``too_short`` (no
origin fits its history: its group's choice in this chunk unless a member
failed) or ``failed`` (every candidate failed: the class fallback). Never
raises for a model failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .backtest import MIN_TRAIN, Backtest
from .classify import INTERMITTENT, LUMPY, zero_run
from .metrics import _scale
from .panel import Panel
from .plan import Plan, members
from .registry import (
    CLASS_ALTERNATIVES,
    COMBINATIONS,
    DEFAULT_BY_CLASS,
    FALLBACK_BY_CLASS,
    UNSCORED_DEFAULT_BY_CLASS,
    YEARLY_DEFAULT,
)
from .select import (
    ENSEMBLE,
    aggregate,
    challengers,
    challengers_pay_off,
    class_defaults,
    ensemble_backtest,
    level_factor,
    per_origin_mse,
    recency_bucket,
    recency_defaults,
    yearly_pays_off,
)

logger = logging.getLogger(__name__)

# Why a series had no backtest choice (``fallback_reason``; "" when it had one):
TOO_SHORT = "too_short"  # too little history for any backtest origin
ALL_ZERO = "all_zero"  # no demand observed at all
FAILED = "failed"  # history enough, but every candidate failed on it
FALLBACK_REASONS = (TOO_SHORT, ALL_ZERO, FAILED)
# Classes whose default forecast the backtest may scale (``_level_factors``).
SPARSE_CLASSES = (INTERMITTENT, LUMPY)


@dataclass
class Choice:
    """Per series: ``chosen`` model name ("ensemble:a+b" for a best-k mean),
    ``members`` (the base models its forecast averages), ``reason`` ("" or one
    of ``FALLBACK_REASONS``); ``names`` and ``mse`` (n, M): every candidate's
    mean backtest MSE (inf where it has none); ``factor`` (n,) the multiplier
    of the series' forecast (``select.level_factor``; 1 for most)."""

    chosen: np.ndarray
    members: list[tuple[str, ...]]
    reason: np.ndarray
    names: list[str]
    mse: np.ndarray
    factor: np.ndarray

    def scaled_backtest(self, bt: Backtest) -> Backtest:
        """``bt`` with each series' chosen backtest forecasts times its level
        factor: what the product would have forecast there (for the bands
        and the selection table's scores)."""
        scaled = self.factor != 1.0
        if not scaled.any():
            return bt
        F = dict(bt.F)
        for m in set(self.chosen[scaled]):
            r = scaled & (self.chosen == m)
            F[m] = F[m].copy()
            F[m][r] *= self.factor[r, None, None]
        return replace(bt, F=F)

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


def _defaults(P, names, classes, scale2, recency):
    """Each series' default: the class default, its yearly variant, or the
    class's benchmark, as the backtest decides per class; then, for the
    series that have not sold for a while, per class and recency bucket.
    Returns (defaults, pinned): pinned series keep their default outright."""
    default = [ENSEMBLE if ENSEMBLE in names else DEFAULT_BY_CLASS[c] for c in classes]
    if not np.isfinite(P).any():
        # Nothing scored (every history too short for an origin): no class
        # rule can judge, and a global learner has too little to learn from.
        default = [
            _unscored(c, d, names) for c, d in zip(classes, default, strict=True)
        ]
    use_yearly = yearly_pays_off(P, names, default, YEARLY_DEFAULT, classes, scale2)
    default = [
        YEARLY_DEFAULT[d] if u else d for d, u in zip(default, use_yearly, strict=True)
    ]
    default = class_defaults(P, names, default, CLASS_ALTERNATIVES, classes, scale2)
    if recency is None:
        return default, np.zeros(len(default), bool)
    bucket_at, bucket_now, scale_o = recency
    with np.errstate(all="ignore"):
        L = np.sqrt(P / np.where(scale_o > 0, scale_o, np.nan)[:, None, :])
    quiet = recency_defaults(
        L, names, default, CLASS_ALTERNATIVES, classes, bucket_at, bucket_now
    )
    # A series' own backtest windows mostly saw it selling: they cannot say
    # which model suits it now that it has gone quiet, so no challenger there.
    pinned = np.array([q != d for q, d in zip(quiet, default, strict=True)])
    return quiet, pinned


def _unscored(demand_class, default, names) -> str:
    u = UNSCORED_DEFAULT_BY_CLASS.get(demand_class, default)
    return u if u in names else default


def _recency(panel, cuts, h):
    """(bucket at each origin (n, O), bucket now (n,), squared scale of the
    history before each origin (n, O)), or None without origins."""
    if not cuts:
        return None
    bucket_at = np.stack(
        [recency_bucket(zero_run(panel.y[:, :c]), h) for c in cuts], axis=1
    )
    scale_o = np.stack([_scale(panel.y[:, :c], 2) for c in cuts], axis=1)
    return bucket_at, recency_bucket(zero_run(panel.y), h), scale_o


def _level_factors(classes, chosen, default, reason, bt, recency) -> np.ndarray:
    """(n,) multiplier of each series' forecast: for the sparse classes, per
    class and recency bucket, ``select.level_factor`` of the group's default
    on the series that were in that bucket at the origins, for the series
    that kept that default; 1 elsewhere (challengers, fallbacks, dense
    classes, a zero default)."""
    n = len(chosen)
    factor = np.ones(n)
    if recency is None:
        return factor
    bucket_at, bucket_now, scale_o = recency
    default = np.asarray(default, dtype=object)
    for g in SPARSE_CLASSES:
        in_g = classes == g
        for b in np.unique(bucket_now[in_g]):
            now = in_g & (bucket_now == b)
            d = default[now][0]
            rows = now & (chosen == d) & (reason == "")
            if d == "zero" or d not in bt.F or not rows.any():
                continue
            at = in_g[:, None] & (bucket_at == b)
            factor[rows] = level_factor(bt.A, bt.F[d], scale_o, at)
    return factor


def _pick(P, mse, names, default, margin, classes, scale2, pinned) -> np.ndarray:
    """(n,) column of each series' choice: the default unless a challenger wins
    clearly in a class where challengers pay off (never for ``pinned`` series)."""
    n = P.shape[0]
    scores = challengers(P, mse, names, default, margin)
    keep = challengers_pay_off(P, names, default, margin, classes, scale2)
    keep &= ~pinned
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
                chosen[i] = _young_model(default[i], classes[i], models, bt.failures)
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
    recency = None if models else _recency(panel, bt.cuts, bt.A.shape[2])
    default, pinned = _defaults(P, names, classes, scale2, recency)
    best = _pick(P, mse, names, default, margin, classes, scale2, pinned)
    best_mse = mse[np.arange(n), best]
    chosen, series_members, reason = _resolve(
        panel, classes, bt, names, best, best_mse, default, models, ens
    )
    factor = _level_factors(classes, chosen, default, reason, bt, recency)
    fallback = reason != ""
    if fallback.any():
        logger.info(
            "%d of %d series fell back: %s",
            fallback.sum(),
            n,
            pd.Series(reason[fallback]).value_counts().to_dict(),
        )
    return Choice(chosen, series_members, reason, names, mse, factor)


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
