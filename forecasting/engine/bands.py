"""Forecast bands calibrated on the backtest's own out-of-sample errors.

    band_quantiles(mean, A, F, classes, diff_scale, levels, ...) -> (n, h, L)

Split conformal on the rolling-origin backtest, scaled per series and pooled per
demand class and horizon step:

* A series' error scale ``s`` is the root mean square of its chosen model's
  backtest errors, shrunk toward a prior: its root mean squared lag-1 difference
  (the RMSSE scale) times the class's median ratio of the two. The prior weighs as
  much as ``PRIOR_WEIGHT`` errors, so a series with few errors (a young item) is
  scaled mostly by its class, one with many mostly by itself.
* The conformity scores are the errors divided by the scale computed *without* the
  errors of their own origin (leave-one-origin-out), so a window's errors never
  set the scale they are measured in: the scores are out-of-sample twice over.
* Per demand class and horizon step, the level-``tau`` quantile of the scores of
  every series and origin of the class (at least ``MIN_POOL`` of them; else the
  step over all classes, else the class over all steps, else everything) times the
  series' scale (from all its errors) is its error quantile; the band is the mean
  forecast plus that, clipped at 0.

A handful of origins per series cannot set a 95% quantile (the old per-series
empirical quantiles covered 51-75% with an 80% band on monthly data); thousands of
scaled errors per class and step can, and the scale keeps each series' own width.
Levels at or below a series' recent share of zero demand are 0: intermittent
demand has a point mass at zero.

Which score quantile a tail level reads is itself checked on the backtest
(``calibrated_levels``, nested conformal in the spirit of adaptive conformal
inference): each origin's errors are held against the band built from the
origins before it, per demand class; where the origins agree that the band
at ``tau`` covers too little (growing demand) or too much, the level read
moves toward the one that covered ``tau``, shrunk by how much the origins
disagree and by how few errors they hold. ``loo_coverage`` applies the whole
recipe with one origin left out at a time: the per-series coverage the runs page shows.

The ``c`` band (80 %, 95 %) is the interval that holds ``c`` of demand
(``band_levels`` / ``band_edges``): the central one, from the ``(1-c)/2`` to
the ``(1+c)/2`` quantile, unless its lower edge is 0. Then demand has at least
``(1-c)/2`` of its mass at zero and the central interval holds more than ``c``
(every zero, and everything up to the ``(1+c)/2`` quantile): the band is
``[0, q_c]`` instead, which holds ``c``. On intermittent demand (half the days
zero) the central "80 %" band holds 90 % when every quantile is calibrated.
"""

from __future__ import annotations

import warnings

import numpy as np

from .base import finalize_quantiles

MIN_POOL = 100  # scores a pool needs before its quantiles are used
PRIOR_WEIGHT = 12.0  # errors' worth of weight of the class prior in a series' scale
CAL_WEIGHT = 100.0  # held-out errors' worth of weight of the nominal level
CAL_LOGIT = 1.0  # a level moves by less than this many logits, else not at all
CAL_TAIL = 0.25  # only levels at least this far from the median are calibrated
CAL_MIN = 0.002  # levels are learnt within CAL_MIN .. 1 - CAL_MIN


def band_levels(coverage: float) -> tuple[float, float, float]:
    """Quantile levels of the ``coverage`` band: lower, upper, and the upper
    edge used when the lower one is 0 (80 % -> 0.1, 0.9, 0.8)."""
    c = float(coverage)
    if not 0.0 < c < 1.0:
        raise ValueError("coverage must be between 0 and 1")
    return round((1 - c) / 2, 6), round((1 + c) / 2, 6), c


def band_edges(lower, upper, upper_at_zero):
    """(lo, hi) of a band from its quantiles at ``band_levels``: ``[0,
    upper_at_zero]`` where ``lower`` is 0 (a point mass at zero), else
    ``[lower, upper]``. Arrays of any shape, broadcast together."""
    lower = np.asarray(lower, dtype=float)
    at_zero = np.asarray(upper_at_zero, dtype=float)
    # a run stored without the level keeps the central band
    hi = np.where((lower <= 0.0) & np.isfinite(at_zero), at_zero, upper)
    return lower, np.asarray(hi, dtype=float)


