"""New-product forecasts: each series treated as new at its first sale.

    python bench/new_product.py PANEL.csv --horizon H [--k 5]
        [--category-from-id REGEX] [--planned-noise 0.5] [--seed 1]

PANEL.csv is long: series_id, date, quantity (+ optional ``category``,
``sell_price``). Every series is forecast for its first H periods after its
first sale from the other series only (those whose first H periods are all
observed), by:

* ``analogy``: forecasting.engine.analogy, the mean launch shape (aligned on
  each analogue's own first sale) of the k nearest by category and launch
  price, times their typical (geometric mean) first-H volume;
* ``category_mean``: what suggestions borrowed before: the mean of the other
  series of the category over the same calendar periods (their current level,
  not their launch), all series when the panel has no category;
* ``zero``: nothing sells;
* ``analogy_planned``: the analogy shape scaled to a planned launch volume,
  here the series' actual first-H total times a log-normal error of sigma
  ``--planned-noise`` (a simulated planner, one seeded draw per series): how
  much a planned volume is worth when the planner is that far off.

A panel without a ``category`` column can name one with
``--category-from-id``: the first group of the regex on the series id
(hospital_monthly.csv: ``'^h\\d+_([A-Z]+)'``, its product-family letters).

One JSON line per method: RMSSE (per series: RMSE over the H periods over the
root mean squared lag-1 difference of the series' own history from its first
sale, which a new series does not have yet and the bench borrows from the
future only to scale; mean over series with a non-zero scale) and WAPE
(pooled: sum |error| / sum actual), ``series`` scored and seconds; the
analogy lines add ``cover80``, the share of actual periods inside the 80%
band the app would show (forecasting.engine.analogy.analogy_quantiles, its
planned-volume form for ``analogy_planned``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecasting.engine.analogy import (  # noqa: E402
    BAND_WIDEN,
    analogy_path,
    analogy_quantiles,
    launch_profiles,
    nearest_analogues,
)

BAND = (0.1, 0.9)  # the 80% band whose coverage the analogy lines report


def load(path: str, category_from_id: str | None) -> pd.DataFrame:
    frame = pd.read_csv(path, parse_dates=["date"])
    if category_from_id:
        frame["category"] = (
            frame["series_id"].astype(str).str.extract(category_from_id, expand=False)
        )
    return frame.sort_values(["series_id", "date"]).reset_index(drop=True)


def features(frame: pd.DataFrame, profiles: pd.DataFrame):
    """Per series: category and launch price, where the panel has them. The
    launch price is the last sell price known on the first sale's day (the
    first one after it when none was listed yet): what a planner knows at
    launch, not the later markdowns of the periods being forecast."""
    out = pd.DataFrame(index=profiles.index)
    if "category" in frame:
        out["category"] = frame.groupby("series_id")["category"].first()
    if "sell_price" in frame:
        first = profiles.attrs["first_sale"]
        priced = frame.dropna(subset=["sell_price"]).merge(
            first.rename("first"), left_on="series_id", right_index=True
        )
        known = priced.loc[priced["date"] <= priced["first"]]
        later = priced.loc[priced["date"] > priced["first"]]
        price = known.groupby("series_id")["sell_price"].last()
        out["price"] = price.combine_first(
            later.groupby("series_id")["sell_price"].first()
        )
    return out


def calendar_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """series x date quantity (NaN before a series' first row)."""
    return frame.pivot(index="series_id", columns="date", values="quantity")


def score(actual: np.ndarray, forecast: np.ndarray, scale: np.ndarray) -> dict:
    with np.errstate(all="ignore"):
        rmse = np.sqrt(np.nanmean((actual - forecast) ** 2, axis=1))
        rmsse = np.where(scale > 0, rmse / np.sqrt(scale), np.nan)
    ok = ~np.isnan(actual)
    wape = np.abs(actual - forecast)[ok].sum() / max(np.abs(actual[ok]).sum(), 1e-9)
    return {
        "rmsse": round(float(np.nanmean(rmsse)), 4),
        "wape": round(float(wape), 4),
        "series": int(np.isfinite(rmsse).sum()),
    }


def run(frame: pd.DataFrame, horizon: int, k: int, noise: float, seed: int):
    profiles = launch_profiles(frame, horizon)
    full = profiles.dropna()  # analogues: the first H periods all observed
    feats = features(frame, profiles)
    calendar = calendar_matrix(frame)
    dates = list(calendar.columns)
    position = {d: i for i, d in enumerate(dates)}
    first = profiles.attrs["first_sale"]
    rng = np.random.default_rng(seed)
    ids = list(full.index)
    actual = full.to_numpy(float)
    scales = _scales(frame, first, ids)
    methods = {m: np.zeros_like(actual) for m in ("analogy", "category_mean", "zero")}
    methods["analogy_planned"] = np.zeros_like(actual)
    seconds = {m: 0.0 for m in methods}
    bands = {
        m: np.zeros((*actual.shape, len(BAND))) for m in ("analogy", "analogy_planned")
    }
    for row, sid in enumerate(ids):
        others = feats.loc[[s for s in ids if s != sid]]
        target = feats.loc[sid].to_dict()
        t0 = time.perf_counter()
        near = nearest_analogues(target, others, k)
        stack = full.loc[near].to_numpy()
        methods["analogy"][row] = analogy_path(stack, planned_periods=horizon)
        bands["analogy"][row] = analogy_quantiles(
            methods["analogy"][row],
            stack,
            BAND,
            widen=BAND_WIDEN,
            planned_periods=horizon,
        )
        seconds["analogy"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        same = others.index
        if "category" in others and target.get("category") is not None:
            same = others.index[others["category"].to_numpy() == target["category"]]
            same = same if len(same) else others.index
        start = position[first[sid]]
        window = calendar.loc[same].iloc[:, start : start + horizon].to_numpy(float)
        level = np.nanmean(window, axis=0) if window.size else np.zeros(0)
        path = np.full(horizon, np.nan)
        path[: len(level)] = level
        methods["category_mean"][row] = pd.Series(path).ffill().fillna(0).to_numpy()
        seconds["category_mean"] += time.perf_counter() - t0
        planned = actual[row].sum() * float(np.exp(rng.normal(0.0, noise)))
        methods["analogy_planned"][row] = analogy_path(
            stack, planned_units=planned, planned_periods=horizon
        )
        bands["analogy_planned"][row] = analogy_quantiles(
            methods["analogy_planned"][row],
            stack,
            BAND,
            widen=BAND_WIDEN,
            planned_periods=horizon,
            volume_known=True,
        )
    for name, forecast in methods.items():
        line = {
            "model": name,
            "horizon": horizon,
            "k": k,
            **score(actual, forecast, scales),
        }
        if name in bands:
            low, high = bands[name][..., 0], bands[name][..., 1]
            inside = (actual >= low) & (actual <= high)
            line["cover80"] = round(float(inside.mean()), 4)
        line["seconds"] = round(seconds[name], 3)
        if name == "analogy_planned":
            line["planned_noise"] = noise
        yield line


def _scales(frame: pd.DataFrame, first: pd.Series, ids: list) -> np.ndarray:
    """Mean squared lag-1 difference of each series from its first sale on."""
    rows = frame.merge(first.rename("first"), left_on="series_id", right_index=True)
    rows = rows.loc[rows["date"] >= rows["first"]]
    diff = rows.groupby("series_id")["quantity"].diff()
    scale = (diff**2).groupby(rows["series_id"]).mean()
    return scale.reindex(ids).to_numpy(float)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("panel")
    parser.add_argument("--horizon", type=int, required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--category-from-id", default=None)
    parser.add_argument("--planned-noise", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    frame = load(args.panel, args.category_from_id)
    for line in run(frame, args.horizon, args.k, args.planned_noise, args.seed):
        line["panel"] = Path(args.panel).name
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
