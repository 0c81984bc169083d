"""Demand over a window of days from daily forecast paths, as a Gamma distribution.

The forecast gives, per item and day, a mean and a few quantiles. The policy needs
the demand summed over the lead time (and lead time + review period). The sum's mean
is the sum of daily means. Its variance is the sum of daily variances (days taken as
independent, which the issue allows) read off the quantile band, plus an optional
share ``correlation`` of the cross terms for forecasts whose errors persist from day
to day (a wrong level is wrong every day). The sum is then a Gamma with that mean and
variance: unlike the normal it puts no mass below zero and keeps the right skew of
slow, intermittent sellers, which is where a normal under-covers; its loss function
has a closed form (and its slope is the tail), so the fill-rate equations solve by
vectorised Newton steps inside a shrinking bracket.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import gammaincc, gammaincinv, ndtri

DEFAULT_LEVELS: tuple[float, ...] = (0.1, 0.5, 0.8, 0.9, 0.95, 0.99)
# Variance-to-mean ratio of daily demand when an item has no spread at all (a new
# product on a borrowed profile): over-dispersed like a negative binomial.
FALLBACK_DISPERSION = 2.0
_TINY = 1e-9


def forecast_arrays(
    frame: pd.DataFrame, levels: Sequence[float] = DEFAULT_LEVELS, n: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(n, h) mean and (n, h, levels) quantiles from the engine's long frame
    (``series``, ``step``, ``mean``, ``q<level>``...). Missing cells are NaN."""
    series = frame["series"].to_numpy(int)
    step = frame["step"].to_numpy(int)
    n = int(series.max()) + 1 if n is None else int(n)
    h = int(step.max()) if len(step) else 0
    mean = np.full((n, h), np.nan)
    mean[series, step - 1] = frame["mean"].to_numpy(float)
    q = np.full((n, h, len(levels)), np.nan)
    for j, level in enumerate(levels):
        q[series, step - 1, j] = frame[f"q{float(level):g}"].to_numpy(float)
    return mean, q


def daily_sigma(
    mean: np.ndarray, quantiles: np.ndarray | None, levels: Sequence[float]
) -> np.ndarray:
    """Per-day standard deviation read off the forecast's quantile band.

    The 10-90 % band over its normal width, except where the lower quantile sits at
    zero (clipped: intermittent demand). There the band says little (with more than
    90 % zero days it is 0-0, which read as no spread at all, hence no safety
    stock), so the upper half-band above the median is used, at every level from
    0.9 to 0.95 the forecast has, the widest one: the right tail of a slow seller
    is longer than the 0.9 quantile alone shows. Cells without quantiles get the
    fallback ``sqrt(dispersion * mean)``.
    """
    fallback = np.sqrt(FALLBACK_DISPERSION * np.clip(mean, 0.0, None))
    if quantiles is None:
        return fallback
    lv = np.asarray(levels, dtype=float)
    lo_i, hi_i = int(np.argmin(lv)), int(np.argmin(np.abs(lv - 0.9)))
    med_i = int(np.argmin(np.abs(lv - 0.5)))
    lo, hi, med = quantiles[..., lo_i], quantiles[..., hi_i], quantiles[..., med_i]
    z_lo, z_hi, z_med = ndtri(lv[lo_i]), ndtri(lv[hi_i]), ndtri(lv[med_i])
    full = (hi - lo) / (z_hi - z_lo)
    upper = (hi - med) / max(z_hi - z_med, _TINY)
    for j in np.flatnonzero((lv > 0.9) & (lv <= 0.95 + 1e-9)):
        z = max(ndtri(lv[j]) - z_med, _TINY)
        upper = np.fmax(upper, (quantiles[..., j] - med) / z)
    sigma = np.where(lo > 0, full, np.maximum(upper, full))
    return np.where(np.isfinite(sigma), np.clip(sigma, 0.0, None), fallback)


