"""What the engine returns: ``EngineResult``, its selection table and forecast frame.

Contract of ``EngineResult``:

* ``selection``: one row per series (``SELECTION_COLUMNS``): series_id,
  demand_class, model ("stopped" for a stopped series), rmsse, mase, wape, bias,
  cover80 (backtest scores of the chosen model; cover80 uses bands calibrated on
  the other origins), n_obs, fallback (bool), fallback_reason ("" or one of
  ``choice.FALLBACK_REASONS``).
* ``forecasts``: series_id, date, step (1..horizon), mean, one column per
  quantile level (``base.quantile_column``), all >= 0 and ordered across levels.
* ``n_series``, ``n_fallbacks``, ``n_failures`` (series x model failures),
  ``failures`` per model, ``timings`` (seconds per stage), ``freq``,
  ``season_length``, ``backtest_scores`` (series x candidate backtest MSE).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .bands import band_levels, loo_coverage
from .base import quantile_column
from .metrics import _scale
from .panel import Panel, future_dates

SELECTION_COLUMNS = [
    "series_id",
    "demand_class",
    "model",
    "rmsse",
    "mase",
    "wape",
    "bias",
    "cover80",
    "n_obs",
    "fallback",
    "fallback_reason",
]


@dataclass
class EngineResult:
    selection: pd.DataFrame
    forecasts: pd.DataFrame
    n_series: int
    n_fallbacks: int
    n_failures: int
    failures: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    freq: str = ""
    season_length: int = 1
    backtest_scores: pd.DataFrame | None = None  # series x candidate backtest MSE


def all_levels(levels) -> tuple[float, ...]:
    """The requested levels plus those of the 80 % and 95 % bands
    (``bands.band_levels``), sorted."""
    bands = (*band_levels(0.8), *band_levels(0.95))
    return tuple(sorted({float(x) for x in (*levels, *bands)}))


def empty_result(levels) -> EngineResult:
    """The answer for an empty frame: no rows, the usual columns."""
    columns = ["series_id", "date", "step", "mean"]
    columns += [quantile_column(x) for x in all_levels(levels)]
    return EngineResult(
        selection=pd.DataFrame(columns=SELECTION_COLUMNS),
        forecasts=pd.DataFrame(columns=columns),
        n_series=0,
        n_fallbacks=0,
        n_failures=0,
    )


def selection_table(
    panel: Panel, classes, label, A, Fc, reason, zero_share
) -> pd.DataFrame:
    """The ``selection`` frame: backtest scores of each series' chosen model."""
    n = len(label)
    E = (A - Fc).reshape(n, -1)
    a = A.reshape(n, -1)
    f = Fc.reshape(n, -1)
    s2, s1 = _scale(panel.y, 2), _scale(panel.y, 1)
    with np.errstate(all="ignore"):
        cnt = (~np.isnan(E)).sum(axis=1)
        mse = np.nansum(E**2, axis=1) / cnt
        mae = np.nansum(np.abs(E), axis=1) / cnt
        den = np.nansum(np.abs(np.where(np.isnan(E), np.nan, a)), axis=1)
        ok = ~np.isnan(E)
        rmsse = np.where(s2 > 0, np.sqrt(mse / s2), np.nan)
        mase = np.where(s1 > 0, mae / s1, np.nan)
        wape = np.where(den > 0, np.nansum(np.abs(E), axis=1) / den, np.nan)
        bias = np.where(den > 0, np.where(ok, f - a, 0).sum(axis=1) / den, np.nan)
    cover = loo_coverage(A, Fc, classes, np.sqrt(s2), 0.8, zero_share)
    return pd.DataFrame(
        {
            "series_id": panel.ids,
            "demand_class": classes,
            "model": label,
            "rmsse": rmsse,
            "mase": mase,
            "wape": wape,
            "bias": bias,
            "cover80": cover,
            "n_obs": panel.n_obs,
            "fallback": reason != "",
            "fallback_reason": reason,
        },
        columns=SELECTION_COLUMNS,
    )


def forecast_frame(panel: Panel, mean, Q, levels, h) -> pd.DataFrame:
    """The long ``forecasts`` frame: one row per series and step."""
    n = mean.shape[0]
    data = {
        "series_id": np.repeat(panel.ids, h),
        "date": future_dates(panel, h).reshape(-1),
        "step": np.tile(np.arange(1, h + 1), n),
        "mean": mean.reshape(-1),
    }
    for j, level in enumerate(levels):
        data[quantile_column(level)] = Q[:, :, j].reshape(-1)
    return pd.DataFrame(data)
