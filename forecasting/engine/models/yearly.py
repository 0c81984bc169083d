"""A yearly seasonal index learnt from one year of history, and models adjusted by it.

``yearly_index(Y, period)`` is a classical multiplicative decomposition that needs
only one full year (plus a few periods): per series, demand of each phase of the
last (up to three) full years over that year's mean. One year of ratios is noisy,
so the index is shrunk empirical-Bayes style: each series' ratios toward the
panel's pooled index (precision-weighted over the series that have a year), by
how much of their deviation from it exceeds their noise, and the pooled index
toward 1 by its own noise. Noise is read from the roughness of the ratios (each
phase against the mean of its neighbours), which a yearly pattern made of a few
peaks barely inflates. Series with less than a year get the pooled index. The
index is finally smoothed over neighbouring phases (``KERNEL``): holidays move by
a week between years (Easter; a fixed date drifts across a weekly grid), and a
sharp one-week peak in the wrong week costs twice (the kernel's measurement:
``docs/decisions/yearly-season.md``).

``YearlyAdjusted(base, period)`` divides the history by the index, fits ``base`` on
what is left, and multiplies its forecast back; the error spread scales with the
index too (a peak week's errors are larger). Phases are positions: the forecast
step k has phase k mod period, a history column t phase (t - last) mod period, so
period 52 (weekly) and 364 (daily, which keeps the weekday) are "same period last
year". Daily ratios come from a centred 7-day mean (the weekday pattern stays
with the base model).
"""

from __future__ import annotations

import copy
import warnings

import numpy as np

from ..base import ForecastModel, as_panel

MAX_YEARS = 3
INDEX_BOUNDS = (0.1, 10.0)
KERNEL = (1, 2, 1)  # weights over phases p-1, p, p+1


def yearly_period(season_length: int) -> int:
    """Periods per year for a panel's (short) season: 0 where there is none."""
    s = int(season_length or 1)
    if s == 7:
        return 364
    if s >= 48:
        return 52
    if s == 12:
        return 12
    return 0


