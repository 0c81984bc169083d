"""Accuracy measures over (series, points) arrays; NaN actuals are skipped."""

from __future__ import annotations

import numpy as np


def _scale(train: np.ndarray, power: int) -> np.ndarray:
    """Mean |lag-1 difference|^power of each training row (NaN-aware)."""
    d = np.diff(train, axis=1) if train.shape[1] > 1 else np.full_like(train, np.nan)
    d = np.abs(d) ** power
    cnt = (~np.isnan(d)).sum(axis=1)
    return np.where(cnt > 0, np.nansum(d, axis=1) / np.maximum(cnt, 1), np.nan)


def _row_mean(a: np.ndarray) -> np.ndarray:
    cnt = (~np.isnan(a)).sum(axis=1)
    return np.where(cnt > 0, np.nansum(a, axis=1) / np.maximum(cnt, 1), np.nan)


def rmsse(actual, forecast, train) -> np.ndarray:
    """Per series sqrt(MSE / mean squared lag-1 difference of the training part);
    NaN where that scale is zero or undefined."""
    scale = _scale(train, 2)
    mse = _row_mean((actual - forecast) ** 2)
    with np.errstate(all="ignore"):
        return np.where(scale > 0, np.sqrt(mse / scale), np.nan)


def mase(actual, forecast, train) -> np.ndarray:
    scale = _scale(train, 1)
    mae = _row_mean(np.abs(actual - forecast))
    with np.errstate(all="ignore"):
        return np.where(scale > 0, mae / scale, np.nan)


def _ratio(num, den):
    return float(num / den) if den > 0 else float("nan")


def wape(actual, forecast) -> float:
    ok = ~np.isnan(actual)
    return _ratio(np.abs(actual - forecast)[ok].sum(), np.abs(actual[ok]).sum())


def bias(actual, forecast) -> float:
    ok = ~np.isnan(actual)
    return _ratio((forecast - actual)[ok].sum(), np.abs(actual[ok]).sum())


def coverage(actual, lower, upper) -> float:
    ok = ~np.isnan(actual)
    inside = (actual >= lower - 1e-9) & (actual <= upper + 1e-9)
    return float(inside[ok].mean()) if ok.any() else float("nan")
