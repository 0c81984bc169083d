"""A series whose demand has stopped is forecast as nothing; slow movers are not."""

import numpy as np
import pandas as pd

from forecasting.engine import DEFAULT_LEVELS, forecast_panel, quantile_column
from forecasting.engine.classify import stopped_selling

QCOLS = [quantile_column(q) for q in DEFAULT_LEVELS]


def _seller(rng, days, p=0.6):
    return ((rng.random(days) < p) * rng.poisson(2, days) + 0).astype(float)


def test_a_long_improbable_run_of_zeros_is_a_stop():
    rng = np.random.default_rng(0)
    regular = _seller(rng, 400)
    regular[regular == 0] = 1.0  # sells every day
    regular[-30:] = 0.0
    slow = np.zeros(400)
    slow[::60] = 3.0  # one sale every 60 days: 39 zeros at the end are normal
    short_run = _seller(rng, 400)
    short_run[-20:] = 0.0  # improbable, but shorter than the horizon
    # Two sales in its first four days, then 28 zeros: too little to know p by.
    young = np.array([np.nan] * 368 + [2.0, 0.0, 0.0, 1.0] + [0.0] * 28)
    censored = regular.copy()
    censored[-10:-5] = np.nan  # stock-out days inside the run are skipped
    Y = np.vstack([regular, slow, short_run, young, censored, np.zeros(400)])
    got = stopped_selling(Y, horizon=28)
    assert got.tolist() == [True, False, False, False, False, False]
    assert stopped_selling(censored, horizon=25).tolist() == [True]


def _frame(days=300, seed=1):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    stopped = _seller(rng, days)
    stopped[-40:] = 0.0
    series = {
        "stopped": stopped,
        "selling": _seller(rng, days),
        "smooth": rng.poisson(12, days).astype(float),
    }
    return pd.concat(
        [
            pd.DataFrame({"series_id": k, "date": dates, "quantity": v})
            for k, v in series.items()
        ],
        ignore_index=True,
    )


def test_pipeline_forecasts_nothing_for_a_stopped_series():
    res = forecast_panel(_frame(), 28, n_origins=3)
    sel = res.selection.set_index("series_id")
    assert sel.loc["stopped", "model"] == "stopped"
    assert not sel.loc["stopped", "fallback"]
    assert sel.loc["selling", "model"] != "stopped"
    fc = res.forecasts.set_index("series_id")
    assert (fc.loc["stopped", "mean"] == 0).all()
    assert fc.loc["selling", "mean"].mean() > 0.3
    values = res.forecasts[["mean", *QCOLS]].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (np.diff(res.forecasts[QCOLS].to_numpy(), axis=1) >= -1e-9).all()
    # The band still allows for a restart: the top quantile is not all zero.
    assert fc.loc["stopped", "q0.99"].max() > 0


def test_a_pinned_model_is_not_overridden_by_the_stop_rule():
    res = forecast_panel(_frame(), 28, n_origins=3, models=["ses"])
    sel = res.selection.set_index("series_id")
    assert sel.loc["stopped", "model"] == "ses"
    fc = res.forecasts.set_index("series_id")
    assert fc.loc["stopped", "mean"].max() > 0
