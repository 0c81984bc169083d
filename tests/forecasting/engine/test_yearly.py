"""The yearly season learnt from one year of history (weekly data)."""

import numpy as np
import pandas as pd

from forecasting.engine import forecast_panel, make_model
from forecasting.engine.models.yearly import yearly_index


def _peaky_weeks(n_series=30, weeks=70, seed=0):
    """Weekly demand around 20 with a 4x peak in weeks 44-47 of every year."""
    rng = np.random.default_rng(seed)
    season = np.ones(52)
    season[44:48] = 4.0
    level = rng.uniform(10, 30, n_series)[:, None]
    mu = level * season[np.arange(weeks) % 52][None, :]
    return rng.poisson(mu).astype(float)


def test_one_year_of_history_is_enough_to_forecast_the_peak():
    Y = _peaky_weeks(weeks=70)  # last period is week 17 of year two
    plain = make_model("ses", season_length=52).fit(Y).predict_mean(40)
    yearly = make_model("ses_yearly", season_length=52).fit(Y).predict_mean(40)
    peak = slice(44 - 18, 48 - 18)  # steps landing in weeks 44-47
    quiet = slice(0, 20)
    ratio = yearly[:, peak].mean() / yearly[:, quiet].mean()
    assert 3.0 < ratio < 5.0, ratio
    assert abs(plain[:, peak].mean() / plain[:, quiet].mean() - 1) < 0.05


def test_noise_without_a_season_gives_an_index_near_one():
    rng = np.random.default_rng(3)
    Y = rng.poisson(20, size=(30, 70)).astype(float)
    index = yearly_index(Y, 52)
    assert np.abs(index - 1).max() < 0.2


def test_less_than_a_year_changes_nothing():
    Y = _peaky_weeks(weeks=50)
    plain = make_model("ses", season_length=52).fit(Y).predict_mean(20)
    yearly = make_model("ses_yearly", season_length=52).fit(Y).predict_mean(20)
    assert np.allclose(plain, yearly)


def test_pipeline_picks_the_yearly_variant_and_widens_the_peak_band():
    # Last period is week 38 of year three: the peak is 6-9 steps ahead, and one
    # backtest window (weeks 38-50 of year two) held it.
    Y = _peaky_weeks(weeks=143)
    dates = pd.date_range("2021-01-04", periods=Y.shape[1], freq="W-MON")
    df = pd.DataFrame(
        {
            "series_id": np.repeat([f"s{i}" for i in range(len(Y))], Y.shape[1]),
            "date": np.tile(dates, len(Y)),
            "quantity": Y.reshape(-1),
        }
    )
    res = forecast_panel(df, 13)
    assert (res.selection["model"] == "combo_smooth_yearly").mean() > 0.8
    fc = res.forecasts
    in_peak = fc.step.between(6, 9)
    peak, quiet = fc[in_peak], fc[fc.step.between(10, 13)]
    assert peak["mean"].mean() > 3 * quiet["mean"].mean()
    width = (fc["q0.9"] - fc["q0.1"]).groupby(in_peak).mean()
    assert width[True] > 1.5 * width[False]
