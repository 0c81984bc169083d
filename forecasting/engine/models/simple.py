"""Benchmarks over whole panels: zero, naive, seasonal naive, moving average."""

from __future__ import annotations

import numpy as np

from ..base import ForecastModel, last_value, row_nanmean, tail_mean


class Zero(ForecastModel):
    """Nothing: the benchmark for dying and dead items (on sparse spare parts a zero
    forecast beats most methods by RMSSE), and a candidate the backtest may pick."""

    name = "zero"

    def _fit(self, Y, X):
        self.resid_ = np.where(np.isnan(Y), np.nan, Y)

    def _forecast(self, h, X):
        return np.zeros((self.n_series_, h))


class Naive(ForecastModel):
    """The last observed value, repeated."""

    name = "naive"

    def _fit(self, Y, X):
        self.last_ = last_value(Y)
        self.resid_ = np.diff(Y, axis=1) if Y.shape[1] > 1 else None

    def _forecast(self, h, X):
        return np.repeat(self.last_[:, None], h, axis=1)

    def step_scale(self, h):
        return np.sqrt(np.arange(1, h + 1))[None, :].repeat(self.n_series_, axis=0)


class SeasonalNaive(ForecastModel):
    """The last full season, repeated; missing phases take the series mean."""

    name = "seasonal_naive"

    def __init__(self, season_length: int = 7):
        self.season_length = season_length

    def _fit(self, Y, X):
        s = max(int(self.season_length), 1)
        tail = Y[:, -s:]
        if tail.shape[1] < s:
            tail = np.hstack([np.full((Y.shape[0], s - tail.shape[1]), np.nan), tail])
        fill = row_nanmean(Y)[:, None]
        self.season_ = np.where(np.isnan(tail), fill, tail)
        self.resid_ = Y[:, s:] - Y[:, :-s] if Y.shape[1] > s else None

    def required_history(self) -> int:
        # A yearly pattern seen once is mostly noise: ask for two years of it.
        s = max(int(self.season_length), 1)
        return 2 * s if s >= 12 else s

    def _forecast(self, h, X):
        s = self.season_.shape[1]
        return self.season_[:, np.arange(h) % s]

    def step_scale(self, h):
        s = max(int(self.season_length), 1)
        k = np.ceil(np.arange(1, h + 1) / s)
        return np.sqrt(k)[None, :].repeat(self.n_series_, axis=0)


class MovingAverage(ForecastModel):
    """Mean of the last ``window`` periods, flat over the horizon."""

    name = "moving_average"

    def __init__(self, window: int = 28):
        self.window = window

    def _fit(self, Y, X):
        w = max(int(self.window), 1)
        self.level_ = tail_mean(Y, w)
        # One-step residuals against the trailing mean (cumsum trick, NaN-aware).
        Z = np.nan_to_num(Y)
        c = np.hstack([np.zeros((Y.shape[0], 1)), np.cumsum(Z, axis=1)])
        k = np.hstack([np.zeros((Y.shape[0], 1)), np.cumsum(~np.isnan(Y), axis=1)])
        T = Y.shape[1]
        lo = np.maximum(np.arange(T) - w, 0)
        cnt = k[:, np.arange(T)] - k[:, lo]
        fitted = (c[:, np.arange(T)] - c[:, lo]) / np.where(cnt > 0, cnt, np.nan)
        self.resid_ = Y - fitted

    def _forecast(self, h, X):
        return np.repeat(self.level_[:, None], h, axis=1)
