"""The ARIMA candidate: statsforecast's AutoARIMA with a restricted search, one
order search per series and retrain, and only where it can be a candidate.

Parity: ``arima`` is statsforecast's ``AutoARIMA`` with the settings the model
reports (``AutoARIMA.settings()``), run on the series' rows from its first
observation; forecasts are compared with ``StatsForecast(models=[AutoARIMA(...)])``
on the same rows to 1e-6 (relative), negative forecasts aside (ours are clipped
at 0, as every engine model's). ``update`` keeps the searched orders and
coefficients, which is statsforecast's ``forward``, compared to the same tolerance.
"""

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.classify import SMOOTH, classify
from forecasting.engine.models.arima import AutoARIMA, arima_season
from forecasting.engine.panel import build_panel
from forecasting.engine.plan import candidate_plan
from forecasting.engine.registry import make_model

sf_models = pytest.importorskip("statsforecast.models")
StatsForecast = pytest.importorskip("statsforecast").StatsForecast


def monthly_panel(
    n: int = 6, months: int = 60, seed: int = 0, late: bool = True
) -> pd.DataFrame:
    """Smooth monthly counts with a yearly season, a trend and noise; with
    ``late`` the last two series start late (no rows before they were listed)."""
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    rows = []
    for i in range(n):
        level = rng.uniform(20, 80)
        phase = rng.uniform(0, 6)
        season = 1 + rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * t / 12 + phase)
        trend = 1 + rng.normal(0, 0.3) * t / months
        q = rng.poisson(np.clip(level * season * trend, 1, None)).astype(float)
        start = 0 if i < n - 2 or not late else (10 if i == n - 2 else 30)
        dates = pd.date_range("2018-01-01", periods=months, freq="MS")
        rows.append(
            pd.DataFrame(
                {"series_id": f"m{i}", "date": dates[start:], "quantity": q[start:]}
            )
        )
    return pd.concat(rows, ignore_index=True)


def _statsforecast(df: pd.DataFrame, h: int, ids) -> np.ndarray:
    model = sf_models.AutoARIMA(**AutoARIMA(season_length=12).settings())
    long = df.rename(columns={"series_id": "unique_id", "date": "ds", "quantity": "y"})
    fc = StatsForecast(models=[model], freq="MS").forecast(df=long, h=h)
    fc = fc.sort_values(["unique_id", "ds"])
    return fc.pivot(index="unique_id", columns="ds", values="AutoARIMA").reindex(ids)


def test_arima_equals_statsforecast_autoarima_with_the_same_settings():
    df = monthly_panel()
    panel = build_panel(df, season_length=12)
    ours = make_model("arima", season_length=12, horizon=6).fit(panel.y_fit)
    ref = _statsforecast(df, 6, panel.ids).to_numpy()
    searched = panel.n_obs >= ours.required_history()
    assert searched.sum() == 5  # the youngest series is too short for a search
    np.testing.assert_allclose(
        ours.predict_mean(6)[searched], np.clip(ref[searched], 0, None), rtol=1e-6
    )
    assert not ours.failed_.any()
    # The search found a seasonal model somewhere: the season reaches statsforecast.
    assert any(m["arma"][4] == 12 for m in ours.mods_)


def test_update_keeps_the_orders_as_statsforecast_forward_does():
    df = monthly_panel(n=4, months=80, seed=1, late=False)
    panel = build_panel(df, season_length=12)
    Y = panel.y_fit
    model = make_model("arima", season_length=12, horizon=6).fit(Y[:, :36])
    searched = model.searched_len_.copy()
    orders = [m["arma"] for m in model.mods_]
    model.update(Y[:, :60])  # 60 <= 2 x 36: no new search
    assert (model.searched_len_ == searched).all()
    assert [m["arma"] for m in model.mods_] == orders
    for i in range(4):
        y = Y[i, :36][~np.isnan(Y[i, :36])]
        sf = sf_models.AutoARIMA(**model.settings()).fit(y)
        longer = Y[i, :60][~np.isnan(Y[i, :60])]
        ref = np.clip(sf.forward(longer, 6)["mean"], 0, None)
        np.testing.assert_allclose(model.predict_mean(6)[i], ref, rtol=1e-6)
    model.update(Y[:, :80])  # 80 > 2 x 36: searched again
    assert (model.searched_len_ == 80).all()


def test_take_keeps_each_rows_model_for_the_final_fit():
    df = monthly_panel(n=4, seed=2, late=False)
    Y = build_panel(df, season_length=12).y_fit
    model = make_model("arima", season_length=12, horizon=3).fit(Y[:, :50])
    part = model.take([2, 0]).update(Y[[2, 0], :50])
    np.testing.assert_allclose(
        part.predict_mean(3), model.predict_mean(3)[[2, 0]], rtol=1e-9
    )


def test_a_series_too_short_for_a_search_gets_its_recent_mean_and_no_search():
    model = AutoARIMA(season_length=12)
    assert model.required_history() == 36
    y = np.full((1, 60), np.nan)
    y[0, -20:] = np.arange(20.0)
    model.fit(y)
    assert model.mods_[0] is None and not model.failed_.any()
    assert np.allclose(model.predict_mean(4), np.arange(8.0, 20.0).mean())


def test_the_season_is_used_up_to_a_year_of_months():
    assert arima_season(12) == 12 and arima_season(7) == 7 and arima_season(4) == 4
    assert arima_season(52) == 1 and arima_season(1) == 1


def test_a_seasonal_pattern_is_forecast():
    t = np.arange(72)
    pattern = 50 + 20 * np.sin(2 * np.pi * t / 12)
    y = pattern + np.random.default_rng(4).normal(0, 2, 72)
    mean = AutoARIMA(season_length=12).fit(y[:60]).predict_mean(12)[0]
    flat = np.full(12, y[:60].mean())
    truth = pattern[60:]
    assert np.sqrt(np.mean((mean - truth) ** 2)) < 0.3 * np.sqrt(
        np.mean((flat - truth) ** 2)
    )


def _weekday_daily(n: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    dates = pd.date_range("2023-01-01", periods=200, freq="D")
    return pd.DataFrame(
        {
            "series_id": np.repeat([f"d{i}" for i in range(n)], 200),
            "date": np.tile(dates, n),
            "quantity": rng.poisson(30, 200 * n).astype(float),
        }
    )


def test_arima_is_a_candidate_for_smooth_monthly_series_and_never_on_daily_panels():
    monthly = build_panel(monthly_panel(), season_length=12)
    classes = classify(monthly.y)
    assert (classes == SMOOTH).all()
    plan = candidate_plan(monthly, classes)
    assert "arima" in plan.names and plan.is_cand["arima"].all()

    daily = build_panel(_weekday_daily(), season_length=7)
    classes = classify(daily.y)
    assert (classes == SMOOTH).all()
    assert "arima" not in candidate_plan(daily, classes).names
    # Pinned, it runs anywhere: the exclusion is a choice of the automatic plan.
    assert candidate_plan(daily, classes, ["arima"]).names == ["arima"]


def test_without_a_season_a_short_series_gets_its_last_twelve_periods_mean():
    y = np.arange(20.0)  # 20 < 24 periods: no search
    model = AutoARIMA(season_length=52).fit(y)
    assert model.mods_[0] is None
    assert np.allclose(model.predict_mean(3), np.arange(8.0, 20.0).mean())
