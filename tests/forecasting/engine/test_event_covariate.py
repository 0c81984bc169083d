"""The engine's ``event`` covariate: known calendar days, learnt from history and
given for the horizon."""

import numpy as np
import pandas as pd

from forecasting.engine import forecast_panel


def _panel(with_event: bool):
    rng = np.random.default_rng(5)
    days = pd.date_range("2025-01-01", periods=240, freq="D")
    event = (np.arange(240) % 17 == 3).astype(float)
    rows = []
    for s in range(8):
        q = rng.poisson(np.where(event == 1, 20, 4))
        frame = pd.DataFrame({"series_id": f"s{s}", "date": days, "quantity": q})
        if with_event:
            frame["event"] = event
        rows.append(frame)
    df = pd.concat(rows, ignore_index=True)
    future = pd.DataFrame(
        {
            "series_id": [f"s{s}" for s in range(8)],
            "date": days[-1] + pd.Timedelta(days=5),
            "event": 1.0,
        }
    )
    return df, future


def test_a_future_event_raises_the_forecast_on_its_day():
    df, future = _panel(with_event=True)
    marked = forecast_panel(
        df, 14, season_length=7, models=["global_gbm"], future=future
    )
    plain = forecast_panel(df, 14, season_length=7, models=["global_gbm"])
    day5 = lambda r: r.forecasts[r.forecasts["step"] == 5]["mean"].mean()  # noqa: E731
    others = marked.forecasts[marked.forecasts["step"] != 5]["mean"].mean()
    assert day5(marked) > 2 * day5(plain)
    assert day5(marked) > 2 * others


def test_without_an_event_column_the_event_future_changes_nothing():
    df, future = _panel(with_event=False)
    a = forecast_panel(df, 7, season_length=7, models=["global_gbm"], future=future)
    b = forecast_panel(df, 7, season_length=7, models=["global_gbm"])
    pd.testing.assert_frame_equal(a.forecasts, b.forecasts)
