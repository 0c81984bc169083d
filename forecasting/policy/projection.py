"""Projected stock day by day: when an item runs out, counting what is on its way
only from the day it is expected to arrive."""

from __future__ import annotations

import numpy as np


def projected_stockout_day(
    mean: np.ndarray, available, arrivals: np.ndarray | None = None
) -> np.ndarray:
    """Day (from today) each item runs out, inf when not within the path.

    ``mean`` is (items, days) of daily mean demand from today, ``available``
    the units on hand less the reserved now, ``arrivals`` (items, days) the
    units expected in on each day (an overdue order on day 0). Stock at the
    end of day d is available + arrivals up to d - demand up to d. Day 0 means
    out of stock now: nothing available today, whatever is on order, because a
    purchase order is not on the shelf until it comes. Otherwise the first day
    whose projected stock falls below zero, counted from 1 (today's demand
    emptying the shelf is a stock-out in 1 day).
    """
    mean = np.nan_to_num(np.asarray(mean, dtype=float))
    n, h = mean.shape
    available = np.broadcast_to(np.asarray(available, dtype=float), (n,))
    if arrivals is None:
        arrivals = np.zeros((n, h))
    stock = available[:, None] + np.cumsum(arrivals[:, :h], axis=1)
    stock = stock - np.cumsum(mean, axis=1)
    short = stock < -1e-9
    day = np.argmax(short, axis=1) + 1.0
    day = np.where(short.any(axis=1), day, np.inf)
    return np.where(available <= 0, 0.0, day)


def arrivals_by_day(pairs: list, schedule: dict, horizon: int) -> np.ndarray:
    """(pairs, horizon) units arriving per day from ``schedule`` (pair ->
    [(day offset, units)]); overdue lines land on day 0, later ones beyond
    the horizon are left out."""
    out = np.zeros((len(pairs), horizon))
    for i, pair in enumerate(pairs):
        for offset, units in schedule.get(pair, ()):
            if offset < horizon:
                out[i, max(int(offset), 0)] += units
    return out
