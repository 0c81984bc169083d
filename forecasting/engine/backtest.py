"""Rolling-origin backtest: fit each candidate at several origins, keep its forecasts.

Origins are the last ``n_origins`` non-overlapping windows of ``h`` periods of the
history handed in (the caller's holdout is never part of it). A model is fitted at
the earliest origin and ``update``-d at the later ones (statsmodels ETS keeps its
parameters there, everything else refits), so the backtest costs about one fit
per origin for the vectorised models and one optimisation per series for ETS.

``backtest_candidates`` runs every base model of a ``plan`` on its rows and
derives the combinations' backtests as the mean of their members'.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from .classify import stopped_selling
from .panel import EXOG, Panel
from .plan import Plan
from .registry import COMBINATIONS, make_model

logger = logging.getLogger(__name__)

MIN_TRAIN = 8  # periods of history a series needs before an origin to be scored


def origin_cuts(T: int, h: int, n_origins: int) -> list[int]:
    """Training lengths of the backtest origins, earliest first (may be empty)."""
    cuts = [T - j * h for j in range(int(n_origins), 0, -1)]
    return [c for c in cuts if c >= 2]


def exog(panel: Panel, rows: np.ndarray, cut: int, h: int, future: dict) -> dict:
    """Exogenous dict for a model trained on the first ``cut`` columns, covering the
    ``h`` periods after it (history for backtests, ``future`` for the final fit)."""
    T = panel.y.shape[1]
    shift = np.timedelta64(int((T - cut) * panel.step_ns), "ns")
    X = {"last_date": panel.last_date[rows] - shift, "step_ns": panel.step_ns}
    for name in EXOG:
        arr = getattr(panel, name)
        if arr is None:
            continue
        if cut + h <= T:
            X[name] = arr[rows, : cut + h]
        else:
            X[name] = np.hstack([arr[rows], future[name][rows]])[:, : cut + h]
    return X


def run_backtest(
    name: str,
    panel: Panel,
    rows: np.ndarray,
    cuts: list[int],
    h: int,
    future: dict,
):
    """(len(rows), n_origins, h) mean forecasts of model ``name`` and the model
    fitted at the last origin. Raises if the model fails on the whole batch."""
    model = make_model(name, season_length=panel.season_length, horizon=h)
    out = np.full((len(rows), len(cuts), h), np.nan)
    failed = np.zeros(len(rows), dtype=bool)
    for o, cut in enumerate(cuts):
        Y = panel.y_fit[rows, :cut]
        X = exog(panel, rows, cut, h, future)
        model = model.fit(Y, X) if o == 0 else model.update(Y, X)
        out[:, o, :] = model.predict_mean(h, X)
        short = cut - panel.start[rows] < model.required_history()
        out[short, o, :] = np.nan
        failed |= np.asarray(getattr(model, "failed_", failed), dtype=bool)
    return out, model, failed


def actuals(panel: Panel, cuts: list[int], h: int) -> np.ndarray:
    """(n, n_origins, h) observed demand after each origin; NaN where censored or
    where the series had fewer than MIN_TRAIN periods before the origin."""
    n = panel.y.shape[0]
    A = np.full((n, len(cuts), h), np.nan)
    for o, cut in enumerate(cuts):
        A[:, o, :] = panel.y[:, cut : cut + h]
        A[cut - panel.start < MIN_TRAIN, o, :] = np.nan
    return A


@dataclass
class Backtest:
    """Out-of-sample forecasts of every candidate at the backtest origins.

    ``cuts``: training lengths of the origins; ``A`` (n, O, h) actuals;
    ``F[m]`` (n, O, h) forecasts of candidate ``m`` (NaN where it failed, is no
    candidate or the series was too short); ``stopped_at`` (n, O) bool: where the
    stop rule would have fired at an origin; ``failures[b]``: series on which
    base model ``b`` failed; ``fitted[b]`` = (rows, model) for the models whose
    estimated parameters the final fit re-uses (``take``); ``timings`` seconds."""

    cuts: list[int]
    A: np.ndarray
    F: dict[str, np.ndarray]
    stopped_at: np.ndarray
    failures: dict[str, int] = field(default_factory=dict)
    fitted: dict[str, tuple] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def stopped_at_origins(panel: Panel, cuts: list[int], h: int) -> np.ndarray:
    """(n, O) bool: the stop rule (``classify.stopped_selling``) at each origin."""
    out = np.zeros((panel.y.shape[0], len(cuts)), bool)
    for o, cut in enumerate(cuts):
        out[:, o] = stopped_selling(panel.y[:, :cut], h)
    return out


def backtest_candidates(
    panel: Panel, plan: Plan, h: int, n_origins: int, future: dict, *, stop_rule: bool
) -> Backtest:
    """Backtest every base model of ``plan`` on its rows, then the combinations.

    A model that raises on its whole batch is logged and counted as failed on
    every row; a model's per-series failures (``failed_``) are NaN and counted.
    Never raises for a model failure. ``stop_rule`` False (a pinned model list)
    leaves ``stopped_at`` all False."""
    n, T = panel.y.shape
    cuts = origin_cuts(T, h, n_origins)
    bt = Backtest(
        cuts=cuts,
        A=actuals(panel, cuts, h),
        F={},
        stopped_at=(
            stopped_at_origins(panel, cuts, h)
            if stop_rule
            else np.zeros((n, len(cuts)), bool)
        ),
    )
    for b, rows_mask in plan.base_rows.items():
        rows = np.flatnonzero(rows_mask)
        full = np.full((n, len(cuts), h), np.nan)
        if cuts:
            t = time.perf_counter()
            try:
                out, model, failed = run_backtest(b, panel, rows, cuts, h, future)
                out[failed] = np.nan
                full[rows] = out
                if hasattr(model, "take"):  # only ETS re-uses its parameters
                    bt.fitted[b] = (rows, model)
                if failed.any():
                    bt.failures[b] = int(failed.sum())
            except Exception:
                logger.exception(
                    "model %s failed in the backtest on %d series", b, len(rows)
                )
                bt.failures[b] = len(rows)
            bt.timings[f"backtest_{b}"] = time.perf_counter() - t
        bt.F[b] = full
    for m in plan.names:
        if m in COMBINATIONS:
            bt.F[m] = np.mean([bt.F[b] for b in COMBINATIONS[m]], axis=0)
    return bt
