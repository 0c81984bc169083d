"""The one model interface every forecaster in the engine answers, plus panel helpers.

Every model works on a *panel*: a 2-D float array ``Y`` of shape (series, time), one
row per series, right-aligned so that the last column is each series' last period.
Periods before a series started are NaN (left padding); models must ignore them.
A 1-D array is a panel of one series.

Interface (statsforecast/sktime style):

* ``__init__`` only stores hyperparameters.
* ``fit(y, X=None) -> self`` stores fitted state in attributes ending in ``_``.
  ``X`` is an optional dict of exogenous panels (``"price"``, ``"promo"``,
  ``"event"``) of shape (series, time + h) covering history and the future;
  models that do not use exogenous data ignore it.
* ``predict(h, X=None, levels=DEFAULT_LEVELS) -> DataFrame`` with columns
  ``series`` (row number in the panel), ``step`` (1..h), ``mean`` and one column per
  quantile level named ``q<level>`` (``q0.1``, ``q0.5``, ``q0.8``, ``q0.9``, ``q0.95``,
  ``q0.99``). Values are finite, >= 0 and non-decreasing across levels.
* ``update(y, X=None) -> self`` re-runs the model on a longer history of the same
  series keeping the estimated parameters where re-estimating is expensive; the
  backtest uses it at later origins. By default it is a fresh ``fit``.

Quantiles from ``predict`` come from the model's in-sample one-step residuals,
widened with the horizon step as the model implies; the pipeline replaces them with
empirical quantiles of rolling-origin backtest errors, which are more honest.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod

import numpy as np
import pandas as pd

DEFAULT_LEVELS: tuple[float, ...] = (0.1, 0.5, 0.8, 0.9, 0.95, 0.99)
RESID_KEEP = 364  # most recent in-sample residuals kept for quantiles


def quantile_column(level: float) -> str:
    """Column name of a quantile level: 0.1 -> "q0.1", 0.95 -> "q0.95"."""
    return f"q{float(level):g}"


def as_panel(y) -> np.ndarray:
    """A float 2-D (series, time) copy of ``y``; 1-D input becomes one row."""
    arr = np.asarray(y, dtype=float)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.shape[1] == 0:
        arr = np.full((arr.shape[0], 1), np.nan)
    return arr.copy()


def last_value(Y: np.ndarray) -> np.ndarray:
    """The last non-NaN value of each row (0 where a row has none)."""
    valid = ~np.isnan(Y)
    idx = Y.shape[1] - 1 - np.argmax(valid[:, ::-1], axis=1)
    out = Y[np.arange(Y.shape[0]), idx]
    return np.where(valid.any(axis=1), out, 0.0)


def row_nanmean(Y: np.ndarray, default: float = 0.0) -> np.ndarray:
    """Mean of each row ignoring NaN, ``default`` for an all-NaN row."""
    cnt = (~np.isnan(Y)).sum(axis=1)
    tot = np.nansum(Y, axis=1)
    return np.where(cnt > 0, tot / np.maximum(cnt, 1), default)


def tail_mean(Y: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` non-NaN-padded columns of each row."""
    return row_nanmean(Y[:, -max(int(window), 1) :])


def n_valid(Y: np.ndarray) -> np.ndarray:
    return (~np.isnan(Y)).sum(axis=1)


def nanquantile(a: np.ndarray, q, axis: int = -1) -> np.ndarray:
    """``np.nanquantile(a, q, axis=axis)`` (linear interpolation), vectorised.

    numpy handles NaN one row at a time, which is most of the cost of quantiles
    over thousands of series; here one sort serves every row. All-NaN rows give NaN.
    """
    q = np.asarray(q, dtype=float)
    x = np.sort(np.moveaxis(np.asarray(a, dtype=float), axis, -1), axis=-1)
    cnt = (~np.isnan(x)).sum(axis=-1, keepdims=True)  # NaN sort last
    pos = q.reshape((-1,) + (1,) * x.ndim) * np.maximum(cnt - 1, 0)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(cnt - 1, 0))
    frac = pos - lo
    xb = np.broadcast_to(x, (len(q.reshape(-1)),) + x.shape)
    a_lo = np.take_along_axis(xb, lo, axis=-1)
    a_hi = np.take_along_axis(xb, hi, axis=-1)
    out = (a_lo + frac * (a_hi - a_lo))[..., 0]
    out = np.where(cnt[..., 0] > 0, out, np.nan)
    return out.reshape(q.shape + out.shape[1:])


