"""Intermittent-demand models (Croston, SBA, TSB, ADIDA, IMAPA) over a whole panel.

Each recursion runs once over time with numpy operations across all series at once;
left-padding NaN (periods before a series started) are skipped.
"""

from __future__ import annotations

import numpy as np

from ..base import ForecastModel

SES_ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
# Aggregated series are short and noisy: keep alpha in the 0.1-0.3 band that the
# intermittent-demand literature (and statsforecast's ADIDA/IMAPA) use.
AGG_ALPHAS = tuple(np.round(np.arange(0.1, 0.3001, 0.01), 2))


def ses_grid(
    Y: np.ndarray, alphas=SES_ALPHAS, lag: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Simple exponential smoothing of every row, alpha chosen per row over a small
    grid by the in-sample squared error of forecasts made ``lag`` periods earlier
    (``lag`` = 1: the usual one-step fit; a longer lag judges alpha on the kind of
    forecast it will make). Returns (last level, chosen alpha)."""
    n, T = Y.shape
    a = np.asarray(alphas, dtype=float)[None, :]
    level = np.full((n, a.shape[1]), np.nan)
    sse = np.zeros((n, a.shape[1]))
    lag = max(int(lag), 1)
    past = [level] * lag  # levels after t-lag .. t-1 (ring buffer)
    for t in range(T):
        y = Y[:, t][:, None]
        ok = ~np.isnan(y)
        started = ~np.isnan(level)
        err = np.where(ok & started, y - level, 0.0)
        old = past[t % lag]
        sse += np.where(ok & ~np.isnan(old), y - old, 0.0) ** 2
        new = np.where(started, level + a * err, y)
        level = np.where(ok, new, level)
        past[t % lag] = level
    best = np.argmin(sse, axis=1)
    rows = np.arange(n)
    out = level[rows, best]
    return np.where(np.isnan(out), 0.0, out), a[0, best]


def _croston_states(Y: np.ndarray, alpha: float):
    """Croston's size level z and interval level p after each period, plus the
    one-step fitted ratio z/p made before each period (NaN before the first demand)."""
    n, T = Y.shape
    z = np.zeros(n)
    p = np.ones(n)
    q = np.zeros(n)
    started = np.zeros(n, dtype=bool)
    fitted = np.full((n, T), np.nan)
    for t in range(T):
        y = Y[:, t]
        ok = ~np.isnan(y)
        fitted[:, t] = np.where(started, z / p, np.nan)
        q = q + ok
        demand = ok & (y > 0)
        first = demand & ~started
        upd = demand & started
        z = np.where(first, y, np.where(upd, z + alpha * (y - z), z))
        p = np.where(first, q, np.where(upd, p + alpha * (q - p), p))
        q = np.where(demand, 0.0, q)
        started |= demand
    return z, p, started, fitted


class Croston(ForecastModel):
    """Croston's method: smoothed demand size over smoothed inter-demand interval."""

    name = "croston"
    debias = 1.0

    def __init__(self, alpha: float = 0.1):
        self.alpha = alpha

    def _factor(self):
        return self.debias

    def _fit(self, Y, X):
        z, p, started, fitted = _croston_states(Y, self.alpha)
        f = self._factor()
        self.level_ = np.where(started, f * z / np.maximum(p, 1e-9), 0.0)
        self.resid_ = Y - f * np.where(np.isnan(fitted), 0.0, fitted)

    def _forecast(self, h, X):
        return np.repeat(self.level_[:, None], h, axis=1)


class SBA(Croston):
    """Syntetos-Boylan approximation: Croston debiased by (1 - alpha / 2)."""

    name = "sba"

    def _factor(self):
        return 1.0 - self.alpha / 2.0


class TSB(ForecastModel):
    """Teunter-Syntetos-Babai: smoothed demand probability times smoothed size."""

    name = "tsb"

    def __init__(self, alpha_d: float = 0.1, alpha_p: float = 0.1):
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p

    def _fit(self, Y, X):
        n, T = Y.shape
        z = np.zeros(n)
        prob = np.full(n, np.nan)
        fitted = np.full((n, T), np.nan)
        seen = np.zeros(n, dtype=bool)
        for t in range(T):
            y = Y[:, t]
            ok = ~np.isnan(y)
            fitted[:, t] = np.where(np.isnan(prob), np.nan, prob * z)
            d = (y > 0).astype(float)
            prob = np.where(
                ok, np.where(np.isnan(prob), d, prob + self.alpha_p * (d - prob)), prob
            )
            demand = ok & (y > 0)
            z = np.where(demand, np.where(seen, z + self.alpha_d * (y - z), y), z)
            seen |= demand
        self.level_ = np.where(np.isnan(prob), 0.0, prob * z)
        self.resid_ = Y - np.where(np.isnan(fitted), 0.0, fitted)

    def _forecast(self, h, X):
        return np.repeat(self.level_[:, None], h, axis=1)


def mean_interval(Y: np.ndarray) -> np.ndarray:
    """Mean interval between demands as ADIDA/IMAPA define it (statsforecast's
    ``_intervals(y).mean()``): observed periods from the start of the series to
    its last demand over the number of demands; 1 for rows without demand. The
    trailing run of zeros after the last demand does not count, so a series that
    has just stopped keeps its aggregation level (the stop rule judges the run)."""
    z = np.nan_to_num(Y)
    nz = (z > 0).sum(axis=1)
    T = Y.shape[1]
    last = T - 1 - np.argmax((z > 0)[:, ::-1], axis=1)
    observed = np.cumsum(~np.isnan(Y), axis=1)[np.arange(Y.shape[0]), last]
    return np.where(nz > 0, observed / np.maximum(nz, 1), 1.0)


def _aggregate(Y: np.ndarray, k: int) -> np.ndarray:
    """Sums over non-overlapping buckets of k periods, ending at the last period."""
    m = Y.shape[1] // k
    if m == 0:
        return np.full((Y.shape[0], 1), np.nan)
    return Y[:, Y.shape[1] - m * k :].reshape(Y.shape[0], m, k).sum(axis=2)


class ADIDA(ForecastModel):
    """Aggregate-disaggregate: SES on buckets of round(ADI) periods, spread evenly.

    ``max_level`` caps the bucket size (IMAPA averages every level up to it)."""

    name = "adida"
    average_levels = False

    def __init__(self, max_level: int = 28):
        self.max_level = max_level

    def _fit(self, Y, X):
        n = Y.shape[0]
        k_series = np.clip(
            np.rint(mean_interval(Y)), 1, max(int(self.max_level), 1)
        ).astype(int)
        total = np.zeros(n)
        count = np.zeros(n)
        for k in range(1, int(k_series.max()) + 1):
            rows = k_series >= k if self.average_levels else k_series == k
            if not rows.any():
                continue
            level, _ = ses_grid(_aggregate(Y[rows], k), AGG_ALPHAS)
            total[rows] += level / k
            count[rows] += 1
        self.level_ = np.where(count > 0, total / np.maximum(count, 1), 0.0)
        recent = Y[:, -max(int(self.max_level) * 4, 28) :]
        self.resid_ = recent - self.level_[:, None]

    def _forecast(self, h, X):
        return np.repeat(self.level_[:, None], h, axis=1)


class IMAPA(ADIDA):
    """Intermittent multiple aggregation: mean of ADIDA forecasts at levels 1..ADI."""

    name = "imapa"
    average_levels = True


class SES(ForecastModel):
    """Simple exponential smoothing, alpha picked from a grid per series."""

    name = "ses"

    def __init__(self, alphas=SES_ALPHAS, criterion_lag: int = 1):
        self.alphas = alphas
        self.criterion_lag = criterion_lag

    def _fit(self, Y, X):
        self.level_, self.alpha_ = ses_grid(Y, self.alphas, self.criterion_lag)
        self.resid_ = Y[:, -112:] - self.level_[:, None]

    def _forecast(self, h, X):
        return np.repeat(self.level_[:, None], h, axis=1)

    def step_scale(self, h):
        k = np.arange(h)[None, :]
        return np.sqrt(1.0 + k * self.alpha_[:, None] ** 2)
