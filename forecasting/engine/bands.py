"""Forecast bands calibrated on the backtest's own out-of-sample errors.

    band_quantiles(mean, E, diff_scale, levels, ...) -> ((n, h, L), (n,))

Split conformal on the rolling-origin backtest, per series, so that a series' band
depends on its own history only (never on which series share its chunk):

* A series' error scale ``s`` is the root mean square of its chosen model's
  backtest errors, shrunk toward a prior: ``PRIOR_RATIO`` times its root mean
  squared lag-1 difference (the RMSSE scale). The prior weighs as much as
  ``PRIOR_WEIGHT`` errors, so a series with few errors (a young item) is scaled
  mostly by its difference scale, one with many mostly by its errors.
* The conformity scores are the errors divided by the scale computed *without*
  the errors of their own origin (leave-one-origin-out), so a window's errors
  never set the scale they are measured in.
* The level-``tau`` quantile of a series' scores over every origin and step
  (plotting position ``tau * (m + 1)`` among its ``m`` scores, the split-conformal
  rank, interpolated) times its scale (from all its errors) is its error quantile;
  the band is the mean forecast plus that, clipped at 0. ``step_scale`` lets the
  spread vary by forecast period (a yearly index).

Levels at or below a series' recent share of zero demand are 0: intermittent
demand has a point mass at zero. ``loo_coverage`` applies the whole recipe with one
origin left out at a time: the per-series coverage the runs page shows.
"""

from __future__ import annotations

import warnings

import numpy as np

from .base import finalize_quantiles

PRIOR_WEIGHT = 12.0  # errors' worth of weight of the prior in a series' scale
PRIOR_RATIO = 1.0  # prior error RMS per unit of the lag-1 difference RMS


def series_scale(E: np.ndarray, diff_scale: np.ndarray) -> np.ndarray:
    """(n,) error scale of each series from its backtest errors ``E`` (n, ...),
    shrunk toward ``PRIOR_RATIO * diff_scale``; NaN where a series has neither
    errors nor a difference scale."""
    n = E.shape[0]
    flat = E.reshape(n, -1)
    m = (~np.isnan(flat)).sum(axis=1)
    with np.errstate(all="ignore"):
        mse = np.nansum(flat**2, axis=1) / np.maximum(m, 1)
        prior2 = (PRIOR_RATIO * diff_scale) ** 2
        s2 = np.where(
            np.isfinite(prior2),
            (m * mse + PRIOR_WEIGHT * prior2) / (m + PRIOR_WEIGHT),
            np.where(m > 0, mse, np.nan),
        )
    return np.sqrt(s2)


def scores(E: np.ndarray, diff_scale: np.ndarray) -> np.ndarray:
    """(n, O, h) errors divided by their series' scale computed without the
    errors of the same origin."""
    R = np.full_like(E, np.nan)
    for o in range(E.shape[1]):
        others = E.copy()
        others[:, o, :] = np.nan
        s = series_scale(others, diff_scale)
        with np.errstate(all="ignore"):
            R[:, o, :] = E[:, o, :] / np.maximum(s, 1e-9)[:, None]
    return R


def series_quantiles(R: np.ndarray, taus) -> np.ndarray:
    """(n, L) per-series quantiles of the scores ``R`` (n, ...): the value at
    rank ``tau * (m + 1)`` among the series' ``m`` scores (1-based, interpolated,
    clipped to the smallest and largest); NaN rows: no score."""
    n = R.shape[0]
    taus = np.asarray(taus, dtype=float)
    flat = np.sort(R.reshape(n, -1), axis=1)  # NaN last
    m = (~np.isnan(flat)).sum(axis=1)
    pos = np.clip(taus[None, :] * (m[:, None] + 1), 1, np.maximum(m, 1)[:, None]) - 1
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(m - 1, 0)[:, None])
    frac = pos - lo
    rows = np.arange(n)[:, None]
    out = flat[rows, lo] * (1 - frac) + flat[rows, hi] * frac
    out[m == 0] = np.nan
    return out


def band_quantiles(
    mean: np.ndarray,
    E: np.ndarray,
    diff_scale: np.ndarray,
    levels,
    step_scale: np.ndarray | None = None,
    zero_share: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles (n, h, L) of the forecast ``mean`` (n, h) from the backtest
    errors ``E`` (n, O, h: actual - forecast), and a (n,) mask of the series
    that got none (no errors, no difference scale: the caller's fallback).
    ``step_scale`` (n, h) multiplies the spread of each forecast period (the
    backtest errors must already be divided by it at their own periods)."""
    n, h = mean.shape
    levels = np.asarray(levels, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        R = scores(E, diff_scale)
        Qr = series_quantiles(R, levels)[:, None, :]
        s = series_scale(E, diff_scale)
    if step_scale is None:
        step_scale = np.ones((n, h))
    missing = ~np.isfinite(s) | np.isnan(Qr).any(axis=(1, 2))
    q = mean[:, :, None] + np.nan_to_num(s)[:, None, None] * step_scale[:, :, None] * Qr
    if zero_share is not None:
        at_zero = levels[None, :] <= np.nan_to_num(zero_share)[:, None]
        q = np.where(at_zero[:, None, :], 0.0, q)
    return finalize_quantiles(mean, q), missing


def loo_coverage(
    A: np.ndarray,
    F: np.ndarray,
    diff_scale: np.ndarray,
    lo: float,
    hi: float,
    zero_share: np.ndarray | None = None,
) -> np.ndarray:
    """Per series share of backtest actuals inside the [lo, hi] band, the band at
    each origin calibrated (scales and quantiles) on the other origins."""
    n, n_orig, _ = A.shape
    inside = np.zeros(n)
    count = np.zeros(n)
    if n_orig < 2:
        return np.full(n, np.nan)
    for o in range(n_orig):
        keep = np.delete(np.arange(n_orig), o)
        q, missing = band_quantiles(
            F[:, o, :],
            A[:, keep, :] - F[:, keep, :],
            diff_scale,
            (lo, hi),
            zero_share=zero_share,
        )
        a = A[:, o, :]
        good = ~np.isnan(a) & ~missing[:, None]
        band = (a >= q[:, :, 0] - 1e-9) & (a <= q[:, :, 1] + 1e-9)
        inside += (band & good).sum(axis=1)
        count += good.sum(axis=1)
    return np.where(count > 0, inside / np.maximum(count, 1), np.nan)
