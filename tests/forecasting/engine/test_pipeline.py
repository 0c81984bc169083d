"""forecast_panel: the contract the Django side relies on."""

import numpy as np
import pandas as pd
import pytest

from forecasting.engine import DEFAULT_LEVELS, forecast_panel, quantile_column, registry
from forecasting.engine.base import ForecastModel
from forecasting.engine.result import SELECTION_COLUMNS

# The requested levels and those of the 80 % and 95 % bands (engine.bands)
QCOLS = [
    quantile_column(q)
    for q in sorted({*DEFAULT_LEVELS, 0.025, 0.1, 0.8, 0.9, 0.95, 0.975})
]
LOCAL = ["naive", "seasonal_naive", "moving_average", "ses", "sba", "tsb", "imapa"]


def _panel(days=200, seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    week = 1 + 0.4 * np.sin(2 * np.pi * np.arange(days) / 7)
    series = {
        "smooth": rng.poisson(20 * week),
        "smooth_small": rng.poisson(6 * week),
        "intermittent": (rng.random(days) < 0.25) * rng.poisson(2, days),
        "lumpy": (rng.random(days) < 0.15) * rng.choice([1, 30], days),
        "zeros": np.zeros(days, dtype=int),
    }
    frames = [
        pd.DataFrame({"series_id": k, "date": dates, "quantity": v})
        for k, v in series.items()
    ]
    frames.append(
        pd.DataFrame({"series_id": "new", "date": dates[-3:], "quantity": [2, 0, 1]})
    )
    return pd.concat(frames, ignore_index=True)


def _check_forecasts(fc, n_series, h):
    assert len(fc) == n_series * h
    assert list(fc.columns) == ["series_id", "date", "step", "mean", *QCOLS]
    values = fc[["mean", *QCOLS]].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (np.diff(fc[QCOLS].to_numpy(), axis=1) >= -1e-9).all()


def test_forecast_panel_contract():
    df = _panel()
    res = forecast_panel(df, 14, n_origins=3)
    sel = res.selection.set_index("series_id")
    assert list(res.selection.columns) == SELECTION_COLUMNS
    assert res.n_series == 6 and len(sel) == 6
    _check_forecasts(res.forecasts, 6, 14)
    first = res.forecasts[res.forecasts.step == 1].set_index("series_id")["date"]
    assert (first == pd.Timestamp("2024-01-01") + pd.Timedelta(days=200)).all()
    assert sel.loc["smooth", "demand_class"] == "smooth"
    assert sel.loc["intermittent", "demand_class"] in ("intermittent", "lumpy")
    assert sel.loc["new", "fallback"] and sel.loc["new", "fallback_reason"]
    assert res.n_fallbacks >= 1
    assert not sel.loc["smooth", "fallback"]
    assert 0 < sel.loc["smooth", "rmsse"] < 2
    smooth = res.forecasts[res.forecasts.series_id == "smooth"]["mean"]
    assert 12 < smooth.mean() < 30
    zeros = res.forecasts[res.forecasts.series_id == "zeros"][QCOLS]
    assert (zeros.to_numpy() == 0).all()
    assert res.timings["total"] > 0


def test_a_chunk_gets_the_same_answer_as_the_whole_panel():
    df = _panel()
    whole = forecast_panel(df, 14, n_origins=3, models=LOCAL)
    part_ids = ["lumpy", "smooth_small", "new"]
    part = forecast_panel(
        df[df.series_id.isin(part_ids)], 14, n_origins=3, models=LOCAL
    )
    # Means, choices and scores are per series; the bands pool the scaled
    # backtest errors of the chunk's series (engine.bands), so they and the
    # backtest coverage may differ between chunks.
    point = ["series_id", "date", "step", "mean"]
    a = whole.forecasts[whole.forecasts.series_id.isin(part_ids)]
    pd.testing.assert_frame_equal(
        a[point].reset_index(drop=True), part.forecasts[point].reset_index(drop=True)
    )
    sel = whole.selection[whole.selection.series_id.isin(part_ids)]
    pd.testing.assert_frame_equal(
        sel.drop(columns="cover80").reset_index(drop=True),
        part.selection.drop(columns="cover80").reset_index(drop=True),
    )


class _Broken(ForecastModel):
    def _fit(self, Y, X):
        raise RuntimeError("boom")


def test_a_failing_model_is_counted_and_the_series_still_forecast(monkeypatch, caplog):
    monkeypatch.setitem(registry._FACTORIES, "ses", lambda s, h: _Broken())
    df = _panel()
    res = forecast_panel(df, 7, n_origins=2, models=["ses", "moving_average"])
    assert res.failures["ses"] == 6
    assert res.n_failures >= 6
    assert "failed" in caplog.text
    scored = res.selection[~res.selection.fallback]
    assert (scored["model"] == "moving_average").all()
    _check_forecasts(res.forecasts, 6, 7)


def test_censored_days_are_not_taken_as_zero_demand():
    dates = pd.date_range("2024-01-01", periods=120, freq="D")
    qty = np.r_[np.full(100, 5), np.zeros(20)]
    df = pd.DataFrame({"series_id": "a", "date": dates, "quantity": qty})
    plain = forecast_panel(df, 7, n_origins=2, models=["moving_average"])
    df["censored"] = np.r_[np.zeros(100, bool), np.ones(20, bool)]
    censored = forecast_panel(df, 7, n_origins=2, models=["moving_average"])
    assert plain.forecasts["mean"].mean() < 2
    assert censored.forecasts["mean"].mean() == pytest.approx(5, abs=0.01)


def test_price_promo_and_weekly_data_are_handled():
    dates = pd.date_range("2024-01-01", periods=104, freq="W-MON")
    rng = np.random.default_rng(3)
    rows = []
    for sid in ("a", "b", "c"):
        promo = rng.random(104) < 0.1
        price = np.where(promo, 8.0, 10.0)
        qty = rng.poisson(np.where(promo, 40, 20))
        rows.append(
            pd.DataFrame(
                {"series_id": sid, "date": dates, "quantity": qty}
                | {"price": price, "promo": promo.astype(int)}
            )
        )
    df = pd.concat(rows)
    future = pd.DataFrame(
        {"series_id": "a", "date": dates[-1] + pd.Timedelta(weeks=1), "promo": 1}
        | {"price": 8.0},
        index=[0],
    )
    res = forecast_panel(df, 6, future=future, models=["global_gbm", "ses"])
    assert res.freq == "W-MON" and res.season_length == 52
    _check_forecasts(res.forecasts, 3, 6)
    assert res.n_failures == 0


def test_an_empty_frame_is_an_empty_forecast():
    # A replay window before any item was listed hands the engine no rows; that
    # is nothing to forecast, not an error (it raised "empty input frame").
    empty = pd.DataFrame(columns=["series_id", "date", "quantity"])
    res = forecast_panel(empty, 7)
    assert res.n_series == 0 and res.n_fallbacks == 0
    assert list(res.selection.columns) == SELECTION_COLUMNS and res.selection.empty
    assert list(res.forecasts.columns) == ["series_id", "date", "step", "mean", *QCOLS]
    assert res.forecasts.empty
