"""Holdout accuracy of every candidate model and of the engine's own choice ("auto").

    python bench/forecast_accuracy.py DATA.csv --horizon H [--season S] [--origins N]
        [--cuts K] [--references | --no-references] [--models a,b]
        [--calendar | --no-calendar]

DATA.csv is long: series_id,date,quantity (+ optional sell_price -> price, a
non-empty event -> event, censored; M5's ``snap`` days, tried as promo, did not
help on the earlier cuts: docs/decisions/event-calendar.md). ``--no-calendar``
leaves those covariates out (demand alone); on a file without them the flag
changes nothing.
Every line also gives ``RMSSE_event``: RMSSE over the held-out days with a named
event only (null when the holdout has none; the cuts line gives it per cut).
The last H periods of each series are held out;
the engine sees only the rest (prices/events of the held-out dates are known in
advance, so they are passed as future covariates, never the demand). Prints one JSON
line per model with RMSSE, MASE (means over series with non-zero scale), WAPE, bias,
cover80 / cover95 (share of actuals inside the 80 % / 95 % band: q0.1..q0.9 /
q0.025..q0.975, or [0, q0.8] / [0, q0.95] where the lower quantile is 0, see
``forecasting.engine.bands.band_edges``; ``cover80_central`` / ``cover95_central``
always use the central pair),
pinball (the pinball loss of every stored quantile level, averaged over levels and
periods, divided by the series' mean absolute lag-1 difference, then averaged over
series: a scaled quantile loss, 1 = as bad as a naive point forecast's MAE) and
seconds, and ``below`` (per stored level, the share of actuals at or below that
quantile: on intermittent demand, where the low quantiles are 0, this is the
calibration check; cover80_central there is the share at or below q0.9). The engine is
asked for the levels a forecast run stores; ``--models auto`` runs auto alone.

``--references`` (on by default when statsforecast is importable) adds statsforecast
on the same split (``bench/references.py``: IMAPA, TSB, CrostonSBA, a zero forecast,
AutoETS with the season, naive, seasonal naive), one line each, ``sf_<name>``.

``--cuts K`` also scores K earlier origins inside the training data: cut k drops the
last k x H periods of every series and holds out the H before them (series left with
fewer than H training periods sit that cut out). After a model's holdout line comes
one line with ``"protocol": "cuts"``: its RMSSE (and cover80 / cover95 / pinball,
the references' too) per cut and their mean, and per named
reference the paired difference (model - reference) of per-series RMSSE, each
series' differences averaged over the cuts it has, with the standard error of that
mean over series; ``best_ref`` names the reference with the lowest mean over cuts.
The final holdout never enters those figures, so a change chosen on them is not
chosen on the holdout.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import references as refs  # noqa: E402

from forecasting.engine import available_models, forecast_panel  # noqa: E402
from forecasting.engine.bands import band_edges, band_levels  # noqa: E402
from forecasting.engine.base import quantile_column  # noqa: E402
from forecasting.engine.panel import infer_freq  # noqa: E402

# The quantile levels a forecast run stores (forecasting.services.runs.LEVELS).
STORED_LEVELS = (0.025, 0.1, 0.5, 0.8, 0.9, 0.95, 0.975, 0.99)


COVARIATES = ("price", "promo", "event")


def load(path: str, calendar: bool = True) -> pd.DataFrame:
    """The long frame; ``event_day`` (1 on a named event, never given to the engine)
    marks the days ``RMSSE_event`` scores. Without ``calendar`` no covariate."""
    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["date"])
    named = None
    if "event" in df:
        named = df["event"].fillna("").astype(str).str.strip().str.len().gt(0)
        df["event_day"] = named.astype(float)
    if "sell_price" in df and "price" not in df:
        df["price"] = df["sell_price"]
    if named is not None:
        df["event"] = named.astype(float)
    if not calendar:
        df = df.drop(columns=[c for c in COVARIATES if c in df])
    cols = ("series_id", "date", "quantity", *COVARIATES, "censored", "event_day")
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
    for name in ("promo", "event", "censored", "event_day"):
        if name in out:
            out[name] = out[name].fillna(0).astype(df[name].dtype)
    return out


def split(df: pd.DataFrame, h: int):
    """The last ``h`` periods of each series are the test part (``df`` is on the
    complete grid, one row per period)."""
    rank = df.groupby("series_id").cumcount(ascending=False)
    test = df[rank < h]
    return df[rank >= h], test


def _pinball(y: np.ndarray, q: np.ndarray, tau: float) -> np.ndarray:
    u = y - q
    return np.maximum(tau * u, (tau - 1) * u)


def score_series(train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame):
    """(summary dict, per-series RMSSE) of forecasts ``fc`` against ``test``."""
    # An unknown actual (missing quantity, or a censored stock-out day) is not
    # demand: it is not scored. Forecasts missing for a period count as 0.
    if "censored" in test:
        test = test[~test["censored"].eq(True)]
    test = test[test["quantity"].notna()]
    qcols = [c for c in fc.columns if c.startswith("q")]
    m = test.merge(fc, on=["series_id", "date"], how="left")
    m[["mean", *qcols]] = m[["mean", *qcols]].fillna(0.0)
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
    rmsse = np.sqrt(mse[ok2] / s2.reindex(mse.index)[ok2])
    mase = (mae[ok1] / s1.reindex(mae.index)[ok1]).mean()
    act = m["quantity"].abs().sum()
    out = {
        "RMSSE": round(float(rmsse.mean()), 4),
        "MASE": round(float(mase), 4),
        "WAPE": round(float(m["e"].abs().sum() / act), 4),
        "bias": round(float(m["e"].sum() / act), 4),
    }
    y = m["quantity"].to_numpy(float)
    for c in (0.8, 0.95):
        name = f"cover{round(100 * c)}"
        cols = [quantile_column(x) for x in band_levels(c)]
        if cols[0] in m and cols[1] in m:
            edges = [m[col].to_numpy(float) if col in m else np.nan for col in cols]
            lo, hi = band_edges(*edges)
            out[name] = round(float(((y >= lo - 1e-9) & (y <= hi + 1e-9)).mean()), 4)
            # the central q(1-c)/2..q(1+c)/2 interval, for comparison
            lo, hi = m[cols[0]].to_numpy(float), m[cols[1]].to_numpy(float)
            inside = (y >= lo - 1e-9) & (y <= hi + 1e-9)
            out[f"{name}_central"] = round(float(inside.mean()), 4)
    taus = [float(c[1:]) for c in qcols]
    # One-sided calibration per level: share of actuals at or below q<level>.
    # On intermittent demand the lower levels sit at the point mass 0, so the
    # two-sided cover80 there is P(y <= q0.9), not 0.8, even when every level
    # is calibrated; these say whether each quantile is.
    out["below"] = {
        f"{t:g}": round(float((y <= m[c].to_numpy(float) + 1e-9).mean()), 4)
        for c, t in zip(qcols, taus, strict=True)
    }
    if taus:
        loss = np.mean(
            [
                _pinball(y, m[c].to_numpy(float), t)
                for c, t in zip(qcols, taus, strict=True)
            ],
            axis=0,
        )
        pl = pd.Series(loss, index=m.index).groupby(m["series_id"]).mean()
        pl = pl[ok1.reindex(pl.index, fill_value=False)] / s1.reindex(pl.index)
        out["pinball"] = round(float(pl.mean()), 4)
    return out, rmsse


def event_rmsse(train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame):
    """RMSSE over the held-out named-event days only (None when there are none)."""
    if "event_day" not in test:
        return None
    days = test[test["event_day"].eq(1) & test["quantity"].notna()]
    if "censored" in days:
        days = days[~days["censored"].eq(True)]
    if days.empty:
        return None
    m = days.merge(fc[["series_id", "date", "mean"]], on=["series_id", "date"])
    mse = ((m["mean"] - m["quantity"]) ** 2).groupby(m["series_id"]).mean()
    d = train.assign(d=train.groupby("series_id")["quantity"].diff())
    s2 = d.groupby("series_id")["d"].apply(lambda x: np.mean(x.dropna() ** 2))
    s2 = s2.reindex(mse.index)
    ok = s2 > 0
    if not ok.any():
        return None
    return round(float(np.sqrt(mse[ok] / s2[ok]).mean()), 4)


def score(train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame) -> dict:
    return score_series(train, test, fc)[0]


def cut(df: pd.DataFrame, k: int, h: int) -> pd.DataFrame:
    """``df`` without the last ``k * h`` periods of each series; a series left with
    fewer than ``2 * h`` periods (under ``h`` to train on) is dropped."""
    if k == 0:
        return df
    rank = df.groupby("series_id").cumcount(ascending=False)
    out = df[rank >= k * h]
    size = out.groupby("series_id")["date"].transform("size")
    return out[size >= 2 * h]


def paired(model: dict, ref: dict) -> dict:
    """Mean over series of (model - reference) per-series RMSSE, each series'
    differences averaged over the cuts both scored, and its standard error."""
    diffs = []
    for k, r in model.items():
        if k in ref:
            d = (r - ref[k]).dropna()
            diffs.append(d.rename(k))
    if not diffs:
        return {"diff": None, "se": None, "n": 0}
    per = pd.concat(diffs, axis=1).mean(axis=1)
    base = pd.concat([ref[k].rename(k) for k in model if k in ref], axis=1)
    base = base.reindex(per.index).mean(axis=1).mean()
    n = len(per)
    se = float(per.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return {
        "diff": round(float(per.mean()), 4),
        "se": round(se, 4),
        "pct": round(float(100 * per.mean() / base), 2) if base else None,
        "n": n,
    }


def cuts_line(name, model, per_cut, ref_scores, cover=None, events=None) -> dict:
    means = {k: float(r.mean()) for k, r in per_cut.items()}
    line = {
        "data": name,
        "model": model,
        "protocol": "cuts",
        "cuts": sorted(means),
        "RMSSE_per_cut": [round(means[k], 4) for k in sorted(means)],
        "RMSSE_mean": round(float(np.mean(list(means.values()))), 4) if means else None,
    }
    if events:
        got = [events.get(k) for k in sorted(means)]
        line["RMSSE_event_per_cut"] = got
        scored = [v for v in got if v is not None]
        line["RMSSE_event_mean"] = round(float(np.mean(scored)), 4) if scored else None
    for key in ("cover80", "cover95", "pinball"):
        got = [cover[k][key] for k in sorted(means) if key in (cover or {}).get(k, {})]
        if got:
            line[f"{key}_per_cut"] = got
            line[f"{key}_mean"] = round(float(np.mean(got)), 4)
            if len(got) > 1:  # how far one period's coverage strays from the mean
                line[f"{key}_sd"] = round(float(np.std(got, ddof=1)), 4)
    if ref_scores and not model.startswith("sf_"):
        ref_means = {
            r: float(np.mean([s.mean() for s in sc.values()]))
            for r, sc in ref_scores.items()
            if sc
        }
        line["vs"] = {r: paired(per_cut, sc) for r, sc in ref_scores.items() if sc}
        if ref_means:
            best = min(ref_means, key=ref_means.get)
            line["best_ref"] = best
            line["best_ref_RMSSE_mean"] = round(ref_means[best], 4)
    return line


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--horizon", type=int, required=True)
    p.add_argument("--season", type=int, default=None)
    p.add_argument("--origins", type=int, default=4)
    p.add_argument("--models", default=None, help="comma-separated subset of models")
    p.add_argument("--cuts", type=int, default=0, help="earlier origins to score")
    p.add_argument(
        "--references",
        action=argparse.BooleanOptionalAction,
        default=refs.available(),
        help="statsforecast references on the same split",
    )
    p.add_argument(
        "--calendar",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="give the engine the file's prices and events",
    )
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    h = args.horizon
    df = load(args.data, calendar=args.calendar)
    freq = infer_freq(df)
    season = args.season
    name = Path(args.data).stem
    splits = {}
    for k in range(args.cuts + 1):
        part = cut(df, k, h)
        if part.empty:
            print(f"cut {k}: no series has {2 * h} periods; skipped", file=sys.stderr)
            continue
        splits[k] = split(part, h)
    earlier = [k for k in splits if k > 0]
    ref_scores: dict[str, dict[int, pd.Series]] = {}
    ref_cover: dict[str, dict[int, dict]] = {}
    if args.references:
        ref_lines = {}
        for k, (train, test) in splits.items():
            t = time.perf_counter()
            fcs = refs.reference_forecasts(
                train, h, season=season or 1, freq=freq, levels=STORED_LEVELS
            )
            secs = (time.perf_counter() - t) / max(len(fcs), 1)
            for ref, fc in fcs.items():
                res, per = score_series(train, test, fc)
                if k == 0:
                    ref_lines[ref] = {"data": name, "model": ref, **res}
                    ref_lines[ref]["seconds"] = round(secs, 2)
                    # series too short for statsforecast's ETS; missing values
                    # the references saw filled (bench/references.py)
                    for key in ("ses_series", "filled_cells"):
                        if fc.attrs.get(key):
                            ref_lines[ref][key] = fc.attrs[key]
                else:
                    ref_scores.setdefault(ref, {})[k] = per
                    ref_cover.setdefault(ref, {})[k] = {
                        c: res[c] for c in ("cover80", "cover95", "pinball") if c in res
                    }
        for line in ref_lines.values():
            print(json.dumps(line), flush=True)
        if earlier:
            for ref in refs.REFERENCES:
                line = cuts_line(
                    name, ref, ref_scores.get(ref, {}), None, ref_cover.get(ref)
                )
                print(json.dumps(line), flush=True)
    models = args.models.split(",") if args.models else available_models()
    models = [m for m in models if m and m != "auto"]  # "--models auto": auto only
    for model in [*models, "auto"]:
        per_cut, cover, events = {}, {}, {}
        for k, (train, test) in splits.items():
            t = time.perf_counter()
            res = forecast_panel(
                train,
                h,
                season_length=season,
                n_origins=args.origins,
                levels=STORED_LEVELS,
                models=None if model == "auto" else [model],
                future=test.drop(columns=["quantity"]),
            )
            summary, per = score_series(train, test, res.forecasts)
            summary["RMSSE_event"] = event_rmsse(train, test, res.forecasts)
            if k > 0:
                per_cut[k] = per
                events[k] = summary["RMSSE_event"]
                cover[k] = {
                    c: summary[c]
                    for c in ("cover80", "cover95", "pinball")
                    if c in summary
                }
                continue
            line = {"data": name, "model": model, "calendar": args.calendar}
            line.update(summary)
            line["seconds"] = round(time.perf_counter() - t, 2)
            line["fallbacks"] = res.n_fallbacks
            line["failures"] = res.n_failures
            if model == "auto":
                line["chosen"] = res.selection["model"].value_counts().to_dict()
            print(json.dumps(line), flush=True)
        if earlier:
            line = cuts_line(name, model, per_cut, ref_scores, cover, events)
            line["calendar"] = args.calendar
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
