"""Generated demand panels for engine tests (long frames: series_id, date, quantity)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def spare_parts_panel(n: int = 2000, months: int = 51, seed: int = 0) -> pd.DataFrame:
    """A panel shaped like the classic spare-parts ("carparts") data: monthly, ~51
    months, three quarters or more of the months zero. Every series has a row for
    every month (zeros recorded before the first sale: leading zero runs, series
    that start late); about a third have only 1-5 non-zero months; some die out.
    A tenth are young items whose rows start late (no rows before listing)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("1998-01-01", periods=months, freq="MS")
    Y = np.zeros((n, months))
    first_row = np.zeros(n, dtype=int)
    for i in range(n):
        start = 0 if rng.random() < 0.6 else int(rng.integers(1, months - 6))
        length = months - start
        if rng.random() < 0.35:  # very sparse: 1-5 non-zero months
            k = min(int(rng.integers(1, 6)), length)
            idx = rng.choice(length, size=k, replace=False) + start
            Y[i, idx] = rng.poisson(1.5, size=k) + 1
        else:
            p = rng.beta(1.2, 2.5)
            mu = rng.gamma(2.0, 1.5)
            rate = np.full(length, p)
            if rng.random() < 0.15:  # dying
                rate[int(rng.integers(max(length // 3, 1), length)) :] *= 0.1
            occ = rng.random(length) < rate
            Y[i, start:] = occ * (rng.poisson(mu, length) + 1)
        if rng.random() < 0.1:
            first_row[i] = start
    sid = np.repeat([f"p{i:05d}" for i in range(n)], months)
    frame = pd.DataFrame(
        {"series_id": sid, "date": np.tile(dates, n), "quantity": Y.reshape(-1)}
    )
    keep = np.tile(np.arange(months), n) >= np.repeat(first_row, months)
    return frame[keep].reset_index(drop=True)
