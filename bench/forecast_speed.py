"""Time a full forecast retrain on generated daily data and report peak memory.

    python bench/forecast_speed.py --series 10000 --days 730 [--workers 2]
        [--chunk 2500]

Each worker generates its chunk (a mix of smooth, intermittent and lumpy series
with weekly seasonality), then runs what the nightly retrain runs on it: the
engine's ``forecast_panel`` (demand classes, rolling-origin backtest and selection,
final fit and forecast). Chunks are spread over ``--workers`` processes as Celery
workers would take them. Prints one JSON line: seconds, series/second, peak
resident memory of the parent and of the largest worker (ru_maxrss), counts.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecasting.engine import forecast_panel  # noqa: E402


def generate(n_series: int, days: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    weekly = 1.0 + 0.35 * np.sin(
        2 * np.pi * (t % 7) / 7 + rng.uniform(0, 6, (n_series, 1))
    )
    kind = rng.choice(3, size=n_series, p=[0.25, 0.35, 0.4])  # smooth, interm., lumpy
    level = np.where(
        kind == 0, rng.gamma(2.0, 10.0, n_series), rng.gamma(1.5, 0.4, n_series)
    )
    trend = 1.0 + rng.normal(0, 0.3, (n_series, 1)) * t / days
    rate = np.clip(level[:, None] * weekly * trend, 0.0, None)
    smooth = rng.poisson(rate)
    occur = rng.random((n_series, days)) < np.clip(rate, 0, 0.9)
    sizes = np.where(
        (kind == 2)[:, None],
        rng.negative_binomial(1, 0.15, (n_series, days)) + 1,
        rng.poisson(1.0, (n_series, days)) + 1,
    )
    qty = np.where((kind == 0)[:, None], smooth, occur * sizes)
    start = rng.integers(0, days // 3, n_series) * (rng.random(n_series) < 0.2)
    dates = pd.date_range("2023-01-01", periods=days, freq="D")
    ids = np.array([f"s{i:05d}" for i in range(n_series)])
    keep = t[None, :] >= start[:, None]
    sid = np.repeat(ids, days)[keep.ravel()]
    return pd.DataFrame(
        {
            "series_id": sid,
            "date": np.tile(dates, n_series)[keep.ravel()],
            "quantity": qty.ravel()[keep.ravel()].astype(float),
            "price": np.repeat(rng.uniform(1, 20, n_series), days)[keep.ravel()],
            "promo": (rng.random(keep.sum()) < 0.03).astype(float),
        }
    )


def _one_thread() -> None:
    # A worker process per core: BLAS/OpenMP threads inside it only contend.
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def run_chunk(args):
    """Generate one chunk (so the parent holds no data) and retrain it."""
    index, size, days, horizon = args
    df = generate(size, days, seed=index)
    df["series_id"] = f"c{index}-" + df["series_id"]
    t = time.perf_counter()
    res = forecast_panel(df, horizon, season_length=7)
    return res.selection, res.n_fallbacks, res.n_failures, time.perf_counter() - t


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--series", type=int, default=10_000)
    p.add_argument("--days", type=int, default=730)
    p.add_argument("--horizon", type=int, default=28)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--chunk", type=int, default=2500)
    args = p.parse_args(argv)
    sizes = [args.chunk] * (args.series // args.chunk)
    if args.series % args.chunk:
        sizes.append(args.series % args.chunk)
    jobs = [(i, size, args.days, args.horizon) for i, size in enumerate(sizes)]
    t = time.perf_counter()
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers, initializer=_one_thread) as pool:
            results = list(pool.map(run_chunk, jobs))
    else:
        results = [run_chunk(j) for j in jobs]
    seconds = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime + own.ru_utime + own.ru_stime
    selection = pd.concat([r[0] for r in results])
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    line = {
        "series": args.series,
        "days": args.days,
        "horizon": args.horizon,
        "workers": args.workers,
        "chunk": args.chunk,
        "seconds": round(seconds, 1),
        "engine_seconds_per_chunk": [round(r[3], 1) for r in results],
        "cpu_seconds": round(cpu, 1),
        "series_per_second": round(args.series / seconds, 1),
        "peak_rss_mb_parent": round(self_rss),
        "peak_rss_mb_worker": round(child_rss),
        "fallbacks": int(sum(r[1] for r in results)),
        "failures": int(sum(r[2] for r in results)),
        "classes": selection["demand_class"].value_counts().to_dict(),
        "models": selection["model"].str.split(":").str[0].value_counts().to_dict(),
    }
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
