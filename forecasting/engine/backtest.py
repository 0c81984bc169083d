"""Rolling-origin backtest: fit each candidate at several origins, keep its forecasts.

Origins are the last ``n_origins`` non-overlapping windows of ``h`` periods of the
history handed in (the caller's holdout is never part of it). A model is fitted at
the earliest origin and ``update``-d at the later ones (statsmodels ETS keeps its
parameters there, everything else refits), so the backtest costs about one fit
per origin for the vectorised models and one optimisation per series for ETS.
"""

from __future__ import annotations

import logging

import numpy as np

from .panel import Panel
from .registry import make_model

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
    for name in ("price", "promo"):
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
