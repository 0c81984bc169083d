"""The bands stage: quantiles of each series' forecast from its chosen model's backtest.

    forecast_quantiles(panel, classes, chosen, bt, mean, levels, n_origins, h)
        -> Bands

Contract: the chosen model's backtest errors (zero forecasts where the stop rule
fired at an origin) calibrate the bands (``bands.band_quantiles``); levels at or
below a series' recent share of zero demand are 0; on a yearly model the errors
are measured in deseasonalised units and the spread follows the yearly index of
each forecast period (``yearly_error_scale``). A series without backtest errors
(a fallback) gets the spread of its recent demand around its mean. A series that
sold nothing in its recent window gets at least the quantiles of what followed
such windows at the backtest's origins (``after_unsold_quantiles``). Quantiles are
>= 0, ordered across levels; ``Bands`` also carries the chosen backtest
forecasts and zero shares that the selection table scores.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .backtest import Backtest
from .bands import MIN_POOL, band_quantiles
from .base import empirical_quantiles, nanquantile
from .metrics import _scale
from .models.yearly import index_at, yearly_index, yearly_period
from .panel import Panel
from .plan import is_yearly
from .select import ENSEMBLE

ERROR_INDEX_POWERS = (0.0, 0.5, 1.0)
ERROR_WIDTHS = (1.0,)  # the conformal bands are calibrated: no widening


@dataclass
class Bands:
    """``Q`` (n, h, L) quantiles; ``Fc`` (n, O, h) the chosen model's backtest
    forecasts; ``zero_share`` (n,) recent share of zero demand."""

    Q: np.ndarray
    Fc: np.ndarray
    zero_share: np.ndarray


def chosen_backtest(chosen: np.ndarray, bt: Backtest, stopped_at) -> np.ndarray:
    """(n, O, h) backtest forecasts of each series' chosen model, zero where
    the stop rule fired at the origin (what the product would have forecast)."""
    Fc = np.full_like(bt.A, np.nan)
    for m in set(chosen):
        r = chosen == m
        key = ENSEMBLE if m.startswith("ensemble:") else m
        Fc[r] = bt.F[key][r] if key in bt.F else np.nan
    Fc[stopped_at] = np.where(np.isnan(Fc[stopped_at]), np.nan, 0.0)
    return Fc


def forecast_quantiles(
    panel: Panel,
    classes: np.ndarray,
    chosen: np.ndarray,
    bt: Backtest,
    mean: np.ndarray,
    levels,
    n_origins: int,
    h: int,
) -> Bands:
    """Quantiles of ``mean`` (n, h) at ``levels`` (see the module docstring)."""
    Fc = chosen_backtest(chosen, bt, bt.stopped_at)
    E = bt.A - Fc
    floor = -Fc  # the error of a zero actual: a band never reaches below it
    window = max(int(n_origins) * h, 28)
    recent = panel.y[:, -window:]
    with np.errstate(all="ignore"):
        zero_share = (recent == 0).sum(axis=1) / (~np.isnan(recent)).sum(axis=1)
    step_scale = yearly_error_scale(panel, chosen, E, bt.cuts, h, floor)
    diff_scale = np.sqrt(_scale(panel.y, 2))
    Q, no_errors = band_quantiles(
        mean, E, classes, diff_scale, levels, step_scale, zero_share, floor
    )
    if no_errors.any():
        # No backtest (fallback): the spread of recent demand around its mean.
        r = recent[no_errors]
        cnt = (~np.isnan(r)).sum(axis=1, keepdims=True)
        spread = r - np.nansum(r, axis=1, keepdims=True) / np.maximum(cnt, 1)
        Q[no_errors] = empirical_quantiles(
            mean[no_errors], spread, levels, zero_share=zero_share[no_errors]
        )
    unsold = unsold_window(recent)
    if unsold.any():
        after = after_unsold_quantiles(panel.y, bt.cuts, h, window, levels)
        if after is not None:
            Q[unsold] = np.maximum(Q[unsold], after[None, None, :])
    return Bands(Q=Q, Fc=Fc, zero_share=zero_share)


def unsold_window(y: np.ndarray) -> np.ndarray:
    """(n,) bool: observed in the window ``y`` (n, w) and sold nothing there."""
    seen = ~np.isnan(y)
    return seen.any(axis=1) & ~(np.where(seen, y, 0.0) > 0).any(axis=1)


def after_unsold_quantiles(y, cuts, h, window, levels) -> np.ndarray | None:
    """(L,) quantiles of demand in the ``h`` periods after a ``window`` with no
    sale, pooled over every series and backtest origin (``cuts``: the first
    column after each origin) of the panel ``y`` (n, T); None with fewer than
    ``bands.MIN_POOL`` such periods.

    A series that sold nothing in its recent window has no spread for the
    conformal scale to carry and a zero share of 1: its band would claim "none"
    at every level. What followed such windows in the same panel says how often
    that is wrong (a part first ordered, an item back on sale) and by how much.
    Empirical quantiles of the discrete demand (the smallest value holding
    ``tau`` of the pool), so a level holds at least ``tau`` of it."""
    pool = []
    for cut in cuts:
        if cut < 1 or cut + h > y.shape[1]:
            continue
        quiet = unsold_window(y[:, max(cut - window, 0) : cut])
        after = y[quiet, cut : cut + h]
        pool.append(after[~np.isnan(after)])
    pool = np.sort(np.concatenate(pool)) if pool else np.empty(0)
    if len(pool) < MIN_POOL:
        return None
    taus = np.asarray(levels, dtype=float)
    rank = np.clip(np.ceil(taus * len(pool)).astype(int) - 1, 0, len(pool) - 1)
    return pool[rank]


def yearly_error_scale(panel, chosen, E, cuts, h, floor=None) -> np.ndarray:
    """(n, h) how the error spread scales with the yearly index of each forecast
    period, for series on a yearly model; ``E`` is divided in place by the index
    part of the scale at the backtest periods (deseasonalised units), and so is
    ``floor`` (the errors a zero actual would have had) when given.

    The scale is ``width * index ** gamma`` (gamma 0: errors do not grow with the
    season, 1: they grow in proportion), the pair of ``ERROR_INDEX_POWERS`` x
    ``ERROR_WIDTHS`` with the least pinball loss of the 10/90/95% quantiles,
    leave-one-origin-out in the backtest, with quantiles built as the final ones
    are (median over origins). Series on other models get 1."""
    n, T = panel.y.shape
    out = np.ones((n, h))
    rows = np.flatnonzero([is_yearly(m) for m in chosen])
    period = yearly_period(panel.season_length)
    if not len(rows) or not period or len(cuts) < 2:
        return out
    index = yearly_index(panel.y_fit[rows], period)
    cols = np.array(cuts)[:, None] + np.arange(h)[None, :]  # (O, h) actual columns
    at_backtest = index_at(index, cols, T - 1)  # (r, O, h)
    future = index_at(index, T - 1 + np.arange(1, h + 1), T - 1)
    Er = E[rows]
    taus = np.array([0.1, 0.9, 0.95])
    loss = np.zeros((len(ERROR_INDEX_POWERS), len(ERROR_WIDTHS)))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for g, gamma in enumerate(ERROR_INDEX_POWERS):
            scale = at_backtest**gamma
            per = nanquantile(Er / scale, taus, axis=2)  # (L, r, O)
            for o in range(len(cuts)):
                q = nanquantile(np.delete(per, o, axis=2), 0.5, axis=2).T  # (r, L)
                for w, width in enumerate(ERROR_WIDTHS):
                    u = Er[:, o, :, None] - width * q[:, None, :] * scale[:, o, :, None]
                    loss[g, w] += float(np.nansum(u * (taus - (u < 0))))
    g, w = np.unravel_index(np.argmin(loss), loss.shape)
    gamma = ERROR_INDEX_POWERS[g]
    E[rows] = Er / at_backtest**gamma
    if floor is not None:
        floor[rows] = floor[rows] / at_backtest**gamma
    out[rows] = ERROR_WIDTHS[w] * future**gamma
    return out
