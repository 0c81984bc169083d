"""bench/forecast_accuracy.py scores exactly as the issue defines the metrics."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

_PATH = Path(__file__).resolve().parents[3] / "bench" / "forecast_accuracy.py"
_spec = importlib.util.spec_from_file_location("forecast_accuracy", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_score_matches_the_definitions():
    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-01-01", periods=30)
    train, test, fc = [], [], []
    r, m = [], []
    for s in range(5):
        y = rng.poisson(2, 30).astype(float)
        if s == 4:
            y[:25] = 3.0  # zero scale: left out of RMSSE and MASE only
        f = rng.uniform(0, 4, 5)
        train.append(
            pd.DataFrame({"series_id": s, "date": dates[:25], "quantity": y[:25]})
        )
        test.append(
            pd.DataFrame({"series_id": s, "date": dates[25:], "quantity": y[25:]})
        )
        fc.append(
            pd.DataFrame(
                {"series_id": s, "date": dates[25:], "mean": f}
                | {"q0.1": f - 1, "q0.9": f + 1}
            )
        )
        d, e = np.diff(y[:25]), f - y[25:]
        if np.mean(d**2) > 0:
            r.append(np.sqrt(np.mean(e**2) / np.mean(d**2)))
            m.append(np.mean(np.abs(e)) / np.mean(np.abs(d)))
    train, test, fc = pd.concat(train), pd.concat(test), pd.concat(fc)
    got = bench.score(train, test, fc)
    a, f = test["quantity"].to_numpy(), fc["mean"].to_numpy()
    want = {
        "RMSSE": np.mean(r),
        "MASE": np.mean(m),
        "WAPE": np.abs(f - a).sum() / np.abs(a).sum(),
        "bias": (f - a).sum() / np.abs(a).sum(),
        "cover80": np.mean((a >= f - 1) & (a <= f + 1)),
    }
    assert len(r) == 4
    for k, v in want.items():
        assert abs(got[k] - v) < 1e-4, k


def test_missing_dates_are_zero_demand_periods(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(
        "series_id,date,quantity,extra\n"
        "a,2024-01-01,1,x\na,2024-01-03,2,y\na,2024-01-04,5,z\n"
        "b,2024-01-02,3,q\nb,2024-01-03,0,w\n"
    )
    df = bench.load(str(path))
    assert df[df.series_id == "a"]["quantity"].tolist() == [1, 0, 2, 5]
    train, test = bench.split(df, 2)
    assert test.groupby("series_id")["date"].min().dt.day.tolist() == [3, 2]