def series_scale(E: np.ndarray, diff_scale: np.ndarray, classes) -> np.ndarray:
    """(n,) error scale of each series from its backtest errors ``E`` (n, ...),
    shrunk toward the class's typical error per unit of ``diff_scale``; NaN where
    a series has neither errors nor a difference scale."""
    n = E.shape[0]
    flat = E.reshape(n, -1)
    m = (~np.isnan(flat)).sum(axis=1)
    with np.errstate(all="ignore"):
        mse = np.nansum(flat**2, axis=1) / np.maximum(m, 1)
        ratio = np.where((m > 0) & (diff_scale > 0), np.sqrt(mse) / diff_scale, np.nan)
    classes = np.asarray(classes)
    everyone = _nanmedian(ratio, 1.0)
    rho = np.full(n, everyone)
    for c in np.unique(classes):
        rows = classes == c
        rho[rows] = _nanmedian(ratio[rows], everyone)
    prior2 = (rho * diff_scale) ** 2
    with np.errstate(all="ignore"):
        s2 = np.where(
            np.isfinite(prior2),
            (m * mse + PRIOR_WEIGHT * prior2) / (m + PRIOR_WEIGHT),
            np.where(m > 0, mse, np.nan),
        )
    return np.sqrt(s2)


def _nanmedian(x: np.ndarray, default: float) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if len(x) else default


def scores(E: np.ndarray, diff_scale: np.ndarray, classes) -> np.ndarray:
    """(n, O, h) errors divided by their series' scale computed without the
    errors of the same origin."""
    R = np.full_like(E, np.nan)
    for o in range(E.shape[1]):
        others = E.copy()
        others[:, o, :] = np.nan
        s = series_scale(others, diff_scale, classes)
        with np.errstate(all="ignore"):
            R[:, o, :] = E[:, o, :] / np.maximum(s, 1e-9)[:, None]
    return R


def _pools(R: np.ndarray, classes):
    """(class, rows, step, scores) of the pool each class's series read at each step:
    the class at that step if it holds ``MIN_POOL`` scores, else the step over
    all classes, else the class over all steps, else everything (scores
    without NaN; empty when there is none)."""
    h = R.shape[2]
    classes = np.asarray(classes)
    by_step = [R[:, :, j].reshape(-1) for j in range(h)]
    for c in np.unique(classes):
        rows = classes == c
        Rc = R[rows]
        class_all = Rc.reshape(-1)
        for j in range(h):
            for pool in (Rc[:, :, j].reshape(-1), by_step[j], class_all, R.reshape(-1)):
                v = pool[~np.isnan(pool)]
                if len(v) >= MIN_POOL:
                    break
            yield c, rows, j, v


def pooled_quantiles(R: np.ndarray, classes, taus, class_taus=None) -> np.ndarray:
    """(n, h, L) score quantiles for each series' class and step (NaN rows:
    no pool had any score); ``class_taus`` maps a class to the levels its
    series read instead of ``taus`` (same length)."""
    taus = np.asarray(taus, dtype=float)
    out = np.full((R.shape[0], R.shape[2], len(taus)), np.nan)
    for c, rows, j, v in _pools(R, classes):
        if len(v):
            out[rows, j] = np.quantile(v, (class_taus or {}).get(c, taus))
    return out


def pooled_ranks(R: np.ndarray, classes, Z: np.ndarray) -> np.ndarray:
    """(n, h) the level at which each score ``Z`` (n, h) meets its series'
    pooled score quantile (the inverse of ``pooled_quantiles``: ``Z <=
    quantile(tau)`` exactly when the rank is ``<= tau``); NaN without a pool."""
    out = np.full(Z.shape, np.nan)
    for _, rows, j, v in _pools(R, classes):
        if len(v):
            v = np.sort(v)
            z = Z[rows, j]
            r = np.interp(z, v, np.linspace(0.0, 1.0, len(v)))
            # beyond the pool: below its least score 0, above its largest 1+
            out[rows, j] = np.where(z > v[-1], 1.0 + 1e-9, np.where(z < v[0], 0.0, r))
    return out


def _held_ranks(E, floor, classes, diff_scale, o) -> np.ndarray:
    """(n, h) the level at which the band built from the origins before ``o``
    (scales and pooled scores) first holds each error of origin ``o``; 0 where
    the actual was 0 (at or below ``floor``: every band holds it)."""
    prev = E[:, :o, :]
    s = series_scale(prev, diff_scale, classes)
    with np.errstate(all="ignore"):
        Z = E[:, o, :] / np.maximum(s, 1e-9)[:, None]
    ranks = pooled_ranks(scores(prev, diff_scale, classes), classes, Z)
    if floor is not None:
        ranks = np.where(E[:, o, :] <= floor[:, o, :] + 1e-9, 0.0, ranks)
    return np.where(np.isfinite(E[:, o, :]) & np.isfinite(s)[:, None], ranks, np.nan)


