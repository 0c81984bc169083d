"""Newsvendor, EOQ and learned lead times against their closed forms."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import ndtri

from forecasting import policy
from forecasting.policy.leadtime import PRIOR_RECEIPTS, learned_lead_time

LEVELS = (0.1, 0.5, 0.8, 0.9, 0.95, 0.99)


def _normal_band(n, days, mu, sd):
    mean = np.full((n, days), mu)
    q = np.tile(np.asarray([mu + sd * ndtri(p) for p in LEVELS]), (n, days, 1))
    return mean, q


def test_newsvendor_quantity_is_the_gamma_quantile_at_the_critical_ratio():
    # price 10, cost 6, salvage 1: ratio (10 - 6) / (10 - 1) = 4/9.
    days, mu, sd = 20, 5.0, 2.0
    mean, q = _normal_band(1, days, mu, sd)
    plan = policy.replenishment_plan(
        mean=mean,
        quantiles=q,
        levels=LEVELS,
        on_hand=0,
        lead_time=5,
        service_level=0.95,
        single_period=True,
        selling_days=days,
        unit_price=10.0,
        unit_cost=6.0,
        salvage_value=1.0,
    )
    ratio = 4 / 9
    m, v = mu * days, sd * sd * days
    expected = stats.gamma.ppf(ratio, a=m * m / v, scale=v / m)
    assert plan["policy"].iloc[0] == "newsvendor"
    assert plan["order_up_to"].iloc[0] == pytest.approx(expected, rel=1e-6)
    assert plan["quantity"].iloc[0] == np.ceil(expected)
    assert "critical-ratio" in plan["reason"].iloc[0]


def test_newsvendor_on_a_large_mean_matches_the_normal_closed_form():
    # Demand over the season 40,000 +- 200: the Gamma is all but normal, so
    # q = mu + sigma z(ratio) to within a unit.
    ratio = np.array([0.2, 0.5, 0.8, 0.95])
    q = policy.newsvendor_quantity(40000.0, 200.0**2, ratio)
    assert np.allclose(q, stats.norm.ppf(ratio, loc=40000.0, scale=200.0), atol=1.0)


def test_critical_ratio_is_margin_over_margin_plus_overage():
    assert policy.critical_ratio(10.0, 6.0, 1.0) == pytest.approx(4 / 9)
    assert policy.critical_ratio(10.0, 6.0, 0.0) == pytest.approx(0.4)


def test_eoq_is_sqrt_of_2ds_over_h():
    d, s, c, rate = 3650.0, 40.0, 8.0, 0.25
    eoq = policy.economic_order_quantity(d, s, c, rate)
    assert eoq == pytest.approx(np.sqrt(2 * d * s / (c * rate)))
    # Missing costs: EOQ does not apply.
    assert policy.economic_order_quantity(d, 0.0, c, rate) == 0.0


def test_the_plan_orders_at_least_the_eoq():
    # 10 a day, order cost 40, unit cost 8, holding 25 %: EOQ = sqrt(2 * 3650 *
    # 40 / 2) = 382.1, far above the week's need: the order is the EOQ.
    mean, q = _normal_band(1, 28, 10.0, 2.0)
    plan = policy.replenishment_plan(
        mean=mean,
        quantiles=q,
        levels=LEVELS,
        on_hand=0,
        lead_time=3,
        service_level=0.9,
        order_cost=40.0,
        unit_cost=8.0,
        holding_rate=0.25,
    )
    eoq = np.sqrt(2 * 3650 * 40 / 2.0)
    assert plan["eoq"].iloc[0] == pytest.approx(eoq)
    assert plan["quantity"].iloc[0] == np.ceil(eoq)
    assert "eoq" in plan["rounding"].iloc[0]


def test_learned_lead_time_with_no_one_and_many_receipts():
    stated = [7.0, 7.0, 7.0]
    one = [11.0]
    many = [10.0, 12.0, 9.0, 11.0, 13.0, 10.0, 12.0, 11.0, 9.0, 13.0, 11.0, 11.0]
    learned = learned_lead_time(stated, [[], one, many])
    k = PRIOR_RECEIPTS
    # No receipt: the stated figure, no spread.
    assert learned.mean[0] == 7.0 and learned.sd[0] == 0.0
    # One late receipt moves the plan 1 / (1 + k) of the way: 7 + 4 / 4 = 8.
    assert learned.mean[1] == pytest.approx(7.0 + (11.0 - 7.0) / (1 + k))
    assert learned.sd[1] == 0.0
    # Twelve: weight 12 / 15 on their mean 11, spread sqrt(w) x their sd.
    w = 12 / (12 + k)
    assert learned.mean[2] == pytest.approx(w * 11.0 + (1 - w) * 7.0)
    assert learned.sd[2] == pytest.approx(np.sqrt(w * np.var(many)))
    assert list(learned.receipts) == [0, 1, 12]


def test_a_random_lead_time_adds_d_squared_sigma_l_squared_to_the_variance():
    days, d, sd_d, lead, sd_l = 28, 10.0, 3.0, 7.0, 2.0
    mean, q = _normal_band(2, days, d, sd_d)
    plan = policy.replenishment_plan(
        mean=mean,
        quantiles=q,
        levels=LEVELS,
        on_hand=0,
        lead_time=lead,
        review_period=7,
        service_level=0.95,
        lead_time_sd=[0.0, sd_l],
        explain=False,
    )
    # Over the exposure lead time + review period (14 days).
    var = plan["demand_sd"].to_numpy() ** 2
    assert var[0] == pytest.approx(14 * sd_d**2)
    assert var[1] == pytest.approx(14 * sd_d**2 + d * d * sd_l**2)
    assert plan["safety_stock"].iloc[1] > plan["safety_stock"].iloc[0]
