"""bench/forecast_accuracy.py scores exactly as the issue defines the metrics."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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
                | {"q0.1": np.clip(f - 1, 0, None), "q0.8": f + 0.5, "q0.9": f + 1}
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
        # where q0.1 is 0 the 80 % band is [0, q0.8], else [q0.1, q0.9]
        "cover80": np.mean(
            np.where(f - 1 <= 0, a <= f + 0.5, (a >= f - 1) & (a <= f + 1))
        ),
        "cover80_central": np.mean((a >= f - 1) & (a <= f + 1)),
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


def _frame(sid, dates, values, col="quantity"):
    return pd.DataFrame({"series_id": sid, "date": dates, col: values})


def test_cover95_and_pinball_follow_their_definitions():
    dates = pd.date_range("2024-01-01", periods=8)
    y = np.array([0.0, 2, 4, 2, 0, 2, 5, 1])
    train, test = _frame("a", dates[:6], y[:6]), _frame("a", dates[6:], y[6:])
    fc = _frame("a", dates[6:], [2.0, 2.0], "mean").assign(
        **{"q0.025": [0.0, 1.5], "q0.5": [2.0, 2.0], "q0.975": [4.0, 3.0]}
    )
    got = bench.score(train, test, fc)
    assert got["cover95"] == 0.0  # 5 above 4, 1 below 1.5
    loss = {0.025: [0.025 * 5, 0.975 * 0.5], 0.5: [1.5, 0.5], 0.975: [0.975, 0.025 * 2]}
    s1 = np.mean(np.abs(np.diff(y[:6])))
    want = np.mean([np.mean(v) for v in loss.values()]) / s1
    assert abs(got["pinball"] - want) < 1e-4
    assert "cover80" not in got  # no q0.1/q0.9 band, no figure
    assert got["below"] == {"0.025": 0.5, "0.5": 0.5, "0.975": 0.5}


def test_cuts_move_the_split_back_and_drop_series_too_short_to_train():
    dates = pd.date_range("2024-01-01", periods=30)
    df = pd.concat(
        [_frame("long", dates, np.arange(30.0)), _frame("new", dates[-9:], 1.0)]
    )
    train, test = bench.split(bench.cut(df, 2, 4), 4)
    assert test.groupby("series_id")["quantity"].apply(list).to_dict() == {
        "long": [18.0, 19.0, 20.0, 21.0]
    }
    assert train["date"].max() == dates[17]
    assert bench.cut(df, 0, 4) is df


def test_paired_error_pairs_series_across_cuts():
    ids = [f"s{i}" for i in range(4)]
    model = {
        1: pd.Series([1.0, 2.0, 3.0, 4.0], index=ids),
        2: pd.Series([1.0, 2.0, 3.0, np.nan], index=ids),
    }
    ref = {
        1: pd.Series([2.0, 2.0, 2.0, 2.0], index=ids),
        2: pd.Series([2.0, 3.0, 2.0, 2.0], index=ids),
    }
    got = bench.paired(model, ref)
    per = np.array([-1.0, -0.5, 1.0, 2.0])  # each series' mean difference
    assert got["n"] == 4
    assert abs(got["diff"] - per.mean()) < 1e-4
    assert abs(got["se"] - per.std(ddof=1) / 2) < 1e-4


def test_cuts_line_reports_coverage_per_cut():
    ids = ["a", "b"]
    per_cut = {1: pd.Series([1.0, 2.0], index=ids), 2: pd.Series([2.0, 2.0], index=ids)}
    cover = {1: {"cover80": 0.7, "cover95": 0.9}, 2: {"cover80": 0.9, "cover95": 1.0}}
    line = bench.cuts_line("p", "auto", per_cut, None, cover)
    assert line["RMSSE_per_cut"] == [1.5, 2.0]
    assert line["cover80_per_cut"] == [0.7, 0.9]
    assert line["cover80_mean"] == 0.8 and line["cover95_mean"] == 0.95
    # one period's coverage strays this far from the mean: 0.1 * sqrt(2)
    assert line["cover80_sd"] == 0.1414 and line["cover95_sd"] == 0.0707


def test_a_references_cuts_line_reports_its_coverage_too(capsys, tmp_path):
    pytest.importorskip("statsforecast")
    dates = pd.date_range("2020-01-01", periods=48, freq="MS")
    rng = np.random.default_rng(5)
    df = pd.concat([_frame(s, dates, rng.poisson(8, 48).astype(float)) for s in "abcd"])
    path = tmp_path / "panel.csv"
    df.to_csv(path, index=False)
    args = ["--horizon", "6", "--season", "12", "--cuts", "2", "--models", "auto"]
    bench.main([str(path), *args])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    ets = next(x for x in lines if x["model"] == "sf_autoets" and "protocol" in x)
    assert len(ets["cover80_per_cut"]) == len(ets["cover95_per_cut"]) == 2
    assert all(0.0 <= c <= 1.0 for c in ets["cover80_per_cut"])


def test_bench_asks_for_the_levels_a_run_stores():
    from forecasting.services.runs import LEVELS

    assert bench.STORED_LEVELS == LEVELS


def test_references_score_statsforecast_on_the_same_split():
    pytest.importorskip("statsforecast")
    import references

    dates = pd.date_range("2020-01-01", periods=40, freq="MS")
    rng = np.random.default_rng(3)
    df = pd.concat([_frame(s, dates, rng.poisson(5, 40).astype(float)) for s in "abc"])
    train, test = bench.split(df, 6)
    fcs = references.reference_forecasts(
        train, 6, season=12, freq="MS", levels=bench.STORED_LEVELS
    )
    assert set(fcs) == set(references.REFERENCES)
    naive = fcs["sf_naive"].set_index("series_id")
    last = train.groupby("series_id")["quantity"].last()
    assert np.allclose(naive.groupby(level=0)["mean"].first(), last)
    assert (fcs["sf_zero"]["mean"] == 0).all()
    q = fcs["sf_autoets"][[f"q{x:g}" for x in bench.STORED_LEVELS]].to_numpy()
    assert (np.diff(q, axis=1) >= -1e-9).all()
    assert bench.score(train, test, fcs["sf_autoets"])["cover95"] > 0.5


def test_references_without_intervals_are_still_their_own_model():
    # Too short for conformal intervals: IMAPA must still be IMAPA, not a
    # fallback forecast under its name (its band is then its point forecast).
    pytest.importorskip("statsforecast")
    import references

    dates = pd.date_range("2020-01-01", periods=20, freq="MS")
    y = np.tile([0.0, 0.0, 3.0, 0.0, 1.0], 4)
    train = _frame("a", dates, y)
    fcs = references.reference_forecasts(
        train, 12, season=12, freq="MS", levels=bench.STORED_LEVELS
    )
    imapa = fcs["sf_imapa"]
    assert imapa["mean"].iloc[0] != fcs["sf_naive"]["mean"].iloc[0] == 1.0
    assert 0.3 < imapa["mean"].iloc[0] < 1.5
    assert (imapa["q0.9"] == imapa["mean"]).all()


def test_references_run_on_a_panel_with_series_of_a_few_months():
    """A panel of parts listed at their first sale holds series of 3 or 5 months:
    statsforecast's ETS raises on them ("tiny datasets"), and the long series
    must keep the conformal bands a single short one used to take from all."""
    pytest.importorskip("statsforecast")
    import references

    rng = np.random.default_rng(11)
    long_dates = pd.date_range("2020-01-01", periods=48, freq="MS")
    df = pd.concat(
        [
            *(_frame(s, long_dates, rng.poisson(4, 48).astype(float)) for s in "abc"),
            _frame("young3", long_dates[-3:], [2.0, 0.0, 1.0]),
            _frame("young5", long_dates[-5:], [1.0, 0.0, 0.0, 3.0, 1.0]),
        ]
    )
    fcs = references.reference_forecasts(
        df, 6, season=12, freq="MS", levels=bench.STORED_LEVELS
    )
    ets = fcs["sf_autoets"]
    assert ets.attrs["ses_series"] == 2
    assert ets.groupby("series_id").size().to_dict() == dict.fromkeys(
        ["a", "b", "c", "young3", "young5"], 6
    )
    young = ets[ets.series_id.str.startswith("young")]
    # Simple exponential smoothing: a flat forecast inside the history's range,
    # its band the point forecast.
    assert (young.groupby("series_id")["mean"].nunique() == 1).all()
    assert young["mean"].between(0, 3).all()
    assert (young["q0.9"] == young["mean"]).all()
    imapa = fcs["sf_imapa"].set_index("series_id")
    assert (
        imapa.loc[["a", "b", "c"], "q0.9"] > imapa.loc[["a", "b", "c"], "mean"]
    ).all()
    assert (
        imapa.loc[["young3", "young5"], "q0.9"]
        == imapa.loc[["young3", "young5"], "mean"]
    ).all()
    # Every reference forecasts every series, but for seasonal naive on a series
    # shorter than its season (statsforecast's NaN: no value a year ago; the
    # bench scores a missing forecast as 0).
    for name, f in fcs.items():
        missing = f.loc[f[["mean", "q0.9"]].isna().any(axis=1), "series_id"]
        expected = {"young3", "young5"} if name == "sf_seasonal_naive" else set()
        assert set(missing) == expected, name


def test_the_bench_scores_a_panel_whose_young_series_are_too_short_for_ets(
    capsys, tmp_path
):
    pytest.importorskip("statsforecast")
    rng = np.random.default_rng(12)
    dates = pd.date_range("2020-01-01", periods=40, freq="MS")
    df = pd.concat(
        [
            *(_frame(s, dates, rng.poisson(3, 40).astype(float)) for s in "abcd"),
            _frame("young", dates[-10:], [1.0, 0, 0, 2, 0, 1, 0, 0, 1, 0]),
        ]
    )
    path = tmp_path / "panel.csv"
    df.to_csv(path, index=False)
    bench.main([str(path), "--horizon", "6", "--season", "12", "--models", "auto"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    ets = next(x for x in lines if x["model"] == "sf_autoets")
    assert ets["ses_series"] == 1  # 4 training months left of the young part
    assert next(x for x in lines if x["model"] == "auto")["RMSSE"] > 0


def test_references_fit_series_with_missing_months():
    """statsforecast fits no series with a NaN (unknown demand: the bench's own
    scoring skips it); the references see each series from its first known
    month, later gaps interpolated, and count what they filled."""
    pytest.importorskip("statsforecast")
    import references

    dates = pd.date_range("2020-01-01", periods=36, freq="MS")
    rng = np.random.default_rng(13)
    gappy = rng.poisson(4, 36).astype(float)
    gappy[:5] = np.nan  # not listed yet
    gappy[[12, 20, 21]] = np.nan  # three months unknown
    df = pd.concat(
        [
            _frame("full", dates, rng.poisson(4, 36).astype(float)),
            _frame("gappy", dates, gappy),
            _frame("unknown", dates, np.full(36, np.nan)),
        ]
    )
    fcs = references.reference_forecasts(
        df, 6, season=12, freq="MS", levels=bench.STORED_LEVELS
    )
    for name, f in fcs.items():
        assert f.attrs["filled_cells"] == 3, name
        assert set(f["series_id"]) == {"full", "gappy"}, name
        assert f["mean"].notna().all(), name
    naive = fcs["sf_naive"].set_index("series_id")["mean"]
    assert (naive.loc["gappy"] == gappy[-1]).all()
