"""Exponential smoothing over a whole panel in numpy.

Specification: additive damped trend (Holt, ``damped_trend``) or simple smoothing
(beta = phi = 0), the trend only where a series has at least ``min_trend`` points;
an additive season of ``season_length`` when two full seasons fit (weekly on daily
data, yearly on weekly data). The season is taken out first (per-phase means over
the fitting window, all series at once); the smoothing parameters of each
deseasonalised series are the point of a small grid (``PARAM_GRID``) with the least
one-step squared error of the very filter that forecasts, every series and grid
point in one numpy pass (``method="statsmodels"`` keeps the old per-series
``ExponentialSmoothing`` optimisation, about 20x slower). ``update`` re-runs only
the filter on a longer history with the estimated parameters, which keeps a
rolling-origin backtest to one estimation per series.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from ..base import ForecastModel, as_panel

logger = logging.getLogger(__name__)


def _param_grid() -> np.ndarray:
    """(alpha, beta, phi) candidates: simple smoothing (beta = phi = 0) and damped
    trends, with beta <= alpha as statsmodels requires."""
    alphas = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
    rows = [(a, 0.0, 0.0) for a in alphas]
    for a in alphas:
        for b in (0.01, 0.03, 0.1):
            for phi in (0.8, 0.9, 0.95, 0.98):
                if b <= a:
                    rows.append((a, b, phi))
    return np.array(rows, dtype=float)


PARAM_GRID = _param_grid()


class ETS(ForecastModel):
    """Damped-trend exponential smoothing with an additive season (A,Ad,A)."""

    name = "ets"

    def __init__(
        self,
        season_length: int = 1,
        damped: bool = True,
        fit_window: int = 182,
        min_trend: int = 20,
        method: str = "grid",
    ):
        self.season_length = season_length
        self.damped = damped
        self.fit_window = fit_window
        self.min_trend = min_trend
        self.method = method  # "grid" (numpy, all series) or "statsmodels"

    # -- season -------------------------------------------------------------------
    def _season(self, Y: np.ndarray) -> np.ndarray:
        """(n, s) additive seasonal indices by phase (phase 0 = last period); zero
        where a series has fewer than two full seasons."""
        n, T = Y.shape
        s = int(self.season_length or 1)
        if s <= 1:
            return np.zeros((n, 1))
        W = min(T, max(2 * s, int(self.fit_window)))
        Z = Y[:, T - W :]
        phase = np.mod(np.arange(W) - (W - 1), s)
        valid = ~np.isnan(Z)
        level = np.where(valid.sum(axis=1) > 0, np.nansum(Z, axis=1), 0.0)
        level = level / np.maximum(valid.sum(axis=1), 1)
        dev = np.where(valid, Z - level[:, None], 0.0)
        idx = np.zeros((n, s))
        cnt = np.zeros((n, s))
        for p in range(s):
            cols = phase == p
            idx[:, p] = dev[:, cols].sum(axis=1)
            cnt[:, p] = valid[:, cols].sum(axis=1)
        idx = np.where(cnt > 0, idx / np.maximum(cnt, 1), 0.0)
        idx -= idx.mean(axis=1, keepdims=True)
        enough = valid.sum(axis=1) >= 2 * s
        if getattr(self, "seasonal_", None) is not None and len(self.seasonal_) == n:
            enough = enough & self.seasonal_  # the specification chosen at fit
        else:
            self.seasonal_ = enough
        return np.where(enough[:, None], idx, 0.0)

    def _deseason(self, Y: np.ndarray, season: np.ndarray) -> np.ndarray:
        T = Y.shape[1]
        s = season.shape[1]
        phase = np.mod(np.arange(T) - (T - 1), s)
        return Y - season[:, phase]

    # -- estimation ---------------------------------------------------------------
    def _estimate(self, Z: np.ndarray) -> np.ndarray:
        """(n, 3) alpha, beta, phi per series; beta = phi = 0 means no trend."""
        if self.method == "statsmodels":
            return self._estimate_statsmodels(Z)
        return self._estimate_grid(Z)

    def _estimate_grid(self, Z: np.ndarray) -> np.ndarray:
        """The (alpha, beta, phi) of ``PARAM_GRID`` with the least one-step squared
        error of this model's own filter, every series and grid point at once.

        The filter that forecasts is the one that is scored (statsmodels fits its
        own initial states, which the numpy filter does not use), and one pass of
        numpy replaces one optimiser run per series: ~20x faster on a retrain."""
        n, T = Z.shape
        self.failed_ = np.zeros(n, dtype=bool)
        params = np.tile([0.2, 0.0, 0.0], (n, 1))
        cnt = (~np.isnan(Z)).sum(axis=1)
        with np.errstate(all="ignore"):
            ptp = np.nanmax(Z, axis=1) - np.nanmin(Z, axis=1)
        fit = (cnt >= 4) & (ptp > 0)
        if not fit.any():
            return params
        G = PARAM_GRID
        rows = np.flatnonzero(fit)
        trend_ok = (cnt[rows] >= self.min_trend) & self.damped
        for lo in range(0, len(rows), 2048):  # bounded memory on big chunks
            r = rows[lo : lo + 2048]
            sse = self._grid_sse(Z[r], G)
            no_trend = G[:, 1] == 0
            sse = np.where(
                trend_ok[lo : lo + 2048, None] | no_trend[None, :], sse, np.inf
            )
            params[r] = G[np.argmin(sse, axis=1)]
        return params

    @staticmethod
    def _grid_sse(Z: np.ndarray, G: np.ndarray) -> np.ndarray:
        """(n, g) one-step SSE of the damped-trend filter for every grid point."""
        a, b, phi = (G[:, j][None, :] for j in range(3))
        n, T = Z.shape
        cnt = (~np.isnan(Z)).sum(axis=1)
        mean0 = np.where(cnt > 0, np.nansum(Z, axis=1) / np.maximum(cnt, 1), 0.0)
        level = np.full((n, len(G)), np.nan)
        trend = np.zeros((n, len(G)))
        sse = np.zeros((n, len(G)))
        for t in range(T):
            z = Z[:, t][:, None]
            ok = ~np.isnan(z)
            if not ok.any():
                continue
            started = ~np.isnan(level)
            pred = np.where(started, level + phi * trend, mean0[:, None])
            err = np.where(ok, z - pred, 0.0)
            sse += np.where(started, err, 0.0) ** 2
            new_level = pred + a * err
            new_trend = np.where(
                started,
                b * (new_level - np.nan_to_num(level)) + (1 - b) * phi * trend,
                0.0,
            )
            level = np.where(ok, new_level, level)
            trend = np.where(ok, new_trend, trend)
        return sse

    def _estimate_statsmodels(self, Z: np.ndarray) -> np.ndarray:
        """statsmodels ``ExponentialSmoothing`` per series (the slow reference)."""
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        n = Z.shape[0]
        params = np.tile([0.2, 0.0, 0.0], (n, 1))
        self.failed_ = np.zeros(n, dtype=bool)
        W = int(self.fit_window)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(n):
                z = Z[i][~np.isnan(Z[i])][-W:]
                if len(z) < 4 or np.ptp(z) == 0:
                    continue
                trend = self.damped and len(z) >= self.min_trend
                try:
                    model = ExponentialSmoothing(
                        z,
                        trend="add" if trend else None,
                        damped_trend=trend,
                        initialization_method="heuristic" if len(z) >= 10 else "known",
                        initial_level=None if len(z) >= 10 else float(z[0]),
                        initial_trend=None if (len(z) >= 10 or not trend) else 0.0,
                    )
                    # L-BFGS-B reaches the same optimum as the default SLSQP
                    # here in a fraction of the time.
                    p = model.fit(use_brute=False, method="L-BFGS-B").params
                except Exception as exc:  # statsmodels raises many kinds
                    logger.debug("ETS estimation failed on series %s: %s", i, exc)
                    self.failed_[i] = True
                    continue
                a = p.get("smoothing_level", 0.2)
                b = p.get("smoothing_trend", 0.0) if trend else 0.0
                phi = p.get("damping_trend", 0.0) if trend else 0.0
                vals = np.array([a, b, phi], dtype=float)
                if np.all(np.isfinite(vals)):
                    params[i] = np.clip(vals, 0.0, 1.0)
        return params

    # -- filtering (numpy, all series) -----------------------------------------------
    def _filter(self, Z: np.ndarray):
        a, b, phi = self.params_[:, 0], self.params_[:, 1], self.params_[:, 2]
        n, T = Z.shape
        # Start from the window mean (close to estimated initial states when the
        # smoothing is slow, irrelevant when it is fast).
        cnt = (~np.isnan(Z)).sum(axis=1)
        mean0 = np.where(cnt > 0, np.nansum(Z, axis=1) / np.maximum(cnt, 1), np.nan)
        level = np.full(n, np.nan)
        trend = np.zeros(n)
        resid = np.full((n, T), np.nan)
        for t in range(T):
            z = Z[:, t]
            ok = ~np.isnan(z)
            started = ~np.isnan(level)
            pred = level + phi * trend
            resid[:, t] = np.where(started & ok, z - pred, np.nan)
            first = np.where(np.isnan(mean0), z, mean0)
            new_level = np.where(
                started, a * z + (1 - a) * pred, a * z + (1 - a) * first
            )
            new_trend = np.where(
                started, b * (new_level - level) + (1 - b) * phi * trend, 0.0
            )
            level = np.where(ok, new_level, level)
            trend = np.where(ok, new_trend, trend)
        self.level_ = np.nan_to_num(level)
        self.trend_ = np.where(np.isnan(level), 0.0, trend)
        self.resid_ = resid[:, -int(self.fit_window) :]

    def _run(self, Y: np.ndarray, estimate: bool):
        self.season_ = self._season(Y)
        Z = self._deseason(Y, self.season_)[:, -max(int(self.fit_window), 1) :]
        if estimate:
            self.params_ = self._estimate(Z)
        self._filter(Z)

    def _fit(self, Y, X):
        self.seasonal_ = None
        self._run(Y, estimate=True)

    def update(self, y, X=None):
        Y = as_panel(y)
        params = getattr(self, "params_", None)
        if params is None or len(params) != Y.shape[0]:
            return self.fit(y, X)
        self.n_series_ = Y.shape[0]
        self._run(Y, estimate=False)
        return self

    def take(self, positions) -> ETS:
        """A copy holding the estimated parameters of the given rows only."""
        out = ETS(
            self.season_length,
            self.damped,
            self.fit_window,
            self.min_trend,
            self.method,
        )
        out.params_ = self.params_[positions]
        out.seasonal_ = self.seasonal_[positions]
        out.failed_ = self.failed_[positions]
        return out

    def _forecast(self, h, X):
        phi = self.params_[:, 2][:, None]
        k = np.arange(1, h + 1)[None, :]
        with np.errstate(all="ignore"):
            damp = np.where(
                np.abs(1 - phi) < 1e-9,
                k,
                phi * (1 - phi**k) / np.where(phi == 1, 1, 1 - phi),
            )
        s = self.season_.shape[1]
        out = self.level_[:, None] + damp * self.trend_[:, None]
        return out + self.season_[:, np.mod(np.arange(1, h + 1), s)]

    def step_scale(self, h):
        k = np.arange(h)[None, :]
        return np.sqrt(1.0 + k * self.params_[:, :1] ** 2)
