"""Turns the long input frame into a right-aligned panel (series x periods).

Contract of the long frame: ``series_id``, ``date``, ``quantity`` and optionally
``price`` (float), ``promo`` (bool/0-1), ``event`` (0-1: a holiday or shopping
festival on the calendar) and ``censored`` (bool, stock-out day).
Dates of all series lie on one grid of the frequency (daily, weekly on the same
weekday, month starts...). A date missing inside a series' span is zero demand;
a series' history starts at its first *listed* row: a row with a known, uncensored
quantity and, where the series has prices at all, a price (M5 gives no price before
an item is on sale). Zeros recorded before the first sale are history: periods in
which the item could have sold and did not (a spare part first ordered in month 30
of 51 has a demand rate of about 1/30, not 1/1); leaving them out made every young
or sparse series look like a fast mover.
Censored days are NaN in ``y`` (the observed zero is not demand): they are imputed
for fitting (``y_fit``) and skipped when scoring. A missing (NaN) quantity is
treated the same way; duplicate dates keep the last row; negative quantities are 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SEASON_BY_FREQ = {"D": 7, "W": 52, "M": 12, "Q": 4, "H": 24}
# Known-in-advance covariates: price carries its last value forward, the flags
# (a planned promotion, a calendar event) default to none.
EXOG = ("price", "promo", "event")
FLAGS = ("promo", "event")


@dataclass
class Panel:
    ids: np.ndarray  # series ids, in panel row order
    y: np.ndarray  # (n, T) observed demand, NaN before start and on censored days
    y_fit: np.ndarray  # y with censored days imputed: what models are fitted on
    censored: np.ndarray  # (n, T) bool
    start: np.ndarray  # first column of each series' history
    last_date: np.ndarray  # datetime64[ns] of each series' last period
    freq: str
    step_ns: int  # nominal period length, for calendar features
    season_length: int
    end_ord: np.ndarray | None = None  # period ordinal of each series' last period
    price: np.ndarray | None = None  # (n, T)
    promo: np.ndarray | None = None  # (n, T)
    event: np.ndarray | None = None  # (n, T)

    @property
    def n_obs(self) -> np.ndarray:
        return (~np.isnan(self.y)).sum(axis=1)


def infer_freq(df: pd.DataFrame) -> str:
    """'D', 'W-<DAY>' or 'MS'/'ME' from the most common gap between dates."""
    d = df[["series_id", "date"]].sort_values(["series_id", "date"])
    gaps = d["date"].diff()[d["series_id"].eq(d["series_id"].shift())]
    days = gaps.dt.days
    days = days[days > 0]
    step = int(days.mode().iloc[0]) if len(days) else 1
    if step == 1:
        return "D"
    if step == 7:
        return "W-" + d["date"].iloc[0].day_name()[:3].upper()
    if 28 <= step <= 31:
        return "MS" if (d["date"].dt.day == 1).all() else "ME"
    if 89 <= step <= 92:
        return "QS" if (d["date"].dt.day == 1).all() else "QE"
    return f"{step}D"


def default_season(freq: str) -> int:
    return SEASON_BY_FREQ.get(freq[0], 1) if freq[0].isalpha() else 1


def _ordinals(dates: pd.Series, freq: str) -> np.ndarray:
    if freq[0] in "MQ":
        months = dates.dt.year * 12 + dates.dt.month - 1
        return (months // (3 if freq[0] == "Q" else 1)).to_numpy(np.int64)
    step = step_nanos(freq)
    ns = dates.to_numpy("datetime64[ns]").astype(np.int64)
    return np.rint(ns / step).astype(np.int64)


def step_nanos(freq: str) -> int:
    """Nominal length of one period in nanoseconds."""
    day = 86_400_000_000_000
    if freq[0] == "M":
        return int(30.4375 * day)
    if freq[0] == "Q":
        return int(91.3125 * day)
    if freq[0] == "W":
        return 7 * day
    return int(pd.Timedelta(pd.tseries.frequencies.to_offset(freq)).value)


def impute_censored(y: np.ndarray, censored: np.ndarray, window: int) -> np.ndarray:
    """Censored cells take the mean of the uncensored cells in the ``window``
    periods before them (else the series mean, else 0)."""
    if not censored.any():
        return y.copy()
    n, T = y.shape
    valid = ~np.isnan(y)
    z = np.where(valid, y, 0.0)
    cs = np.hstack([np.zeros((n, 1)), np.cumsum(z, axis=1)])
    cn = np.hstack([np.zeros((n, 1)), np.cumsum(valid, axis=1)])
    t = np.arange(T)
    lo = np.maximum(t - window, 0)
    cnt = cn[:, t] - cn[:, lo]
    with np.errstate(all="ignore"):
        trailing = (cs[:, t] - cs[:, lo]) / cnt
        overall = cs[:, -1:] / cn[:, -1:]
    fill = np.where(cnt > 0, trailing, np.where(np.isfinite(overall), overall, 0.0))
    return np.where(censored, fill, y)


def build_panel(
    df: pd.DataFrame, freq: str | None = None, season_length: int | None = None
) -> Panel:
    if df.empty:
        raise ValueError("empty input frame")
    df = df.copy()
    df["date"] = pd.to_datetime(df["date"])
    freq = freq or infer_freq(df)
    s = int(season_length or default_season(freq))
    codes, ids = pd.factorize(df["series_id"], sort=True)
    pos = _ordinals(df["date"], freq)
    n = len(ids)
    end = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(end, codes, pos)
    first = np.full(n, np.iinfo(np.int64).max)
    qty = pd.to_numeric(df["quantity"], errors="coerce").to_numpy(float)
    sold = qty > 0
    if "censored" in df:
        cens_col = df["censored"].eq(True).to_numpy()
    else:
        cens_col = np.zeros(len(df), dtype=bool)
    # History starts at the first listed row (or the first row of a series that
    # has none): an observed quantity, not censored, priced where prices exist.
    listed = ~np.isnan(qty) & ~cens_col
    if "price" in df and df["price"].notna().any():
        has_price = df["price"].notna().to_numpy()
        priced = np.zeros(n, dtype=bool)
        priced[codes[has_price]] = True
        listed &= has_price | ~priced[codes]
    listed |= sold
    np.minimum.at(first, codes[listed], pos[listed])
    any_pos = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(any_pos, codes, pos)
    first = np.where(first == np.iinfo(np.int64).max, any_pos, first)
    length = end - first + 1
    T = int(length.max())
    col = T - 1 - (end[codes] - pos)
    keep = pos >= first[codes]
    y = np.full((n, T), np.nan)
    start = T - length
    y[np.arange(T)[None, :] >= start[:, None]] = 0.0  # in-span gaps are no demand
    y[codes[keep], col[keep]] = qty[keep]
    censored = np.zeros((n, T), dtype=bool)
    # A missing quantity is unknown demand, handled like a censored day.
    censored[codes[keep], col[keep]] = cens_col[keep] | np.isnan(qty[keep])
    y = np.where(censored, np.nan, np.clip(y, 0.0, None))
    last = df.groupby(codes)["date"].max().to_numpy("datetime64[ns]")
    window = max(4 * s, 28) if s < 28 else s
    panel = Panel(
        ids=np.asarray(ids, dtype=object),
        y=y,
        y_fit=impute_censored(y, censored, window),
        censored=censored,
        start=start.astype(int),
        last_date=last,
        freq=freq,
        step_ns=step_nanos(freq),
        season_length=s,
        end_ord=end,
    )
    for name in EXOG:
        if name in df and df[name].notna().any():
            arr = np.full((n, T), np.nan)
            arr[codes[keep], col[keep]] = df[name].to_numpy(float)[keep]
            if name == "price":
                arr = pd.DataFrame(arr).ffill(axis=1).bfill(axis=1).to_numpy()
            else:
                arr = np.nan_to_num(arr)
            setattr(panel, name, arr)
    return panel


def future_dates(panel: Panel, h: int) -> np.ndarray:
    """(n, h) datetime64 of the forecast periods of every series."""
    last = pd.DatetimeIndex(panel.last_date)
    offset = pd.tseries.frequencies.to_offset(panel.freq)
    cols = [(last + offset * k).to_numpy("datetime64[ns]") for k in range(1, h + 1)]
    return np.column_stack(cols) if cols else np.empty((len(last), 0), "datetime64[ns]")


def future_exog(panel: Panel, future: pd.DataFrame | None, h: int) -> dict:
    """(n, h) price, promo and event for the forecast periods from a frame with
    ``series_id, date`` and those columns; price defaults to the last known
    price, the flags to none."""
    out = {}
    n = len(panel.ids)
    if panel.price is not None:
        out["price"] = np.repeat(panel.price[:, -1:], h, axis=1)
    for name in FLAGS:
        if getattr(panel, name) is not None:
            out[name] = np.zeros((n, h))
    if future is None or future.empty:
        return out
    f = future.copy()
    f["date"] = pd.to_datetime(f["date"])
    row = pd.Index(panel.ids).get_indexer(f["series_id"])
    step = _ordinals(f["date"], panel.freq) - panel.end_ord[np.maximum(row, 0)]
    ok = (row >= 0) & (step >= 1) & (step <= h)
    for name in EXOG:
        if name in f and name in out:
            v = f[name].to_numpy(float)
            good = ok & ~np.isnan(v)
            out[name][row[good], step[good] - 1] = v[good]
    return out
