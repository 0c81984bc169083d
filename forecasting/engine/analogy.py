"""New products forecast by analogy: launch profiles of similar products.

A product with no (or little) history of its own is forecast from the first
periods after launch of products like it: a reference a manager names, or
the ``k`` nearest by category, price and unit. Each analogue's history is
aligned on its own first sale (period 0 = the first period it sold), so the
path carries the launch curve (a ramp-up, an early peak), not a mature
product's level. The curve's volume is the analogues' typical (geometric
mean) launch volume, or a planned launch volume when there is one; the band
carries what is left uncertain (docs/decisions/new-products-analogy.md).
Plain numpy/pandas, no Django (the app and bench/new_product.py share it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtri

DEFAULT_K = 5
# Candidates exactly as near as the k-th are taken too (nothing tells them
# apart), up to this many analogues in all.
MAX_ANALOGUES = 200
# Variance-to-mean ratio of one day's demand around the analogy path, before
# the spread between analogues is added: as over-dispersed as the policy's
# fallback, so a new product's band is wider than a fitted series' band.
DISPERSION = 2.0
# The analogy's band is this much wider than the spreads above add up to.
BAND_WIDEN = 1.5


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
    target: Mapping,
    candidates: pd.DataFrame,
    k: int = DEFAULT_K,
    limit: int = MAX_ANALOGUES,
) -> list:
    """Index labels of the ``k`` candidates most like ``target``, nearest
    first, and every other candidate exactly as near as the k-th: where the
    features cannot tell candidates apart (a panel without prices, a
    category without them), all of them are the analogues, not whichever
    happen to be listed first. Beyond ``limit`` in all, the tied ones are an
    evenly spaced sample of them in listed order.

    Features (any may be missing): ``category`` (a different one costs 2),
    ``price`` (|log ratio|: a price twice as high costs 0.69), ``unit`` (a
    different unit costs 0.5).
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
    order = np.argsort(distance, kind="stable")
    kth = distance[order[min(k, n) - 1]]
    chosen = order[distance[order] <= kth + 1e-12]
    limit = max(k, limit)
    if len(chosen) > limit:
        # the k nearest, then an evenly spaced sample of the rest as near
        near = distance[chosen] < kth - 1e-12
        head, tied = chosen[near], chosen[~near]
        pick = np.linspace(0, len(tied) - 1, limit - len(head)).round().astype(int)
        chosen = np.concatenate([head, tied[pick]])
    return list(candidates.index[chosen])


def analogy_path(
    profiles: np.ndarray,
    *,
    planned_units: float | None = None,
    planned_periods: int = 28,
) -> np.ndarray:
    """Path from analogue launch profiles (analogues x periods, NaN where an
    analogue is too young): the analogues' *shape* (each profile over its own
    first ``planned_periods`` total, averaged period by period and shrunk
    toward flat as far as it is noise: :func:`launch_shape`) times a launch
    volume for those periods: ``planned_units`` when given, else the
    analogues' typical volume (:func:`launch_volume`)."""
    profiles = np.atleast_2d(np.asarray(profiles, dtype=float))
    if profiles.size == 0:
        return np.zeros(profiles.shape[1] if profiles.ndim == 2 else 0)
    head = _heads(profiles, planned_periods)
    ok = head > 0
    if not ok.any():
        return np.zeros(profiles.shape[1])
    volume = launch_volume(head) if planned_units is None else float(planned_units)
    return launch_shape(profiles[ok] / head[ok, None], planned_periods) * volume


def launch_shape(shapes: np.ndarray, planned_periods: int = 28) -> np.ndarray:
    """The analogues' mean shape (analogues x periods, each summing to 1 over
    its first ``planned_periods``), shrunk toward its own average in
    proportion to how much of its period-to-period movement is sampling noise
    (positive-part James-Stein): the noise is the mean over periods of the
    between-analogue variance over the number of analogues, the movement the
    variance of the mean shape across periods. A few smooth analogues that
    agree keep their launch curve (a ramp-up, an early peak) almost whole;
    a few intermittent ones, whose day-to-day zeros and ones are noise, give
    a nearly flat shape instead of echoing their particular days. The result
    still sums to 1 over the first ``planned_periods``. One analogue (a named
    reference) is taken as it is."""
    mean = _column_mean(shapes)
    count = (~np.isnan(shapes)).sum(axis=0)
    several = count >= 2
    if not several.any():
        return mean
    noise = _column_var(shapes[:, several], ddof=1) / count[several]
    movement = mean[several].var(ddof=1) if several.sum() > 1 else 0.0
    keep = 1.0 - min(1.0, noise.mean() / movement) if movement > 0 else 0.0
    flat = mean[several].mean()
    shrunk = flat + keep * (mean - flat)
    head = shrunk[:planned_periods].sum()
    return shrunk * (mean[:planned_periods].sum() / head) if head > 0 else mean