def window_moments(
    mean: np.ndarray,
    sigma: np.ndarray,
    days: np.ndarray,
    correlation: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the demand summed over the first ``days`` (per item,
    fractional allowed) of each path. Beyond the path's end the last day repeats."""
    n, h = mean.shape
    days = np.clip(np.asarray(days, dtype=float), 0.0, None) * np.ones(n)
    width = max(h, int(np.ceil(days.max())) if n else 0)
    if width > h:  # roll the last forecast day forward
        pad = width - h
        mean = np.hstack([mean, np.repeat(mean[:, -1:], pad, axis=1)])
        sigma = np.hstack([sigma, np.repeat(sigma[:, -1:], pad, axis=1)])
    # Weight 1 for whole days inside the window, the fraction for a partial last day.
    w = np.clip(days[:, None] - np.arange(width)[None, :], 0.0, 1.0)
    mu = (w * np.nan_to_num(mean)).sum(axis=1)
    s = w * np.nan_to_num(sigma)
    var_ind = (s * s).sum(axis=1)
    var = var_ind + correlation * (s.sum(axis=1) ** 2 - var_ind)
    return mu, var


def _shape_scale(mu, var):
    mu = np.clip(mu, 0.0, None)
    var = np.maximum(var, _TINY * np.maximum(mu, _TINY))
    shape = np.maximum(mu * mu / var, _TINY)
    scale = var / np.maximum(mu, _TINY)
    return shape, scale


def gamma_loss(x, mu, var) -> np.ndarray:
    """E[(D - x)+] for D ~ Gamma with mean ``mu`` and variance ``var``."""
    x = np.clip(np.asarray(x, dtype=float), 0.0, None)
    shape, scale = _shape_scale(mu, var)
    z = x / scale
    loss = mu * gammaincc(shape + 1.0, z) - x * gammaincc(shape, z)
    return np.where(mu > _TINY, np.clip(loss, 0.0, None), 0.0)


def gamma_quantile(p, mu, var) -> np.ndarray:
    """The ``p`` quantile of a Gamma with mean ``mu`` and variance ``var``."""
    shape, scale = _shape_scale(mu, var)
    q = gammaincinv(shape, np.clip(p, 0.0, 1.0 - 1e-12)) * scale
    return np.where(mu > _TINY, q, 0.0)


def bisect_decreasing(
    f, lo, hi, iterations: int = 48, tolerance: float = 1e-7
) -> np.ndarray:
    """Vectorised root of a decreasing function: the smallest x in [lo, hi] with
    f(x) <= 0 (lo where f(lo) <= 0 already, hi where f(hi) > 0). Stops once every
    bracket is narrower than ``tolerance`` units (stock is counted in whole units)."""
    lo = np.asarray(lo, dtype=float).copy()
    hi = np.asarray(hi, dtype=float).copy()
    done = f(lo) <= 0
    for _ in range(iterations):
        if not np.any(hi - lo > tolerance):
            break
        mid = 0.5 * (lo + hi)
        neg = f(mid) <= 0
        hi = np.where(neg, mid, hi)
        lo = np.where(neg, lo, mid)
    return np.where(done, lo, hi)


def _loss_and_tail(x, shape, scale, mu) -> tuple[np.ndarray, np.ndarray]:
    """gamma_loss at ``x`` (>= 0) and its slope there, -P(D > x), for a Gamma
    given by its shape, scale and mean: the tail P(D > x) is the loss's own
    second term, so the slope costs nothing more."""
    z = x / scale
    tail = gammaincc(shape, z)
    loss = mu * gammaincc(shape + 1.0, z) - x * tail
    live = mu > _TINY
    return np.where(live, np.clip(loss, 0.0, None), 0.0), np.where(live, tail, 0.0)


def newton_decreasing(
    f, lo, hi, start=None, iterations: int = 60, tolerance: float = 1e-7
) -> np.ndarray:
    """bisect_decreasing's answer in a few steps: the root of a decreasing
    function by Newton's method, kept inside a bracket that shrinks with
    every step (a bisection step wherever Newton's would leave it).

    ``f(x, rows)`` gives the function's value and slope at ``x`` for the
    items ``rows`` (an index array); only items not yet solved are
    evaluated. Like bisect_decreasing: ``lo`` where f(lo) <= 0 already,
    ``hi`` where f(hi) > 0; else the root, to within ``tolerance`` units
    (a bracket that narrow, or a Newton step under a hundredth of it)."""
    lo, hi = np.broadcast_arrays(np.asarray(lo, float), np.asarray(hi, float))
    shape = lo.shape
    lo, hi = lo.ravel().copy(), hi.ravel().copy()
    every = np.arange(lo.size)
    f_lo, _ = f(lo, every)
    f_hi, _ = f(hi, every)
    out = np.where(f_lo <= 0, lo, hi)
    rows = np.flatnonzero((f_lo > 0) & (f_hi <= 0))
    a, b = lo[rows], hi[rows]
    x = (
        0.5 * (a + b)
        if start is None
        else np.clip(
            np.broadcast_to(np.asarray(start, float), shape).ravel()[rows], a, b
        )
    )
    for _ in range(iterations):
        if not rows.size:
            break
        value, slope = f(x, rows)
        below = value <= 0
        b = np.where(below, x, b)
        a = np.where(below, a, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = value / slope
            newton = x - step
        inside = (slope < 0) & (newton > a) & (newton < b)
        solved = (b - a <= tolerance) | (inside & (np.abs(step) <= tolerance / 100))
        out[rows[solved]] = np.where(inside, newton, b)[solved]
        x = np.where(inside, newton, 0.5 * (a + b))
        left = ~solved
        rows, a, b, x = rows[left], a[left], b[left], x[left]
    out[rows] = b
    return out.reshape(shape)


def _upper_bound(mu, var):
    return mu + 40.0 * np.sqrt(var) + 10.0


def _items(*arrays) -> list[np.ndarray]:
    """The arguments as float arrays of one shape, flattened."""
    return [
        a.ravel() for a in np.broadcast_arrays(*(np.asarray(v, float) for v in arrays))
    ]


def _flat_bisected(level, target, short, hi, shape) -> np.ndarray:
    """``level``, bisected where the target is nothing short (a fill rate of
    1): there the shortfall only reaches zero where the Gamma's tail
    underflows, a root Newton's method cannot home in on, so those items
    keep the bisection's answer."""
    rows = np.flatnonzero(target <= 0)
    if rows.size:
        level[rows] = bisect_decreasing(
            lambda s: short(s, rows)[0], np.zeros(rows.size), hi[rows]
        )
    return level.reshape(shape)


def order_up_to_level(mu_l, var_l, mu_p, var_p, fill_rate) -> np.ndarray:
    """Order-up-to S of a periodic-review (R, S) policy meeting a fill rate.

    Units short per review cycle are E[(D_{L+R} - S)+] - E[(D_L - S)+] (Hadley and
    Whitin): the demand of the cycle that S cannot cover, not counting what earlier
    cycles already missed. S solves: that = (1 - fill rate) x E[D_R].
    """
    shape = np.broadcast_shapes(
        *(np.shape(v) for v in (mu_l, var_l, mu_p, var_p, fill_rate))
    )
    mu_l, var_l, mu_p, var_p, fill_rate = _items(mu_l, var_l, mu_p, var_p, fill_rate)
    target = (1.0 - fill_rate) * np.clip(mu_p - mu_l, 0.0, None)
    (k_p, t_p), (k_l, t_l) = _shape_scale(mu_p, var_p), _shape_scale(mu_l, var_l)

    def short(s, rows):
        loss_p, tail_p = _loss_and_tail(s, k_p[rows], t_p[rows], mu_p[rows])
        loss_l, tail_l = _loss_and_tail(s, k_l[rows], t_l[rows], mu_l[rows])
        return loss_p - loss_l - target[rows], tail_l - tail_p

    level = newton_decreasing(
        short, np.zeros_like(mu_p), _upper_bound(mu_p, var_p), start=mu_p
    )
    return _flat_bisected(level, target, short, _upper_bound(mu_p, var_p), shape)


def reorder_level(mu, var, quantity, fill_rate) -> np.ndarray:
    """Reorder point s for orders of ``quantity`` meeting a fill rate: units short
    per cycle E[(D - s)+] - E[(D - s - Q)+] = (1 - fill rate) x Q. The second term
    (the exact form) stops small orders from double-counting shortages, which the
    textbook G(k) = (1 - fill rate) Q / sigma over-protects."""
    shape = np.broadcast_shapes(*(np.shape(v) for v in (mu, var, quantity, fill_rate)))
    mu, var, quantity, fill_rate = _items(mu, var, quantity, fill_rate)
    q = np.clip(quantity, _TINY, None)
    target = (1.0 - fill_rate) * q
    k, t = _shape_scale(mu, var)

    def short(s, rows):
        k_r, t_r, mu_r = k[rows], t[rows], mu[rows]
        loss, tail = _loss_and_tail(s, k_r, t_r, mu_r)
        loss_q, tail_q = _loss_and_tail(s + q[rows], k_r, t_r, mu_r)
        return loss - loss_q - target[rows], tail_q - tail

    level = newton_decreasing(short, np.zeros_like(mu), _upper_bound(mu, var), start=mu)
    return _flat_bisected(level, target, short, _upper_bound(mu, var), shape)


def category_profiles(
    mean: np.ndarray, categories: Sequence, has_forecast: np.ndarray | None = None
) -> dict:
    """Mean daily demand path of each category over its items that have a forecast."""
    cats = np.asarray(categories, dtype=object)
    ok = np.ones(len(cats), bool) if has_forecast is None else np.asarray(has_forecast)
    ok = ok & np.isfinite(mean).all(axis=1)
    return {c: mean[ok & (cats == c)].mean(axis=0) for c in pd.unique(cats[ok])}


def borrow_category_profile(
    mean: np.ndarray,
    quantiles: np.ndarray | None,
    categories: Sequence,
    profiles: Mapping,
    has_forecast: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Items without a forecast (a NaN path, or ``has_forecast`` False) take their
    category's mean daily path; their quantiles become NaN, so the policy uses the
    over-dispersed fallback spread. Returns mean, quantiles and the ``basis``."""
    mean = np.array(mean, dtype=float, copy=True)
    missing = ~np.isfinite(mean).all(axis=1)
    if has_forecast is not None:
        missing |= ~np.asarray(has_forecast, dtype=bool)
    cats = np.asarray(categories, dtype=object)
    h = mean.shape[1]
    basis = np.where(missing, "category_profile", "forecast").astype(object)
    for i in np.flatnonzero(missing):
        path = profiles.get(cats[i])
        if path is None:
            mean[i] = 0.0
            basis[i] = "no_profile"
            continue
        path = np.asarray(path, dtype=float)[:h]
        mean[i] = np.concatenate([path, np.repeat(path[-1:], h - len(path))])
    if quantiles is not None:
        quantiles = np.array(quantiles, dtype=float, copy=True)
        quantiles[missing] = np.nan
    return mean, quantiles, basis
