"""Forecast bands calibrated on the backtest's out-of-sample errors (engine.bands)."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from forecasting.engine import forecast_panel
from forecasting.engine.bands import (
    band_edges,
    band_levels,
    band_quantiles,
    loo_coverage,
)

_PANELS = Path(__file__).resolve().parents[3] / "bench" / "panels.py"
_spec = importlib.util.spec_from_file_location("panels", _PANELS)
panels = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(panels)


def _coverage(fc, test, lo, hi):
    m = test.merge(fc, on=["series_id", "date"])
    y = m["quantity"]
    return float(((y >= m[lo] - 1e-9) & (y <= m[hi] + 1e-9)).mean())


def test_bands_cover_what_they_claim_on_a_panel_with_known_noise():
    # Smooth monthly counts, negative-binomial noise around a seasonal level: an
    # 80% band must hold about 80% of the next year's actuals, a 95% band 95%.
    # (The per-series empirical quantiles this replaced covered 0.67 with 80%.)
    df = panels.smooth(n_series=300, months=72, seed=5)
    rank = df.groupby("series_id").cumcount(ascending=False)
    train, test = df[rank >= 12], df[rank < 12]
    res = forecast_panel(
        train,
        12,
        season_length=12,
        models=["ses", "seasonal_naive"],
        levels=(0.025, 0.1, 0.5, 0.9, 0.975),
    )
    assert 0.75 <= _coverage(res.forecasts, test, "q0.1", "q0.9") <= 0.86
    assert 0.92 <= _coverage(res.forecasts, test, "q0.025", "q0.975") <= 0.985
    # The backtest's own leave-one-origin-out coverage says the same.
    assert 0.74 <= res.selection["cover80"].mean() <= 0.86


def test_a_series_band_scales_with_its_own_errors_and_borrows_when_it_has_few():
    rng = np.random.default_rng(0)
    n, n_orig, h = 400, 4, 6
    sigma = rng.uniform(1, 10, n)
    E = rng.normal(0, 1, (n, n_orig, h)) * sigma[:, None, None]
    E[0, :3] = np.nan  # a young series: one origin of errors
    mean = np.full((n, h), 100.0)
    classes = np.array(["smooth"] * n)
    Q, missing = band_quantiles(mean, E, classes, sigma * 1.5, (0.1, 0.5, 0.9))
    assert not missing.any()
    half = (Q[:, :, 2] - Q[:, :, 0]) / 2
    z = norm.ppf(0.9)
    ratio = half[1:].mean(axis=1) / (z * sigma[1:])
    assert 0.85 < np.median(ratio) < 1.2  # each series at its own width
    assert np.corrcoef(half[1:, 0], sigma[1:])[0, 1] > 0.9
    assert np.isfinite(Q[0]).all() and Q[0, 0, 2] > 100


def test_without_errors_or_history_a_series_is_left_to_the_caller():
    E = np.full((3, 2, 4), np.nan)
    E[:2] = 1.0
    d = np.array([1.0, 1.0, np.nan])
    _, missing = band_quantiles(np.ones((3, 4)), E, ["smooth"] * 3, d, (0.1, 0.9))
    assert missing.tolist() == [False, False, True]


def test_zero_demand_levels_sit_at_zero():
    rng = np.random.default_rng(1)
    E = rng.normal(0, 1, (200, 3, 4))
    share = np.r_[np.full(100, 0.6), np.zeros(100)]
    Q, _ = band_quantiles(
        np.full((200, 4), 5.0),
        E,
        ["x"] * 200,
        np.ones(200),
        (0.1, 0.5, 0.9),
        None,
        share,
    )
    assert (Q[:100, :, :2] == 0).all() and (Q[:100, :, 2] > 5).all()
    assert (Q[100:, :, 0] > 0).all()


def test_loo_coverage_is_near_nominal_when_errors_are_exchangeable():
    rng = np.random.default_rng(2)
    n, n_orig, h = 500, 4, 6
    sigma = rng.uniform(1, 5, n)[:, None, None]
    F = np.full((n, n_orig, h), 50.0)
    A = F + rng.normal(0, 1, (n, n_orig, h)) * sigma
    cover = loo_coverage(A, F, ["smooth"] * n, sigma[:, 0, 0], 0.8)
    assert 0.76 <= np.nanmean(cover) <= 0.84
    assert pd.notna(cover).all()


def test_band_levels_name_the_central_pair_and_the_upper_edge_at_zero():
    assert band_levels(0.8) == (0.1, 0.9, 0.8)
    assert band_levels(0.95) == (0.025, 0.975, 0.95)
    with pytest.raises(ValueError):
        band_levels(1.0)


def test_a_band_over_a_point_mass_at_zero_holds_its_coverage_not_more():
    """Half the days sell nothing, the rest a continuous amount: with the true
    quantiles, the central q0.1..q0.9 "80 %" band holds 90 % of demand (every
    zero, and up to q0.9); the band of band_edges ([0, q0.8]) holds 80 %."""
    rng = np.random.default_rng(5)
    y = np.where(rng.random(200_000) < 0.5, 0.0, rng.exponential(3.0, 200_000))

    def q(tau):  # true quantile of the mixture
        return 0.0 if tau <= 0.5 else -3.0 * np.log(1 - (tau - 0.5) / 0.5)

    for c in (0.8, 0.95):
        lower, upper, at_zero = (q(t) for t in band_levels(c))
        central = ((y >= lower) & (y <= upper)).mean()
        lo, hi = band_edges(lower, upper, at_zero)
        held = ((y >= lo) & (y <= hi)).mean()
        assert central == pytest.approx((1 + c) / 2, abs=0.005)
        assert held == pytest.approx(c, abs=0.005)


def test_a_band_without_mass_at_zero_is_the_central_one():
    lo, hi = band_edges([2.0, 0.0, 0.0], [9.0, 9.0, 9.0], [7.0, 7.0, np.nan])
    assert lo.tolist() == [2.0, 0.0, 0.0]
    assert hi.tolist() == [9.0, 7.0, 9.0]  # no stored q0.8: the central band


def _drifting_errors(seed, drift, spread, n=1000, n_orig=4, h=6):
    """Backtest errors (n, O, h) and the next window's (n, h): at origin ``o``
    the scaled error is normal with mean ``drift * o`` and sd ``spread ** o``
    (drift > 0: a forecast that trails growing demand more each window;
    spread < 1: a history more dispersed than the present)."""
    rng = np.random.default_rng(seed)
    sigma = rng.uniform(1, 5, n)
    o = np.arange(n_orig + 1)[None, :, None]
    E = rng.normal(drift * o, spread**o, (n, n_orig + 1, h)) * sigma[:, None, None]
    return E[:, :n_orig], E[:, n_orig], sigma


def _held(E, test, sigma, levels):
    """Share of the next window at or below each level's quantile, and inside
    the q0.1..q0.9 band, with the bands of band_quantiles."""
    n, _, h = E.shape
    mean = np.full((n, h), 1000.0)
    Q, _ = band_quantiles(mean, E, ["smooth"] * n, sigma, levels)
    a = mean + test
    below = [float((a <= Q[:, :, j]).mean()) for j in range(len(levels))]
    return below, float(((a >= Q[:, :, 0]) & (a <= Q[:, :, 2])).mean())


def test_bands_learn_their_level_from_the_next_origin_when_demand_grows():
    # The forecast trails growing demand a little more at every origin: pooled
    # over the origins, the upper quantiles are those of the average lag, and
    # the next window's actuals sit above them (without the level calibration,
    # q0.9 held 0.857 and q0.95 0.927 here). Each origin checked against the
    # band of the ones before it says so; the levels read move up.
    E, test, sigma = _drifting_errors(0, drift=0.1, spread=1.0)
    below, _ = _held(E, test, sigma, (0.1, 0.5, 0.9, 0.95))
    assert below[2] == pytest.approx(0.9, abs=0.02)
    assert below[3] == pytest.approx(0.95, abs=0.01)
    assert below[1] == pytest.approx(0.398, abs=0.001)  # the median is not moved


def test_bands_narrow_when_the_history_was_more_dispersed_than_now():
    # Errors calmer at every origin: the pooled band is too wide for the next
    # window (the q0.1..q0.9 band held 0.892 and q0.95 0.982 without the level
    # calibration); it narrows toward its level without passing it.
    E, test, sigma = _drifting_errors(0, drift=0.0, spread=0.92)
    below, band80 = _held(E, test, sigma, (0.1, 0.5, 0.9, 0.95))
    assert 0.80 <= band80 <= 0.865
    assert 0.95 <= below[3] <= 0.975


def test_bands_keep_their_level_when_the_origins_are_exchangeable():
    from forecasting.engine.bands import calibrated_levels

    E, test, sigma = _drifting_errors(1, drift=0.0, spread=1.0)
    levels = (0.1, 0.5, 0.9, 0.95)
    got = calibrated_levels(E, ["smooth"] * len(sigma), sigma, levels)
    assert np.allclose(got["smooth"], levels, atol=0.01)
    below, band80 = _held(E, test, sigma, levels)
    assert band80 == pytest.approx(0.8, abs=0.02)
    assert below[3] == pytest.approx(0.95, abs=0.01)


def test_bands_do_not_learn_a_level_from_origins_that_disagree():
    # A season, not a level: one origin's errors far above the band of the
    # others, the next far below it. The levels read stay nominal.
    from forecasting.engine.bands import calibrated_levels

    rng = np.random.default_rng(3)
    n, h = 500, 6
    sigma = rng.uniform(1, 5, n)
    shift = np.array([0.0, 0.0, 2.0, -2.0])[None, :, None]
    E = (rng.normal(0, 1, (n, 4, h)) + shift) * sigma[:, None, None]
    got = calibrated_levels(E, ["smooth"] * n, sigma, (0.1, 0.9, 0.95))
    assert np.allclose(got["smooth"], (0.1, 0.9, 0.95))