def launch_volume(heads: np.ndarray) -> float:
    """The typical launch volume of analogues that sold ``heads`` units each
    over the same first periods: their geometric mean, on ``log1p`` so an
    analogue that sold nothing counts (as 0).

    Launch volumes of products alike spread over orders of magnitude (close
    to log-normal); their arithmetic mean is set by the largest analogue and
    overshoots most new products, which a scale-free measure (RMSSE) and a
    planner both see as a miss of several times. The uncertainty that is left
    goes into the band (:func:`analogy_quantiles`), not into the point.
    """
    heads = np.clip(np.asarray(heads, dtype=float), 0.0, None)
    return float(np.expm1(np.log1p(heads).mean())) if heads.size else 0.0


def analogy_quantiles(
    mean: np.ndarray,
    profiles: np.ndarray,
    levels: Sequence[float],
    *,
    widen: float = 1.0,
    planned_periods: int = 28,
    volume_known: bool = False,
) -> np.ndarray:
    """(periods, levels) band around ``mean``: a day's own over-dispersed
    spread, the spread of the analogues' shapes and, unless the volume is
    planned (``volume_known``), how far the analogues' own launch volumes
    lie from the typical one the path takes (their squared relative miss,
    over n - 1, on ``mean``'s level); all times ``widen``, clipped at zero."""
    profiles = np.atleast_2d(np.asarray(profiles, dtype=float))
    between = np.zeros_like(mean)
    level = np.zeros_like(mean)
    if profiles.shape[0] > 1:
        scale = _scale_to(profiles, mean)
        between = _column_var(scale, ddof=0)
        heads = _heads(profiles, planned_periods)
        volume = launch_volume(heads)
        if not volume_known and volume > 0:
            miss = ((heads - volume) ** 2).sum() / (len(heads) - 1) / volume**2
            level = np.clip(mean, 0, None) ** 2 * miss
    sigma = widen * np.sqrt(DISPERSION * np.clip(mean, 0, None) + between + level)
    z = ndtri(np.asarray(levels, dtype=float))
    return np.clip(mean[:, None] + sigma[:, None] * z[None, :], 0.0, None)


def _heads(profiles: np.ndarray, periods: int) -> np.ndarray:
    """Each profile's total over its first ``periods`` (NaN counted as 0)."""
    return np.nansum(profiles[:, :periods], axis=1)


def _scale_to(profiles: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Profiles rescaled to the mean path's level (their spread of shape)."""
    own = np.nanmean(profiles, axis=1, keepdims=True)
    target = np.nanmean(mean) if np.isfinite(mean).any() else 0.0
    with np.errstate(all="ignore"):
        return np.where(own > 0, profiles / own * target, np.nan)


def _column_var(a: np.ndarray, *, ddof: int) -> np.ndarray:
    """Column variances ignoring NaN; 0 where a column has ``ddof`` values
    or fewer (nothing to measure a spread with)."""
    ok = ~np.isnan(a)
    count = ok.sum(axis=0)
    total = np.where(ok, a, 0.0).sum(axis=0)
    mean = total / np.maximum(count, 1)
    squares = np.where(ok, (a - mean) ** 2, 0.0).sum(axis=0)
    return np.where(count > ddof, squares / np.maximum(count - ddof, 1), 0.0)


def _column_mean(a: np.ndarray) -> np.ndarray:
    """Column means ignoring NaN; a column with no value repeats the last one
    that has one (0 before any)."""
    count = (~np.isnan(a)).sum(axis=0)
    means = np.where(count > 0, np.nansum(a, axis=0) / np.maximum(count, 1), np.nan)
    return pd.Series(means).ffill().fillna(0.0).to_numpy()
