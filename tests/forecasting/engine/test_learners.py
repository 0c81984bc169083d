"""Linear regression, random forest and a small neural network over the global
model's features: they learn what the calendar/price/promotion features carry, and
they are candidates of every demand class (none a default)."""

import numpy as np
import pandas as pd
import pytest

from forecasting.engine import forecast_panel
from forecasting.engine.registry import (
    CANDIDATES_BY_CLASS,
    COMBINATIONS,
    DEFAULT_BY_CLASS,
    make_model,
)

LEARNERS = ("global_linear", "global_forest", "global_mlp")


def _promo_panel(n=60, T=200, seed=0):
    """Daily demand that triples on promotion days (one day in ten)."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(3, 10, n)[:, None]
    promo = (rng.random((n, T + 14)) < 0.1).astype(float)
    Y = rng.poisson(level * (1 + 2 * promo[:, :T])).astype(float)
    return Y, promo


@pytest.mark.parametrize("name", LEARNERS)
def test_learner_forecasts_the_promotion_lift(name):
    Y, promo = _promo_panel()
    future = promo.copy()
    future[:, -14:] = 0.0
    future[:, -14 + 3] = 1.0  # a promotion on the fourth forecast day only
    dates = np.full(len(Y), np.datetime64("2024-06-30", "ns"))
    X = {"promo": future, "last_date": dates, "step_ns": 86_400_000_000_000}
    model = make_model(name, season_length=7, horizon=14).fit(Y, X)
    mean = model.predict_mean(14, X)
    others = np.delete(mean, 3, axis=1).mean()
    assert mean[:, 3].mean() > 1.8 * others
    assert np.isfinite(mean).all() and (mean >= 0).all()


def test_learners_are_candidates_never_defaults():
    for cls, names in CANDIDATES_BY_CLASS.items():
        assert set(LEARNERS) <= set(names)
        assert DEFAULT_BY_CLASS[cls] not in LEARNERS
    for members in COMBINATIONS.values():
        assert not set(LEARNERS) & set(members)


def test_the_backtest_can_pick_a_learner():
    """Pinned to a learner, the engine forecasts with it; in the automatic choice
    each is scored (its backtest MSE is in the run's scores) like any candidate."""
    Y, promo = _promo_panel(n=30, T=150, seed=1)
    dates = pd.date_range("2024-01-01", periods=150, freq="D")
    df = pd.DataFrame(
        {
            "series_id": np.repeat([f"s{i}" for i in range(30)], 150),
            "date": np.tile(dates, 30),
            "quantity": Y.reshape(-1),
            "promo": promo[:, :150].reshape(-1),
        }
    )
    res = forecast_panel(df, 14, season_length=7, n_origins=3)
    for name in LEARNERS:
        assert res.backtest_scores[name].notna().all()
