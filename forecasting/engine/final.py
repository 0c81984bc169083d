"""The final fit: each needed base model fitted on the whole history, then averaged.

    final_mean(panel, series_members, base_rows, h, future, fitted, failures) -> (n, h)

Contract: base model ``b`` is fitted only on the series whose forecast uses it
(a global learner, yearly-adjusted or not, on every row it was backtested on:
what it learns from), with
the parameters estimated in the backtest where the model can re-use them
(``take``). A series' mean is the mean of its members' forecasts (0 with no
members: a stopped series), clipped at 0, never NaN. A model that fails is
logged, counted in ``failures`` and replaced by its rows' recent mean.
"""

from __future__ import annotations

import logging

import numpy as np

from .backtest import exog
from .panel import Panel
from .registry import make_model

logger = logging.getLogger(__name__)


def final_mean(
    panel: Panel,
    series_members: list[tuple[str, ...]],
    base_rows: dict[str, np.ndarray],
    h: int,
    future: dict,
    fitted: dict,
    failures: dict,
) -> np.ndarray:
    """(n, h) mean forecasts of every series from its members' final fits."""
    n = panel.y.shape[0]
    need: dict[str, np.ndarray] = {}
    for i, ms in enumerate(series_members):
        for b in ms:
            need.setdefault(b, np.zeros(n, bool))[i] = True
    for b in need:
        if b.startswith("global_"):  # a global learner: the rows it learnt from
            need[b] |= base_rows.get(b, need[b])
    final = {
        b: _final_forecast(
            b, panel, np.flatnonzero(mask), h, future, fitted.get(b), failures
        )
        for b, mask in need.items()
    }
    mean = np.zeros((n, h))
    for i, ms in enumerate(series_members):
        if ms:
            mean[i] = np.mean([final[b][i] for b in ms], axis=0)
    return np.clip(np.nan_to_num(mean), 0.0, None)


def _final_forecast(b, panel, rows, h, future, fitted, failures) -> np.ndarray:
    """(n, h) forecasts of base model ``b`` for ``rows`` (zeros elsewhere)."""
    n, T = panel.y.shape
    out = np.zeros((n, h))
    Y = panel.y_fit[rows]
    X = exog(panel, rows, T, h, future)
    try:
        model = make_model(b, season_length=panel.season_length, horizon=h)
        if fitted is not None and hasattr(fitted[1], "take"):
            # Re-use parameters estimated in the backtest (statsmodels ETS).
            pos = np.searchsorted(fitted[0], rows)
            model = fitted[1].take(pos).update(Y, X)
        else:
            model.fit(Y, X)
        out[rows] = model.predict_mean(h, X)
        bad = np.asarray(getattr(model, "failed_", np.zeros(len(rows), bool)))
        if bad.any():
            failures[b] = failures.get(b, 0) + int(bad.sum())
    except Exception:
        logger.exception("model %s failed in the final fit; using recent means", b)
        failures[b] = failures.get(b, 0) + len(rows)
        recent = Y[:, -28:]
        with np.errstate(all="ignore"):
            level = np.nan_to_num(np.nanmean(recent, axis=1))
        out[rows] = level[:, None]
    return out
