"""Generated demand panels for the benches, shaped like data we cannot ship.

    python bench/panels.py spare-parts --out FILE.csv [--series 2674] [--months 51]
        [--seed 1]
    python bench/panels.py smooth --out FILE.csv [--series 500] [--months 84]

``spare-parts`` is monthly demand for slow spare parts, shaped like the public
"carparts" panel (2,674 series, 51 months, about three quarters of the months
zero): every series has a row for every month of the panel; many start late (a
leading run of zeros before the part was listed), some become obsolete (demand
stops, or dies away, in the later months), and demand arrives in a share of months
drawn per series (most series sell in only a handful of months) with sizes from a
gamma-Poisson mixture. ``smooth`` is monthly counts around a level with a yearly
season, a slow trend and negative-binomial noise whose parameters are known,
for checking that bands cover what they claim. Both are long frames
``series_id, date, quantity`` that ``bench/forecast_accuracy.py`` and
``bench/replenishment_sim.py`` read; the same seed gives the same panel.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

START = "1998-01-01"
RARE_SHARE = 0.4
LATE_SHARE = 0.3
OBSOLETE_SHARE = 0.2


def _frame(Y: np.ndarray, prefix: str) -> pd.DataFrame:
    n, T = Y.shape
    dates = pd.date_range(START, periods=T, freq="MS")
    width = len(str(n - 1))
    ids = [f"{prefix}{i:0{width}d}" for i in range(n)]
    return pd.DataFrame(
        {
            "series_id": np.repeat(ids, T),
            "date": np.tile(dates, n),
            "quantity": Y.reshape(-1).astype(int),
        }
    )


def spare_parts_matrix(n_series: int, months: int, rng) -> np.ndarray:
    """(n_series, months) integer demand of slow spare parts."""
    n, T = int(n_series), int(months)
    t = np.arange(T)[None, :]
    # Late starts: some parts are listed after the panel starts.
    start = np.where(rng.random(n) < LATE_SHARE, rng.integers(1, max(T - 3, 2), n), 0)
    # Obsolescence: some stop (or die away) somewhere in the second half.
    obsolete = rng.random(n) < OBSOLETE_SHARE
    stop = np.where(obsolete, rng.integers(T // 2, T, n), T)
    abrupt = rng.random(n) < 0.5
    # Share of months with demand: two parts in five sell in only a few months,
    # the rest more often (a few in most months).
    rare = rng.random(n) < RARE_SHARE
    p = np.where(rare, rng.uniform(0.03, 0.15, n), rng.beta(1.4, 1.5, n))
    decay = np.where(
        t < stop[:, None],
        1.0,
        np.where(abrupt[:, None], 0.0, 0.7 ** (t - stop[:, None] + 1)),
    )
    prob = p[:, None] * decay * (t >= start[:, None])
    # Yearly movement is weak in parts demand; a little, with a random phase.
    phase = rng.uniform(0, 2 * np.pi, n)[:, None]
    prob = np.clip(prob * (1 + 0.15 * np.sin(2 * np.pi * t / 12 + phase)), 0, 1)
    occurs = rng.random((n, T)) < prob
    # Sizes: 1 + gamma-Poisson around a per-series mean (mostly 1-3 units).
    size_mean = rng.lognormal(mean=-0.3, sigma=0.9, size=n)[:, None]
    lam = rng.gamma(shape=2.0, scale=size_mean / 2.0, size=(n, T))
    return np.where(occurs, 1 + rng.poisson(lam), 0)


def spare_parts(n_series: int = 2674, months: int = 51, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return _frame(spare_parts_matrix(n_series, months, rng), "sp")


def smooth_matrix(n_series: int, months: int, rng, dispersion: float = 20.0):
    """(counts, expected) of smooth monthly demand: level x yearly season x
    trend, negative binomial with the given ``dispersion`` (variance = mu +
    mu^2 / dispersion)."""
    n, T = int(n_series), int(months)
    t = np.arange(T)[None, :]
    level = rng.lognormal(mean=3.0, sigma=0.8, size=n)[:, None]
    amp = rng.uniform(0.0, 0.35, n)[:, None]
    phase = rng.uniform(0, 2 * np.pi, n)[:, None]
    trend = rng.normal(0, 0.004, n)[:, None]
    mu = level * (1 + amp * np.sin(2 * np.pi * t / 12 + phase)) * np.exp(trend * t)
    lam = rng.gamma(shape=dispersion, scale=mu / dispersion)
    return rng.poisson(lam), mu


def smooth(n_series: int = 500, months: int = 84, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return _frame(smooth_matrix(n_series, months, rng)[0], "sm")


def describe(df: pd.DataFrame) -> dict:
    """The shape figures the spare-parts panel is meant to match."""
    g = df.groupby("series_id")["quantity"]
    nonzero = g.apply(lambda x: int((x > 0).sum()))
    lead = g.apply(lambda x: int(np.argmax(x.to_numpy() > 0)) if x.gt(0).any() else 0)
    return {
        "series": int(df["series_id"].nunique()),
        "periods": int(df["date"].nunique()),
        "zero_share": round(float(df["quantity"].eq(0).mean()), 3),
        "series_1_to_5_nonzero": round(float(nonzero.between(1, 5).mean()), 3),
        "series_all_zero": round(float(nonzero.eq(0).mean()), 3),
        "series_leading_zeros_6plus": round(float(lead.ge(6).mean()), 3),
        "mean_nonzero_size": round(
            float(df.loc[df.quantity > 0, "quantity"].mean()), 2
        ),
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("kind", choices=["spare-parts", "smooth"])
    p.add_argument("--out", required=True, help="CSV file to write")
    p.add_argument("--series", type=int, default=None)
    p.add_argument("--months", type=int, default=None)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    if args.kind == "spare-parts":
        df = spare_parts(args.series or 2674, args.months or 51, args.seed)
    else:
        df = smooth(args.series or 500, args.months or 84, args.seed)
    df.to_csv(args.out, index=False, date_format="%Y-%m-%d")
    print(describe(df), file=sys.stderr)


if __name__ == "__main__":
    main()