def calibrated_levels(E, classes, diff_scale, levels, floor=None) -> dict:
    """Per demand class, the levels to read from the pooled scores so that each
    nominal tail level covers what it claims on the backtest's next origin.

    Each origin ``o >= 1`` is held against the band built from origins ``< o``;
    the level whose band held ``tau`` of its errors is its ``tau_o`` (``d_o =
    logit(tau_o) - logit(tau)``). With at least two such origins, a level moves
    by the mean of the ``d_o`` shrunk by their spread (``d^2 / (d^2 + var/k)``,
    James-Stein style) and by the errors they hold (``m / (m + CAL_WEIGHT)``);
    not at all if any ``|d_o|`` reaches ``CAL_LOGIT`` (the origins are not
    exchangeable there: a season, not a level, decides) or for levels within
    ``CAL_TAIL`` of the median. Classes left out read ``levels``."""
    levels = np.asarray(levels, dtype=float)
    n_orig = E.shape[1]
    if n_orig < 3:
        return {}
    classes = np.asarray(classes)
    held = [_held_ranks(E, floor, classes, diff_scale, o) for o in range(1, n_orig)]
    lg = np.log(levels / (1 - levels))
    tails = np.abs(levels - 0.5) >= CAL_TAIL
    out = {}
    for c in np.unique(classes):
        rows = classes == c
        got = [r[rows][~np.isnan(r[rows])] for r in held]
        got = [r for r in got if len(r)]
        if len(got) < 2:
            continue
        hat = np.clip([np.quantile(r, levels) for r in got], CAL_MIN, 1 - CAL_MIN)
        d = np.log(hat / (1 - hat)) - lg  # (k, L)
        m = sum(len(r) for r in got)
        mean = d.mean(axis=0)
        var = d.var(axis=0, ddof=1) / len(d)
        step = mean * mean**2 / np.maximum(mean**2 + var, 1e-12)
        step *= m / (m + CAL_WEIGHT)
        step = np.where(tails & (np.abs(d) < CAL_LOGIT).all(axis=0), step, 0.0)
        out[c] = 1 / (1 + np.exp(-(lg + step)))
    return out


def band_quantiles(
    mean: np.ndarray,
    E: np.ndarray,
    classes,
    diff_scale: np.ndarray,
    levels,
    step_scale: np.ndarray | None = None,
    zero_share: np.ndarray | None = None,
    floor: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles (n, h, L) of the forecast ``mean`` (n, h) from the backtest
    errors ``E`` (n, O, h: actual - forecast, origins in time order), and a
    (n,) mask of the series that got none (no errors, no difference scale: the
    caller's fallback). ``step_scale`` (n, h) multiplies the spread of each
    forecast period (the backtest errors must already be divided by it at their
    own periods); ``floor`` (n, O, h) the error a zero actual would have had
    (minus the backtest forecast, in the same units), for ``calibrated_levels``."""
    n, h = mean.shape
    levels = np.asarray(levels, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        R = scores(E, diff_scale, classes)
        at = calibrated_levels(E, classes, diff_scale, levels, floor)
        Qr = pooled_quantiles(R, classes, levels, at)[:, :h]
        s = series_scale(E, diff_scale, classes)
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
    classes,
    diff_scale: np.ndarray,
    coverage: float,
    zero_share: np.ndarray | None = None,
) -> np.ndarray:
    """Per series share of backtest actuals inside the ``coverage`` band
    (``band_edges``), the band at each origin calibrated (scales and pooled
    quantiles) on the other origins."""
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
            classes,
            diff_scale,
            sorted(band_levels(coverage)),
            zero_share=zero_share,
            floor=-F[:, keep, :],
        )
        a = A[:, o, :]
        good = ~np.isnan(a) & ~missing[:, None]
        # sorted: upper_at_zero (c) < upper ((1+c)/2)
        lo, hi = band_edges(q[:, :, 0], q[:, :, 2], q[:, :, 1])
        band = (a >= lo - 1e-9) & (a <= hi + 1e-9)
        inside += (band & good).sum(axis=1)
        count += good.sum(axis=1)
    return np.where(count > 0, inside / np.maximum(count, 1), np.nan)