def empirical_quantiles(
    mean: np.ndarray,
    errors: np.ndarray,
    levels,
    step_scale: np.ndarray | None = None,
    zero_share: np.ndarray | None = None,
) -> np.ndarray:
    """Quantiles (series, h, levels) = mean + empirical quantile of errors.

    ``errors`` is (series, m) of actual - forecast, NaN allowed, or (series,
    origins, steps) from a backtest (median of per-origin quantiles); ``step_scale``
    (series, h) widens the error distribution with the horizon step. Rows without
    any error fall back to a Poisson-like spread around the mean. ``zero_share``
    (series,) is the share of zero demand seen recently: levels at or below it are 0,
    the point mass at zero of intermittent demand that additive errors miss.
    """
    n, h = mean.shape
    levels = np.asarray(levels, dtype=float)
    if errors.ndim == 3 and errors.shape[1] > 1:
        # (series, origins, steps): quantiles per origin, then their median, so one
        # unusual backtest window does not set the band for every forecast.
        err = errors
        has = (~np.isnan(err)).any(axis=(1, 2))
        eq = np.zeros((n, len(levels)))
        if has.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                per = nanquantile(err[has], levels, axis=2)  # (L, n, O)
                eq[has] = nanquantile(per, 0.5, axis=2).T
    else:
        err = errors.reshape(n, -1) if errors.size else np.full((n, 1), np.nan)
        has = (~np.isnan(err)).any(axis=1)
        eq = np.zeros((n, len(levels)))
        if has.any():
            eq[has] = nanquantile(err[has], levels, axis=1).T
    if step_scale is None:
        step_scale = np.ones((n, h))
    q = mean[:, :, None] + eq[:, None, :] * step_scale[:, :, None]
    if (~has).any():
        # No residuals at all: a Poisson-like band sqrt(mean) wide.
        from scipy.stats import norm

        z = norm.ppf(levels)
        mu = mean[~has]
        q[~has] = mu[:, :, None] + z[None, None, :] * np.sqrt(mu)[:, :, None]
    if zero_share is not None:
        at_zero = levels[None, :] <= np.nan_to_num(zero_share)[:, None]
        q = np.where(at_zero[:, None, :], 0.0, q)
    return finalize_quantiles(mean, q)


def finalize_quantiles(mean: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Clip quantiles at 0, replace non-finite values, force non-decreasing levels."""
    q = np.where(np.isfinite(q), q, mean[:, :, None])
    q = np.clip(q, 0.0, None)
    return np.maximum.accumulate(q, axis=2)


def forecast_frame(mean: np.ndarray, quantiles: np.ndarray, levels) -> pd.DataFrame:
    """Long frame: series, step, mean, q<level>... from (n, h) and (n, h, L)."""
    n, h = mean.shape
    data = {
        "series": np.repeat(np.arange(n), h),
        "step": np.tile(np.arange(1, h + 1), n),
        "mean": mean.reshape(-1),
    }
    for j, level in enumerate(levels):
        data[quantile_column(level)] = quantiles[:, :, j].reshape(-1)
    return pd.DataFrame(data)


class ForecastModel(ABC):
    """Base class: subclasses implement ``_fit`` and ``_forecast``.

    ``_fit(Y, X)`` sees a float panel (NaN left padding) and sets fitted attributes,
    including ``resid_`` (series, m) in-sample one-step errors when it has them.
    ``_forecast(h, X)`` returns the (series, h) mean forecast.
    """

    name = "base"

    def fit(self, y, X=None):
        Y = as_panel(y)
        self.n_series_ = Y.shape[0]
        self.resid_ = None
        self._fit(Y, X)
        if self.resid_ is None:
            # Lag-1 differences: the naive forecast's errors, a conservative spread.
            self.resid_ = (
                np.diff(Y, axis=1) if Y.shape[1] > 1 else np.full_like(Y, np.nan)
            )
        self.resid_ = np.asarray(self.resid_, dtype=float)[:, -RESID_KEEP:]
        return self

    def update(self, y, X=None):
        return self.fit(y, X)

    def predict_mean(self, h: int, X=None) -> np.ndarray:
        mean = np.asarray(self._forecast(int(h), X), dtype=float)
        mean = np.where(np.isfinite(mean), mean, 0.0)
        return np.clip(mean, 0.0, None)

    def required_history(self) -> int:
        """Periods of history below which the model is no real candidate (the
        pipeline does not score it there); it still forecasts something finite."""
        return 1

    def step_scale(self, h: int) -> np.ndarray:
        """How the error spread grows with the step; constant by default."""
        return np.ones((self.n_series_, h))

    def predict(self, h: int, X=None, levels=DEFAULT_LEVELS) -> pd.DataFrame:
        mean = self.predict_mean(h, X)
        q = empirical_quantiles(mean, self.resid_, levels, self.step_scale(h))
        return forecast_frame(mean, q, levels)

    @abstractmethod
    def _fit(self, Y, X):
        """Store the fitted state for the (series x time) array Y."""

    @abstractmethod
    def _forecast(self, h, X):
        """The mean forecast, (series x h)."""

    def __repr__(self):
        params = ", ".join(
            f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_")
        )
        return f"{type(self).__name__}({params})"
