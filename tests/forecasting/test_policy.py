"""The replenishment policy: spread read off forecast quantiles, stock it asks for."""

import numpy as np
from scipy.special import ndtri

from forecasting import policy
from forecasting.policy.demand import daily_sigma

LEVELS = (0.1, 0.5, 0.8, 0.9, 0.95, 0.99)


def _quantiles(days: int, values) -> np.ndarray:
    return np.tile(np.asarray(values, float), (1, days, 1))


def test_a_very_slow_seller_with_a_zero_10_90_band_still_gets_safety_stock():
    # 92 % zero days: the 0.1, 0.5 and 0.9 quantiles are all 0, yet some days sell
    # 3 or more. Reading the spread off the 10-90 band alone gave no spread, so the
    # order-up-to level was the mean demand and the item ran out most cycles.
    days = 14
    mean = np.full((1, days), 0.4)
    q = _quantiles(days, [0.0, 0.0, 0.0, 0.0, 3.0, 6.0])
    assert daily_sigma(mean, q, LEVELS)[0, 0] >= 3.0 / ndtri(0.95) - 1e-9
    plan = policy.replenishment_plan(
        mean=mean,
        quantiles=q,
        levels=LEVELS,
        on_hand=0,
        lead_time=7,
        review_period=7,
        service_level=0.95,
        explain=False,
    )
    assert plan["order_up_to"].iloc[0] > 1.5 * plan["demand_exposure"].iloc[0]
    assert plan["safety_stock"].iloc[0] > 0


def test_a_symmetric_band_reads_the_normal_standard_deviation():
    days, mu, sd = 7, 20.0, 4.0
    mean = np.full((1, days), mu)
    q = _quantiles(days, [mu + sd * ndtri(p) for p in LEVELS])
    assert np.allclose(daily_sigma(mean, q, LEVELS), sd)


def test_the_order_up_to_level_covers_lead_time_plus_review_period():
    days = 28
    mean = np.full((2, days), 10.0)
    q = _quantiles(days, [10.0 + 3.0 * ndtri(p) for p in LEVELS]).repeat(2, axis=0)
    plan = policy.replenishment_plan(
        mean=mean,
        quantiles=q,
        levels=LEVELS,
        on_hand=0,
        lead_time=7,
        review_period=[1, 7],
        service_level=0.95,
        explain=False,
    )
    assert np.allclose(plan["demand_exposure"], [80.0, 140.0])
    daily, weekly = plan["order_up_to"]
    assert weekly > daily + 50  # six more days of demand to cover
