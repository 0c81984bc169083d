"""New products forecast by analogy: launch profiles of similar products.

A product with no (or little) history of its own is forecast from the first
periods after launch of products like it: a reference a manager names, or
the ``k`` nearest by category, price and unit. Each analogue's history is
aligned on its own first sale (period 0 = the first period it sold), so the
path carries the launch curve (a ramp-up, an early peak), not a mature
product's level. The level is scaled to a planned launch volume when there
is one. Plain numpy/pandas, no Django (the app and bench/new_product.py share
it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtri

DEFAULT_K = 5
# Variance-to-mean ratio of one day's demand around the analogy path, before
# the spread between analogues is added: as over-dispersed as the policy's
# fallback, so a new product's band is wider than a fitted series' band.
DISPERSION = 2.0


def launch_profiles(frame: pd.DataFrame, periods: int) -> pd.DataFrame:
    """Each series' first ``periods`` rows from its first sale on.

    ``frame``: long ``series_id, date, quantity`` with one row per period (a
    filled calendar). Returns one row per series that ever sold, columns
    ``0..periods-1`` (NaN where the series is younger than that), and the
    first sale's date in the ``first_sale`` attribute (``.attrs``).
    """
    frame = frame.sort_values(["series_id", "date"])
    sold = frame["quantity"].to_numpy(float) > 0
    first = frame.loc[sold].groupby("series_id", sort=True)["date"].min()
    rows = frame.merge(first.rename("first"), left_on="series_id", right_index=True)
    rows = rows.loc[rows["date"] >= rows["first"]]
    age = rows.groupby("series_id").cumcount()
    rows = rows.assign(age=age.to_numpy()).loc[age.to_numpy() < periods]
    table = rows.pivot(index="series_id", columns="age", values="quantity")
    table = table.reindex(columns=range(periods)).astype(float)
    table.attrs["first_sale"] = first.reindex(table.index)
    return table


def nearest_analogues(
    target: Mapping, candidates: pd.DataFrame, k: int = DEFAULT_K
) -> list:
    """Index labels of the ``k`` candidates most like ``target``.

    Features (any may be missing): ``category`` (a different one costs 2),
    ``price`` (|log ratio|: a price twice as high costs 0.69), ``unit`` (a
    different unit costs 0.5). Ties go to the candidate listed first.
    """
    n = len(candidates)
    if n == 0:
        return []
    distance = np.zeros(n)
    if "category" in candidates and target.get("category") is not None:
        distance += 2.0 * (candidates["category"].to_numpy() != target["category"])
    if "price" in candidates and target.get("price"):
        price = pd.to_numeric(candidates["price"], errors="coerce").to_numpy(float)
        gap = np.abs(np.log1p(price) - np.log1p(float(target["price"])))
        distance += np.where(np.isfinite(gap), gap, 1.0)
    if "unit" in candidates and target.get("unit") is not None:
        distance += 0.5 * (candidates["unit"].to_numpy() != target["unit"])
    order = np.argsort(distance, kind="stable")[:k]
    return list(candidates.index[order])


def analogy_path(
    profiles: np.ndarray,
    *,
    planned_units: float | None = None,
    planned_periods: int = 28,
) -> np.ndarray:
    """Mean path from analogue launch profiles (analogues x periods, NaN where
    an analogue is too young): the average of their profiles, period by
    period; with ``planned_units`` the average *shape* (each profile over its
    own first ``planned_periods`` total) times the planned volume."""
    profiles = np.atleast_2d(np.asarray(profiles, dtype=float))
    if profiles.size == 0:
        return np.zeros(profiles.shape[1] if profiles.ndim == 2 else 0)
    if planned_units is not None:
        head = np.nansum(profiles[:, :planned_periods], axis=1, keepdims=True)
        ok = head[:, 0] > 0
        if ok.any():
            shape = profiles[ok] / head[ok]
            return _column_mean(shape) * float(planned_units)
    return _column_mean(profiles)


def analogy_quantiles(
    mean: np.ndarray,
    profiles: np.ndarray,
    levels: Sequence[float],
    *,
    widen: float = 1.0,
) -> np.ndarray:
    """(periods, levels) band around ``mean``: a day's own over-dispersed
    spread plus the spread between the analogues, times ``widen``, clipped at
    zero."""
    profiles = np.atleast_2d(np.asarray(profiles, dtype=float))
    between = np.zeros_like(mean)
    if profiles.shape[0] > 1:
        scale = _scale_to(profiles, mean)
        between = np.nan_to_num(np.nanvar(scale, axis=0))
    sigma = widen * np.sqrt(DISPERSION * np.clip(mean, 0, None) + between)
    z = ndtri(np.asarray(levels, dtype=float))
    return np.clip(mean[:, None] + sigma[:, None] * z[None, :], 0.0, None)


def _scale_to(profiles: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Profiles rescaled to the mean path's level (their spread of shape)."""
    own = np.nanmean(profiles, axis=1, keepdims=True)
    target = np.nanmean(mean) if np.isfinite(mean).any() else 0.0
    with np.errstate(all="ignore"):
        return np.where(own > 0, profiles / own * target, np.nan)


def _column_mean(a: np.ndarray) -> np.ndarray:
    """Column means ignoring NaN; a column with no value repeats the last one
    that has one (0 before any)."""
    count = (~np.isnan(a)).sum(axis=0)
    means = np.where(count > 0, np.nansum(a, axis=0) / np.maximum(count, 1), np.nan)
    return pd.Series(means).ffill().fillna(0.0).to_numpy()
