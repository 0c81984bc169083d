"""Every registered model answers the same interface on awkward series."""

import numpy as np
import pandas as pd
import pytest

from forecasting.engine import DEFAULT_LEVELS, available_models, make_model
from forecasting.engine.base import quantile_column

QCOLS = [quantile_column(q) for q in DEFAULT_LEVELS]

AWKWARD = {
    "one_point": [3.0],
    "two_points": [0.0, 2.0],
    "three_points": [1.0, 0.0, 4.0],
    "all_zeros": [0.0] * 60,
    "single_spike": [0.0] * 40 + [25.0] + [0.0] * 19,
    "constant": [5.0] * 60,
    "weekly": [10.0, 12, 9, 11, 20, 25, 5] * 10,
}


def _check(frame: pd.DataFrame, n_series: int, h: int) -> None:
    assert list(frame.columns[:3]) == ["series", "step", "mean"]
    assert all(c in frame.columns for c in QCOLS)
    assert len(frame) == n_series * h
    values = frame[["mean", *QCOLS]].to_numpy()
    assert np.isfinite(values).all()
    assert (values >= 0).all()
    q = frame[QCOLS].to_numpy()
    assert (np.diff(q, axis=1) >= -1e-9).all(), "quantiles must not cross"
    assert (
        frame.groupby("series")["step"]
        .apply(list)
        .map(lambda s: s == list(range(1, h + 1)))
        .all()
    )


@pytest.mark.parametrize("name", available_models())
@pytest.mark.parametrize("case", list(AWKWARD))
def test_every_model_survives_awkward_series(name, case):
    model = make_model(name, season_length=7, horizon=14)
    assert not [k for k in vars(model) if k.endswith("_")], "__init__ only stores"
    assert model.fit(np.array(AWKWARD[case])) is model
    assert [k for k in vars(model) if k.endswith("_")], "fit stores state in attr_"
    _check(model.predict(14), 1, 14)


@pytest.mark.parametrize("name", available_models())
def test_every_model_forecasts_a_ragged_panel(name):
    rng = np.random.default_rng(1)
    panel = np.full((4, 90), np.nan)
    panel[0] = rng.poisson(3, 90)
    panel[1, 60:] = rng.poisson(0.3, 30)  # started late
    panel[2, 88:] = [1, 0]  # two points only
    panel[3] = 0.0
    model = make_model(name, season_length=7, horizon=10).fit(panel)
    frame = model.predict(10)
    _check(frame, 4, 10)
    assert frame.loc[frame.series == 3, "mean"].max() < 0.5, "all-zero stays ~0"


def test_constant_series_forecasts_its_level():
    for name in ("naive", "seasonal_naive", "moving_average", "ses", "ets", "imapa"):
        frame = make_model(name, season_length=7, horizon=7).fit([5.0] * 60).predict(7)
        assert np.allclose(frame["mean"], 5.0), name
