"""Hand-checked behaviour of the intermittent models, classes and metrics."""

import warnings

import numpy as np

from forecasting.engine.classify import classify
from forecasting.engine.metrics import bias, coverage, mase, rmsse, wape
from forecasting.engine.models import SBA, TSB, Croston, SeasonalNaive


def test_croston_matches_hand_computation():
    y = np.array([0, 0, 3, 0, 5, 0, 0, 0, 4], dtype=float)
    # sizes: 3 then 3+.5*(5-3)=4 then 4+.5*(4-4)=4 ; intervals: 3, 3+.5*(2-3)=2.5,
    # 2.5+.5*(4-2.5)=3.25 -> 4 / 3.25
    mean = Croston(alpha=0.5).fit(y).predict_mean(3)
    assert np.allclose(mean, 4 / 3.25)
    sba = SBA(alpha=0.5).fit(y).predict_mean(1)
    assert np.isclose(sba[0, 0], 0.75 * 4 / 3.25)


def test_tsb_decays_after_a_long_run_of_zeros_and_croston_does_not():
    y = np.array([5.0] * 20 + [0.0] * 60)
    assert TSB().fit(y).predict_mean(1)[0, 0] < 0.1
    assert Croston().fit(y).predict_mean(1)[0, 0] > 1.0


def test_seasonal_naive_repeats_the_last_week():
    week = [1.0, 2, 3, 4, 5, 6, 7]
    out = SeasonalNaive(season_length=7).fit(week * 3).predict_mean(10)
    assert out[0].tolist() == week + week[:3]


def test_demand_classes_follow_syntetos_boylan_cutoffs():
    rng = np.random.default_rng(0)
    smooth = 10 + rng.normal(0, 1, 200)
    erratic = rng.choice([1.0, 30.0], 200)
    intermittent = np.where(rng.random(200) < 0.2, 5.0, 0.0)
    lumpy = np.where(rng.random(200) < 0.2, rng.choice([1.0, 40.0], 200), 0.0)
    got = classify(np.vstack([smooth, erratic, intermittent, lumpy]))
    assert got.tolist() == ["smooth", "erratic", "intermittent", "lumpy"]


def test_metrics_on_a_small_example():
    train = np.array([[1.0, 3.0, 1.0, 3.0]])  # lag-1 diffs 2, 2, 2
    actual = np.array([[2.0, 4.0]])
    forecast = np.array([[3.0, 3.0]])
    assert np.isclose(rmsse(actual, forecast, train)[0], np.sqrt(1.0 / 4.0))
    assert np.isclose(mase(actual, forecast, train)[0], 0.5)
    assert np.isclose(wape(actual, forecast), 2.0 / 6.0)
    assert np.isclose(bias(actual, forecast), 0.0)
    assert coverage(actual, forecast - 1.5, forecast + 0.5) == 0.5


def test_nanquantile_matches_numpy():
    from forecasting.engine.base import nanquantile

    rng = np.random.default_rng(2)
    a = rng.normal(size=(20, 4, 9))
    a[rng.random(a.shape) < 0.3] = np.nan
    a[0] = np.nan  # an all-NaN row stays NaN
    for axis in (1, 2):
        for q in ([0.1, 0.5, 0.9], 0.5):
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                want = np.nanquantile(a, q, axis=axis)
            np.testing.assert_allclose(nanquantile(a, q, axis=axis), want)


def test_ets_grid_estimate_fits_as_well_as_statsmodels_on_its_own_filter():
    from forecasting.engine.models import ETS
    from forecasting.engine.models.ets import PARAM_GRID

    rng = np.random.default_rng(4)
    t = np.arange(200)
    Y = np.vstack(
        [
            50 + 0.2 * t + rng.normal(0, 3, 200),  # trend
            20 + rng.normal(0, 2, 200),  # level only
            10 + 5 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, 200),  # weekly
        ]
    )
    grid = ETS(season_length=7).fit(Y)
    ref = ETS(season_length=7, method="statsmodels").fit(Y)
    sse = lambda m: np.nansum(m.resid_**2, axis=1)  # noqa: E731
    assert (sse(grid) <= 1.02 * sse(ref)).all()
    assert np.isin(grid.params_, PARAM_GRID).all()
    assert np.abs(grid.predict_mean(7)[2] - ref.predict_mean(7)[2]).max() < 2.0


def test_challengers_are_kept_only_where_they_pay_off_in_the_backtest():
    from forecasting.engine.select import challengers_pay_off

    names = ["default", "other"]
    n, o = 40, 4
    P = np.ones((n, 2, o))
    # Group a: "other" is 50% better at every origin for every series.
    P[:20, 1, :] = 0.5
    # Group b: "other" wins by chance on three origins, loses badly on the fourth.
    P[20:, 1, :3] = 0.5
    P[20:, 1, 3] = 9.0
    groups = np.array(["a"] * 20 + ["b"] * 20)
    keep = challengers_pay_off(P, names, ["default"] * n, 0.25, groups, np.ones(n))
    assert keep[:20].all() and not keep[20:].any()


def test_a_class_switches_to_a_benchmark_only_where_it_clearly_wins():
    """Per demand class: a benchmark that beats the default in the backtest by more
    than two paired standard errors over the class's series becomes its default;
    one within noise does not."""
    from forecasting.engine.select import class_defaults

    rng = np.random.default_rng(0)
    n, n_orig = 400, 3
    names = ["combo_intermittent", "imapa", "zero"]
    base = rng.uniform(0.5, 2.0, (n, 1, n_orig))
    P = np.repeat(base, 3, axis=1)
    groups = np.array(["intermittent"] * 200 + ["lumpy"] * 200)
    # intermittent: IMAPA 10% lower MSE on every series; lumpy: noise only.
    P[:200, 1, :] *= 0.9
    P[200:, 1, :] *= rng.uniform(0.9, 1.1, (200, n_orig))
    P[:, 2, :] *= 1.5
    default = ["combo_intermittent"] * n
    out = class_defaults(P, names, default, ("zero", "imapa"), groups, np.ones(n))
    assert set(out[:200]) == {"imapa"}
    assert set(out[200:]) == {"combo_intermittent"}
