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

A flag waits for a manager, unless the automatic rule is switched on
(``STOCKWISE_OUTLIERS_AUTO``) and the day is a clear data-entry spike by all
three of: robust z > AUTO_Z_LIMIT, more than AUTO_SPIKE_RATIO x the window's
next-largest day, and one order (one ledger reference) making at least
AUTO_ORDER_SHARE of the day (:func:`automatic`). Such a flag is stored
approved (excluded from training) with the automatic rule as its rule; a
manager can still dismiss it. An imported day has no orders to test and
always waits for a manager.
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
AUTO_Z_LIMIT = 20.0
AUTO_SPIKE_RATIO = 5.0
AUTO_ORDER_SHARE = 0.9
AUTO_RULE = (
    f"Automatic: robust z > {AUTO_Z_LIMIT:g}, > {AUTO_SPIKE_RATIO:g}x the "
    f"window's next-largest day, one order >= {AUTO_ORDER_SHARE:.0%} of the day"
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
    return pd.DataFrame(
        {"typical": median, "score": z, "next": others, "flagged": flagged}
    )


def flag_outliers(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``frame`` (``product_id, warehouse_id, date, quantity, censored``,
    one row per day of each series) the rule flags, with ``typical`` (the
    window median), ``score`` (the robust z) and ``next`` (the window's
    largest other day)."""
    if frame.empty:
        return frame.assign(typical=[], score=[], next=[])
    frame = frame.sort_values(["product_id", "warehouse_id", "date"])
    q = frame["quantity"].astype(float).where(~frame["censored"].astype(bool))
    parts = [
        _series_flags(q.loc[idx])
        for idx in frame.groupby(["product_id", "warehouse_id"]).groups.values()
    ]
    flags = pd.concat(parts).reindex(frame.index)
    out = frame.join(flags[["typical", "score", "next"]])
    return out[flags["flagged"].fillna(False).astype(bool)]


def spike_candidates(flagged: pd.DataFrame) -> pd.Series:
    """Which flags pass the automatic rule's first two tests (the robust z
    and the ratio to the next-largest day); the order share is the third."""
    q = flagged["quantity"].astype(float)
    return (flagged["score"] > AUTO_Z_LIMIT) & (q > AUTO_SPIKE_RATIO * flagged["next"])


def automatic(flagged: pd.DataFrame, largest_order: pd.Series) -> pd.Series:
    """Which flags the automatic rule approves: the first two tests, and the
    day's largest single order (``largest_order``, aligned on ``flagged``;
    NaN or 0 where the day has no orders, as an imported day) at least
    AUTO_ORDER_SHARE of its quantity."""
    q = flagged["quantity"].astype(float)
    share = largest_order.reindex(flagged.index).fillna(0.0) / q.where(q > 0)
    return spike_candidates(flagged) & (share >= AUTO_ORDER_SHARE).fillna(False)
