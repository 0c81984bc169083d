"""Holdout accuracy of every candidate model and of the engine's own choice ("auto").

    python bench/forecast_accuracy.py DATA.csv --horizon H [--season S] [--origins N]

DATA.csv is long: series_id,date,quantity (+ optional sell_price -> price, a
non-empty event -> promo, censored). The last H periods of each series are held out;
the engine sees only the rest (prices/events of the held-out dates are known in
advance, so they are passed as future covariates, never the demand). Prints one JSON
line per model with RMSSE, MASE (means over series with non-zero scale), WAPE, bias,
cover80 (share of actuals inside the q0.1..q0.9 band) and seconds.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecasting.engine import available_models, forecast_panel  # noqa: E402
from forecasting.engine.panel import infer_freq  # noqa: E402


def load(path: str) -> pd.DataFrame:
    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["date"])
    if "sell_price" in df and "price" not in df:
        df["price"] = df["sell_price"]
    if "event" in df and "promo" not in df:
        df["promo"] = df["event"].fillna("").astype(str).str.len().gt(0).astype(float)
    cols = [c for c in ("series_id", "date", "quantity", "price", "promo", "censored")]
    df = df[[c for c in cols if c in df]].sort_values(["series_id", "date"])
    df = df.drop_duplicates(["series_id", "date"], keep="last")
    return complete_grid(df)


def complete_grid(df: pd.DataFrame) -> pd.DataFrame:
    """Every series on every period of its span: a date missing inside a series is
    zero demand (the engine's rule), so "the last H periods" and "lag-1 differences"
    mean periods, not rows."""
    freq = infer_freq(df)
    span = df.groupby("series_id")["date"].agg(["min", "max"])
    grid = [
        pd.DataFrame({"series_id": sid, "date": pd.date_range(a, b, freq=freq)})
        for sid, (a, b) in span.iterrows()
    ]
    full = pd.concat(grid, ignore_index=True)
    if len(full) == len(df):
        return df.reset_index(drop=True)
    out = full.merge(df, on=["series_id", "date"], how="left")
    out["quantity"] = out["quantity"].fillna(0.0)
    if "price" in out:
        out["price"] = out.groupby("series_id")["price"].ffill()
    for name in ("promo", "censored"):
        if name in out:
            out[name] = out[name].fillna(0).astype(df[name].dtype)
    return out


def split(df: pd.DataFrame, h: int):
    """The last ``h`` periods of each series are the test part (``df`` is on the
    complete grid, one row per period)."""
    rank = df.groupby("series_id").cumcount(ascending=False)
    test = df[rank < h]
    return df[rank >= h], test


def score(train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame) -> dict:
    # An unknown actual (missing quantity, or a censored stock-out day) is not
    # demand: it is not scored. Forecasts missing for a period count as 0.
    if "censored" in test:
        test = test[~test["censored"].eq(True)]
    test = test[test["quantity"].notna()]
    m = test.merge(fc, on=["series_id", "date"], how="left")
    m[["mean", "q0.1", "q0.9"]] = m[["mean", "q0.1", "q0.9"]].fillna(0.0)
    m["e"] = m["mean"] - m["quantity"]
    g = train.groupby("series_id")["quantity"]
    d = train.assign(d=g.diff())
    s2 = d.groupby("series_id")["d"].apply(lambda x: np.mean(x.dropna() ** 2))
    s1 = d.groupby("series_id")["d"].apply(lambda x: np.mean(np.abs(x.dropna())))
    per = m.groupby("series_id")["e"]
    mse = per.apply(lambda x: np.mean(x**2))
    mae = per.apply(lambda x: np.mean(np.abs(x)))
    ok2 = s2.reindex(mse.index) > 0
    ok1 = s1.reindex(mae.index) > 0
    rmsse = np.sqrt(mse[ok2] / s2.reindex(mse.index)[ok2]).mean()
    mase = (mae[ok1] / s1.reindex(mae.index)[ok1]).mean()
    act = m["quantity"].abs().sum()
    inside = (m["quantity"] >= m["q0.1"] - 1e-9) & (m["quantity"] <= m["q0.9"] + 1e-9)
    return {
        "RMSSE": round(float(rmsse), 4),
        "MASE": round(float(mase), 4),
        "WAPE": round(float(m["e"].abs().sum() / act), 4),
        "bias": round(float(m["e"].sum() / act), 4),
        "cover80": round(float(inside.mean()), 4),
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--horizon", type=int, required=True)
    p.add_argument("--season", type=int, default=None)
    p.add_argument("--origins", type=int, default=4)
    p.add_argument("--models", default=None, help="comma-separated subset of models")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    df = load(args.data)
    train, test = split(df, args.horizon)
    future = test.drop(columns=["quantity"])
    name = Path(args.data).stem
    models = args.models.split(",") if args.models else available_models()
    for model in [*models, "auto"]:
        t = time.perf_counter()
        res = forecast_panel(
            train,
            args.horizon,
            season_length=args.season,
            n_origins=args.origins,
            models=None if model == "auto" else [model],
            future=future,
        )
        line = {"data": name, "model": model, **score(train, test, res.forecasts)}
        line["seconds"] = round(time.perf_counter() - t, 2)
        line["fallbacks"] = res.n_fallbacks
        line["failures"] = res.n_failures
        if model == "auto":
            line["chosen"] = res.selection["model"].value_counts().to_dict()
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
