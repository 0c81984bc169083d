"""Replay demand history period by period: Stockwise's policy against min/max rules.

    python bench/replenishment_sim.py DATA.csv --lead-time L [--season S]
        [--service-level 0.95] [--review K] [--workers 2] [--cache FILE.npz]
        [--lead-time-spread SD [--lead-time-delay D] [--seed 7]]

With ``--lead-time-spread`` each order's actual lead time is random,
round(L + D + SD x z) periods (at least 1), and two lines compare the policy
planning with the stated L (``stockwise_stated``) against the same policy with
the lead time learned from the orders received so far, shrunk toward L
(``stockwise_learned``, forecasting.policy.leadtime), both on the same draws.

DATA.csv is long: series_id,date,quantity (+ optional sell_price -> price, a
non-empty event -> promo, censored; other columns are ignored). Each series is
replayed over its last year (365 days, 52 weeks, 12 months), or over its last third
when that is shorter, so the engine always has two thirds of the history to learn
from. Per period: the orders due arrive, the policy may order (arriving L periods
later), then the period's demand is served from stock; what stock cannot serve is
lost.

Policies (one JSON line each):

* ``minmax``: min = mean demand per period over the last 90 periods x L,
  max = 2 x min, order up to max when position <= min; checked at the same reviews
  as Stockwise (``--minmax-every 1`` checks it every period instead).
* ``minmax_matched``: the same rule with min and max scaled by the smallest factor
  (bisection) whose fill rate reaches Stockwise's.
* ``stockwise``: the product's engine (``forecasting.engine.forecast_panel`` with the
  retrain's season, levels, horizon (28 periods, or L + R if longer) and all
  history before the period) and policy (``forecasting.policy.replenishment_plan``
  over the first L + R periods of the forecast, with review period R, the levels
  the suggestion builder reads and the given fill-rate target). A horizon of only
  L + R is available (``--horizon``), but the engine then draws its quantiles
  from a few errors per backtest origin: on weekly data (L + R = 3) its band was
  5-10 x too narrow, which is not the forecast the product stores.

The engine is refitted every ``--review`` periods (default: 7 for daily data, else
1), which is also the policy's review period R: the weekly review of a daily
series. Forecasts never depend on the simulated stock, so all refits run first, in
``--workers`` processes; ``--cache`` keeps them in a file (outside the repository)
so a re-run of the policies skips the engine.

Every policy starts with its own target stock on hand (max, or the first
order-up-to level) and nothing on order. Metrics pool all series and replayed
periods: fill_rate = units served from stock / units demanded; stockout_share =
share of series x periods with unmet demand; avg_on_hand = mean stock at the end of
a period; orders = orders placed. ``fill_rate_series`` is the mean of per-series
fill rates (series with demand).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()  # only to read the product's constants; no database is touched

from forecasting import policy  # noqa: E402
from forecasting.engine import forecast_panel  # noqa: E402
from forecasting.engine.panel import infer_freq  # noqa: E402
from forecasting.policy.leadtime import learned_lead_time  # noqa: E402
from forecasting.services.runs import (  # noqa: E402
    DEFAULT_HORIZON,
    SEASON_LENGTH,
)
from forecasting.services.runs import LEVELS as RUN_LEVELS  # noqa: E402
from forecasting.services.suggestions import LEVELS as POLICY_LEVELS  # noqa: E402

MINMAX_WINDOW = 90
MAX_LEAD_FACTOR = 4
PERIODS_PER_YEAR = {"D": 365, "W": 52, "M": 12, "Q": 4}


def load(path: str) -> pd.DataFrame:
    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["date"])
    if "sell_price" in df and "price" not in df:
        df["price"] = df["sell_price"]
    if "event" in df and "promo" not in df:
        df["promo"] = df["event"].fillna("").astype(str).str.len().gt(0).astype(float)
    cols = ("series_id", "date", "quantity", "price", "promo", "censored")
    df = df[[c for c in cols if c in df]]
    df["series_id"] = df["series_id"].astype(str)
    return df.sort_values(["series_id", "date"]).reset_index(drop=True)


class Replay:
    """The demand panel (series x periods on one date grid) and each replay window."""

    def __init__(self, df: pd.DataFrame, review: int | None):
        self.freq = infer_freq(df)
        self.ppy = PERIODS_PER_YEAR.get(self.freq[0], 365)
        wide = df.pivot_table(
            index="series_id", columns="date", values="quantity", aggfunc="last"
        )
        grid = pd.date_range(wide.columns.min(), wide.columns.max(), freq=self.freq)
        wide = wide.reindex(columns=grid)
        self.ids = wide.index.to_numpy()
        self.dates = grid
        y = wide.to_numpy(float)
        seen = ~np.isnan(y)
        first = seen.argmax(axis=1)
        last = y.shape[1] - 1 - seen[:, ::-1].argmax(axis=1)
        inside = (np.arange(y.shape[1]) >= first[:, None]) & (
            np.arange(y.shape[1]) <= last[:, None]
        )
        # A missing date inside a series' span is zero demand (the engine's rule).
        self.y = np.where(inside, np.nan_to_num(np.clip(y, 0, None)), np.nan)
        length = last - first + 1
        replay = np.minimum(self.ppy, length // 3)
        self.review = int(review or (7 if self.freq == "D" else 1))
        t0 = int((last - replay + 1).min())
        # A series joins at the first review on or after its own replay start.
        own = last - replay + 1
        self.start = t0 + -(-(own - t0) // self.review) * self.review
        self.stop = last + 1  # exclusive
        self.t0, self.t1 = t0, int(self.stop.max())
        self.reviews = list(range(t0, self.t1, self.review))

    def active(self, t: int) -> np.ndarray:
        return (self.start <= t) & (t < self.stop)


_DF: pd.DataFrame | None = None


def _init(df: pd.DataFrame) -> None:
    global _DF
    _DF = df
    logging.getLogger("forecasting").setLevel(logging.WARNING)


def _fit(args):
    """Engine forecast from the history strictly before ``cutoff`` (one refit)."""
    cutoff, ids, horizon, season, freq, keep = args
    hist = _DF[(_DF["date"] < cutoff) & _DF["series_id"].isin(ids)]
    res = forecast_panel(
        hist, horizon, season_length=season, freq=freq, levels=RUN_LEVELS
    )
    fc = res.forecasts.sort_values(["series_id", "step"])
    pos = {s: i for i, s in enumerate(ids)}
    frame = fc.assign(series=fc["series_id"].map(pos))
    mean, q = policy.forecast_arrays(frame, POLICY_LEVELS, n=len(ids))
    if not len(ids):  # no series replayed at this review: no steps either
        return np.empty((0, keep)), np.empty((0, keep, len(POLICY_LEVELS)))
    return mean[:, :keep], q[:, :keep]


def forecasts(df, rp: Replay, lead: int, season, horizon: int, workers: int, cache):
    """(reviews, n, L + R) mean and (reviews, n, L + R, levels) quantiles of a
    ``horizon``-period forecast; NaN where a series is not replayed."""
    h = lead + rp.review
    horizon = max(int(horizon), h)
    key = f"{len(rp.ids)}-{rp.t0}-{rp.t1}-{rp.review}-{h}-{horizon}-{season}"
    if cache and Path(cache).exists():
        saved = np.load(cache, allow_pickle=False)
        if str(saved["key"]) == key:
            return saved["mean"], saved["q"], 0.0
    n = len(rp.ids)
    tasks = []
    for t in rp.reviews:
        ids = rp.ids[rp.active(t)]
        tasks.append((rp.dates[t], ids, horizon, season, rp.freq, h))
    mean = np.full((len(tasks), n, h), np.nan)
    q = np.full((len(tasks), n, h, len(POLICY_LEVELS)), np.nan)
    clock = time.perf_counter()
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(df,)) as pool:
        for r, (m, qq) in enumerate(pool.map(_fit, tasks)):
            rows = rp.active(rp.reviews[r])
            mean[r, rows], q[r, rows] = m, qq
            print(f"refit {r + 1}/{len(tasks)}", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - clock
    if cache:
        np.savez(cache, key=key, mean=mean, q=q)
    return mean, q, seconds


def simulate(
    rp: Replay, lead: int, decide, initial, every: int = 1, lead_draw=None, log=None
) -> dict:
    """Replay all series at once. ``decide(t, on_hand, on_order, rows)`` returns the
    units to order now for ``rows``; ``initial(rows)`` their opening stock.
    ``lead_draw(n)``, when given, draws each order's actual lead time (periods,
    at least 1) instead of ``lead``; ``log`` then collects (arrival period, lead)
    of every order placed."""
    n = len(rp.ids)
    on_hand = np.zeros(n)
    longest = lead if lead_draw is None else MAX_LEAD_FACTOR * max(lead, 1) + 10
    arriving = np.zeros((n, rp.t1 + longest + 1))
    started = np.zeros(n, bool)
    served = demanded = stock_sum = cells = short_cells = orders = 0.0
    served_i = np.zeros(n)
    demanded_i = np.zeros(n)
    for t in range(rp.t0, rp.t1):
        act = rp.active(t)
        new = act & ~started
        if new.any():
            on_hand[new] = initial(new)
            started |= new
        on_hand[act] += arriving[act, t]
        if (t - rp.t0) % every == 0:
            on_order = arriving[:, t + 1 :].sum(axis=1)
            qty = np.zeros(n)
            qty[act] = np.ceil(np.clip(decide(t, on_hand, on_order, act), 0, None))
            if lead_draw is None:
                arriving[:, t + lead] += qty
            else:
                lags = np.clip(lead_draw(n), 1, longest)
                placed = np.flatnonzero(qty > 0)
                arriving[placed, t + lags[placed]] += qty[placed]
                log.extend((t + int(lags[i]), int(lags[i])) for i in placed)
            orders += float((qty > 0).sum())
            if lead == 0:
                on_hand += qty
                arriving[:, t] = 0
        d = np.where(act, rp.y[:, t], 0.0)
        got = np.minimum(on_hand, d)
        on_hand = on_hand - got
        served += got.sum()
        demanded += d.sum()
        served_i += got
        demanded_i += d
        short_cells += float((act & (d > got)).sum())
        stock_sum += on_hand[act].sum()
        cells += float(act.sum())
    has = demanded_i > 0
    return {
        "fill_rate": round(served / max(demanded, 1e-12), 4),
        "fill_rate_series": round(float((served_i[has] / demanded_i[has]).mean()), 4),
        "stockout_share": round(short_cells / max(cells, 1), 4),
        "avg_on_hand": round(stock_sum / max(cells, 1), 3),
        "orders": int(orders),
    }


def minmax_policy(rp: Replay, lead: int, factor: float = 1.0):
    def levels(t, rows):
        window = rp.y[rows, max(t - MINMAX_WINDOW, 0) : t]
        with np.errstate(all="ignore"):
            rate = np.nan_to_num(np.nanmean(window, axis=1))
        low = factor * rate * lead
        return low, 2.0 * low

    def decide(t, on_hand, on_order, rows):
        low, high = levels(t, rows)
        position = on_hand[rows] + on_order[rows]
        return np.where(position <= low, high - position, 0.0)

    def initial(rows):
        return np.ceil(levels(rp.t0, rows)[1])

    return decide, initial


def stockwise_policy(
    rp: Replay, lead: int, mean, q, service_level: float, lead_source=None
):
    """``lead_source(t)``, when given, returns the (mean, sd) lead time the plan
    uses at period ``t`` (learned from receipts); else the stated ``lead``."""

    def plan(t, on_hand, on_order, rows):
        r = (t - rp.t0) // rp.review
        lead_mean, lead_sd = (lead, 0.0) if lead_source is None else lead_source(t)
        return policy.replenishment_plan(
            mean=np.nan_to_num(mean[r, rows]),
            quantiles=q[r, rows],
            levels=POLICY_LEVELS,
            on_hand=on_hand[rows],
            on_order=on_order[rows],
            lead_time=lead_mean,
            lead_time_sd=lead_sd,
            review_period=rp.review,
            service_level=service_level,
            periods_per_year=rp.ppy,
            explain=False,
        )

    def decide(t, on_hand, on_order, rows):
        return plan(t, on_hand, on_order, rows)["quantity"].to_numpy()

    def initial(rows):
        zero = np.zeros(len(rp.ids))
        return np.ceil(plan(rp.t0, zero, zero, rows)["order_up_to"].to_numpy())

    return decide, initial


def match_factor(rp, lead: int, target: float, every: int, iterations: int = 20):
    """Smallest min/max scale whose fill rate reaches ``target`` (bisection)."""

    def run(f):
        return simulate(rp, lead, *minmax_policy(rp, lead, f), every=every)

    lo, hi = 0.0, 1.0
    best = run(hi)
    while best["fill_rate"] < target and hi < 1024:
        lo, hi = hi, hi * 2.0
        best = run(hi)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        out = run(mid)
        if out["fill_rate"] >= target:
            hi, best = mid, out
        else:
            lo = mid
    return hi, best


def lead_time_runs(rp, lead, mean, q, args) -> list[tuple[str, dict, dict]]:
    """Random actual lead times (``--lead-time-spread``): the policy planning
    with the stated lead time against the same policy with the lead time learned
    from the receipts so far (all series: one supplier x warehouse), shrunk
    toward the stated figure (forecasting.policy.leadtime). Both see the same
    draws (same seed)."""
    spread, delay = args.lead_time_spread, args.lead_time_delay

    def draw_factory():
        rng = np.random.default_rng(args.seed)
        return lambda n: np.round(
            lead + delay + spread * rng.standard_normal(n)
        ).astype(int)

    out = []
    for name in ("stockwise_stated", "stockwise_learned"):
        log: list[tuple[int, int]] = []
        source = None
        if name == "stockwise_learned":

            def source(t, log=log):
                seen = [lag for arrived, lag in log if arrived <= t]
                learned = learned_lead_time([float(lead)], [seen])
                return float(learned.mean[0]), float(learned.sd[0])

        result = simulate(
            rp,
            lead,
            *stockwise_policy(rp, lead, mean, q, args.service_level, source),
            every=rp.review,
            lead_draw=draw_factory(),
            log=log,
        )
        lags = np.array([lag for _, lag in log], dtype=float)
        extra = {
            "lead_time_spread": spread,
            "lead_time_delay": delay,
            "actual_lead_mean": round(float(lags.mean()), 2) if len(lags) else None,
            "actual_lead_sd": round(float(lags.std()), 2) if len(lags) else None,
        }
        if source is not None:
            final_mean, final_sd = source(rp.t1)
            extra.update(
                learned_lead_mean=round(final_mean, 2),
                learned_lead_sd=round(final_sd, 2),
            )
        out.append((name, result, extra))
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--lead-time", type=int, required=True)
    p.add_argument("--season", type=int, default=None)
    p.add_argument("--service-level", type=float, default=0.95)
    p.add_argument("--review", type=int, default=None, help="periods between refits")
    p.add_argument(
        "--minmax-every",
        type=int,
        default=None,
        help="periods between min/max checks (default: the review period)",
    )
    p.add_argument(
        "--horizon",
        type=int,
        default=DEFAULT_HORIZON,
        help="engine horizon (default: the retrain's); the policy reads L + R",
    )
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--cache", default=None, help="npz file for the engine's forecasts")
    p.add_argument(
        "--lead-time-spread",
        type=float,
        default=None,
        help="sd (periods) of the actual lead times: compare stated vs learned",
    )
    p.add_argument(
        "--lead-time-delay",
        type=float,
        default=0.0,
        help="mean periods the actual lead time exceeds the stated one",
    )
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    clock = time.perf_counter()
    df = load(args.data)
    rp = Replay(df, args.review)
    lead = args.lead_time
    season = args.season or (SEASON_LENGTH if rp.freq == "D" else None)
    mean, q, fit_seconds = forecasts(
        df, rp, lead, season, args.horizon, args.workers, args.cache
    )
    if args.lead_time_spread is not None:
        common = {
            "data": Path(args.data).stem,
            "series": len(rp.ids),
            "lead_time": lead,
        }
        for name, out, extra in lead_time_runs(rp, lead, mean, q, args):
            print(json.dumps({**common, "policy": name, **out, **extra}), flush=True)
        return
    common = {
        "data": Path(args.data).stem,
        "series": len(rp.ids),
        "periods": rp.t1 - rp.t0,
        "lead_time": lead,
        "review": rp.review,
        "minmax_every": args.minmax_every or rp.review,
        "refits": len(rp.reviews),
        "horizon": max(args.horizon, lead + rp.review),
    }
    sw = simulate(
        rp,
        lead,
        *stockwise_policy(rp, lead, mean, q, args.service_level),
        every=rp.review,
    )
    every = args.minmax_every or rp.review
    mm = simulate(rp, lead, *minmax_policy(rp, lead), every=every)
    factor, matched = match_factor(rp, lead, sw["fill_rate"], every)
    for name, out, extra in (
        ("minmax", mm, {}),
        ("minmax_matched", matched, {"factor": round(factor, 4)}),
        (
            "stockwise",
            sw,
            {
                "target": args.service_level,
                "on_hand_vs_matched": round(
                    sw["avg_on_hand"] / max(matched["avg_on_hand"], 1e-12), 4
                ),
                "engine_seconds": round(fit_seconds, 1),
                "seconds": round(time.perf_counter() - clock, 1),
            },
        ),
    ):
        print(json.dumps({**common, "policy": name, **out, **extra}), flush=True)


if __name__ == "__main__":
    main()