def min_yearly_history(period: int) -> int:
    """Periods a series needs for its own index: one year and a few periods."""
    return int(period) + max(2, int(period) // 13)


def _centred_mean(Y: np.ndarray, w: int) -> np.ndarray:
    if w <= 1:
        return Y
    n, T = Y.shape
    valid = ~np.isnan(Y)
    zero = np.zeros((n, 1))
    cs = np.hstack([zero, np.cumsum(np.where(valid, Y, 0.0), axis=1)])
    cn = np.hstack([zero, np.cumsum(valid, axis=1)])
    t = np.arange(T)
    lo = np.clip(t - w // 2, 0, T)
    hi = np.clip(t + w // 2 + 1, 0, T)
    cnt = cn[:, hi] - cn[:, lo]
    with np.errstate(all="ignore"):
        out = (cs[:, hi] - cs[:, lo]) / cnt
    return np.where(valid & (cnt > 0), out, np.nan)


def _roughness(R: np.ndarray, lag: int) -> np.ndarray:
    """(n,) noise variance of each row of ratios: each phase against the mean of
    its neighbours ``lag`` apart (circular); iid noise gives 1.5 x its variance."""
    D = R - 0.5 * (np.roll(R, lag, axis=1) + np.roll(R, -lag, axis=1))
    cnt = (~np.isnan(D)).sum(axis=1)
    with np.errstate(all="ignore"):
        v = np.nansum(D * D, axis=1) / np.maximum(cnt, 1) / 1.5
    return np.where(cnt > 0, v, np.nan)


def pooled_yearly_strength(Y: np.ndarray, period: int) -> float:
    """Largest deviation from 1 of the panel's pooled (shrunk) yearly index: 0 when
    the series share no yearly season that their noise lets through."""
    return _yearly_index(Y, period)[1]


def yearly_index(Y: np.ndarray, period: int) -> np.ndarray:
    """(n, period) multiplicative yearly index by phase (phase 0 = the last period,
    phase k = k periods ahead), mean 1; all ones where nothing can be learnt."""
    return _yearly_index(Y, period)[0]


def _yearly_index(Y: np.ndarray, period: int) -> tuple[np.ndarray, float]:
    Y = as_panel(Y)
    n, T = Y.shape
    p = int(period)
    if p <= 1:
        return np.ones((n, 1)), 0.0
    out = np.ones((n, p))
    length = (~np.isnan(Y)).sum(axis=1)
    own = length >= min_yearly_history(p)
    if not own.any():
        return out, 0.0
    smooth = 7 if p == 364 else 1
    lag = smooth
    S = _centred_mean(Y, smooth)
    tot = np.zeros((n, p))
    cnt = np.zeros((n, p))
    for k in range(MAX_YEARS):
        lo = T - (k + 1) * p
        if lo < 0:
            break
        block = Y[:, lo : lo + p]
        use = own & ((~np.isnan(block)).sum(axis=1) >= p // 2)
        if not use.any():
            break
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
            level = np.nanmean(block, axis=1)
            r = S[:, lo : lo + p] / level[:, None]
        ok = use[:, None] & (level[:, None] > 0) & np.isfinite(r)
        tot += np.where(ok, r, 0.0)
        cnt += ok
    # Block column j has phase (j + 1) mod p.
    order = np.mod(np.arange(p) + 1, p)
    R = np.full((n, p), np.nan)
    with np.errstate(all="ignore"):
        R[:, order] = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
    has = own & (cnt > 0).all(axis=1)
    if not has.any():
        return out, 0.0
    noise = _roughness(R, lag)  # variance of each series' ratios
    floor = 0.1 * float(np.nanmedian(noise[has])) + 1e-9
    wt = np.where(has, 1.0 / (np.nan_to_num(noise, nan=np.inf) + floor), 0.0)
    wsum = wt.sum()
    pooled = (wt[has, None] * R[has]).sum(axis=0) / wsum
    pooled_noise = float((wt[has] ** 2 * noise[has]).sum() / wsum**2)
    spread = float(np.mean((pooled - 1.0) ** 2))
    w_pool = 0.0 if spread <= 0 else float(np.clip(1 - pooled_noise / spread, 0, 1))
    index = np.repeat((1.0 + w_pool * (pooled - 1.0))[None, :], n, axis=0)
    dev = R[has] - pooled[None, :]
    dev_var = np.mean(dev * dev, axis=1)
    with np.errstate(all="ignore"):
        w_own = np.where(dev_var > 0, 1 - noise[has] / dev_var, 0.0)
    w_own = np.clip(np.nan_to_num(w_own), 0.0, 1.0)
    index[has] += w_own[:, None] * dev
    k = np.asarray(KERNEL, float) / np.sum(KERNEL)
    m = len(k) // 2
    index = sum(w * np.roll(index, m - j, axis=1) for j, w in enumerate(k))
    index = np.clip(index, *INDEX_BOUNDS)
    strength = float(np.abs(w_pool * (pooled - 1.0)).max())
    return index / index.mean(axis=1, keepdims=True), strength


def index_at(index: np.ndarray, columns: np.ndarray, last: int) -> np.ndarray:
    """Index values at panel ``columns`` (any shape, may lie past ``last``)."""
    p = index.shape[1]
    return index[:, np.mod(np.asarray(columns) - last, p)]


class YearlyAdjusted(ForecastModel):
    """``base`` fitted on demand divided by the yearly index, forecast multiplied
    back; equal to ``base`` where no index can be learnt."""

    name = "yearly"

    def __init__(self, base: ForecastModel | None = None, period: int = 52):
        self.base = base
        self.period = period

    def _adjusted(self, Y):
        self.index_ = yearly_index(Y, self.period)
        T = Y.shape[1]
        return Y / index_at(self.index_, np.arange(T), T - 1)

    def _fit(self, Y, X):
        Z = self._adjusted(Y)
        self.base_ = copy.deepcopy(self.base).fit(Z, X)
        self.resid_ = self.base_.resid_  # deseasonalised units; see step_scale
        self.failed_ = np.asarray(getattr(self.base_, "failed_", np.zeros(len(Y))))

    def update(self, y, X=None):
        if getattr(self, "base_", None) is None:
            return self.fit(y, X)
        Y = as_panel(y)
        self.n_series_ = Y.shape[0]
        self.base_ = self.base_.update(self._adjusted(Y), X)
        self.resid_ = self.base_.resid_
        self.failed_ = np.asarray(getattr(self.base_, "failed_", np.zeros(len(Y))))
        return self

    def required_history(self) -> int:
        return self.base.required_history()

    def future_index(self, h: int) -> np.ndarray:
        return index_at(self.index_, np.arange(1, h + 1), 0)

    def _forecast(self, h, X):
        return self.base_.predict_mean(h, X) * self.future_index(h)

    def step_scale(self, h):
        return self.base_.step_scale(h) * self.future_index(h)
