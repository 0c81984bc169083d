"""The outlier rule: a Hampel filter per series, upward spikes only.

A day is flagged when both hold, over a centred window of WINDOW days (the day
itself left out of the neighbours' maximum):

* robust z = (quantity - window median) / max(1.4826 x MAD, 1) > Z_LIMIT, and
* quantity > SPIKE_RATIO x the largest other day of the window.

The first is the Hampel filter (MAD scaled to a standard deviation; the floor
of one unit keeps slow movers, whose median and MAD are 0, from flagging every
sale). The second keeps ordinary lumpy demand: a day is a spike only if nothing
near it came close. Censored (stock-out) days are never flagged. Plain pandas,
no Django.
"""

import numpy as np
import pandas as pd

WINDOW = 29
Z_LIMIT = 5.0
SPIKE_RATIO = 2.0
RULE = (
    f"Hampel: window {WINDOW} days, robust z > {Z_LIMIT:g} "
    f"and > {SPIKE_RATIO:g}x the window's next-largest day"
)


def _series_flags(q: pd.Series) -> pd.DataFrame:
    half = WINDOW // 2
    roll = q.rolling(WINDOW, center=True, min_periods=half + 1)
    median = roll.median()
    mad = (q - median).abs().rolling(WINDOW, center=True, min_periods=half + 1).median()
    scale = np.maximum(1.4826 * mad, 1.0)
    left = q.shift(1).rolling(half, min_periods=1).max()
    right = q[::-1].shift(1).rolling(half, min_periods=1).max()[::-1]
    others = pd.concat([left, right], axis=1).max(axis=1).fillna(0.0)
    z = (q - median) / scale
    flagged = (z > Z_LIMIT) & (q > SPIKE_RATIO * others) & median.notna()
    return pd.DataFrame({"typical": median, "score": z, "flagged": flagged})


def flag_outliers(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``frame`` (``product_id, warehouse_id, date, quantity, censored``,
    one row per day of each series) the rule flags, with ``typical`` (the
    window median) and ``score`` (the robust z)."""
    if frame.empty:
        return frame.assign(typical=[], score=[])
    frame = frame.sort_values(["product_id", "warehouse_id", "date"])
    q = frame["quantity"].astype(float).where(~frame["censored"].astype(bool))
    parts = [
        _series_flags(q.loc[idx])
        for idx in frame.groupby(["product_id", "warehouse_id"]).groups.values()
    ]
    flags = pd.concat(parts).reindex(frame.index)
    out = frame.join(flags[["typical", "score"]])
    return out[flags["flagged"].fillna(False).astype(bool)]
