"""Items that have gone quiet (no sale for a quarter of a horizon or more) get the
model that the backtest of the catalogue's *own* quiet items prefers; a chunk
with no backtest score at all gives sparse series the mean without the global
learner.

On the generated spare-parts panel (monthly, 51 months, three quarters zeros,
leading zero runs, many series with 1-5 non-zero months, some obsolete) the
engine's choice led statsforecast's IMAPA by 0.15% on the holdout and trailed
our own IMAPA at one of two earlier cuts: every quiet part kept the level its
selling months had taught (class-level rules pool the quiet with the selling,
and a quiet part's own backtest windows mostly saw it selling), and at a cut
too short for any backtest origin every sparse series got the default holding
the global learner (docs/decisions/quiet-items.md)."""

import numpy as np
import pandas as pd
import pytest

from forecasting.engine import forecast_panel
from forecasting.engine.classify import zero_run
from forecasting.engine.select import (
    MIN_RECENCY_SERIES,
    level_factor,
    recency_bucket,
    recency_defaults,
)

from .panels import spare_parts_panel

H = 12


def test_zero_run_counts_observed_periods_since_the_last_sale():
    nan = np.nan
    Y = np.array(
        [
            [0, 1, 0, 0, 0],  # three periods since the sale
            [1, 0, nan, 0, 0],  # a censored period is not observed
            [0, 0, 0, 0, 2],  # sold in the last period
            [nan, nan, 0, 0, 0],  # never sold: every observed period
        ],
        dtype=float,
    )
    assert zero_run(Y).tolist() == [3, 3, 0, 3]


def test_recency_buckets_are_fractions_of_the_horizon():
    runs = np.array([0, 2, 3, 5, 6, 11, 12, 40])
    assert recency_bucket(runs, 12).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    # Daily data, four weeks ahead: a week without a sale is "quiet".
    assert recency_bucket(np.array([6, 7, 14, 28]), 28).tolist() == [0, 1, 2, 3]


def _quiet_case(n=240, n_orig=2, seed=0):
    """(n, 2 models, O) RMSSE per origin and each series' bucket at each origin."""
    rng = np.random.default_rng(seed)
    L = rng.uniform(0.5, 1.5, (n, 1, n_orig)).repeat(2, axis=1)
    bucket_at = rng.integers(0, 4, (n, n_orig))
    return L, bucket_at


def test_a_quiet_bucket_switches_only_where_its_own_backtest_clearly_says_so():
    names = ["combo_sparse", "zero"]
    L, bucket_at = _quiet_case()
    n = L.shape[0]
    rng = np.random.default_rng(1)
    # At origins where a series was two-quarters quiet, zero was 20% better;
    # three-quarters-quiet windows: a coin toss; selling ones: zero far better
    # too (a bucket-0 rule is the class rule's job, never this one's).
    L[:, 1, :] = np.where(bucket_at == 2, 0.8 * L[:, 0, :], L[:, 1, :])
    coin = L[:, 0, :] * rng.uniform(0.9, 1.1, L[:, 0, :].shape)
    L[:, 1, :] = np.where(bucket_at == 3, coin, L[:, 1, :])
    L[:, 1, :] = np.where(bucket_at == 0, 0.5 * L[:, 0, :], L[:, 1, :])
    bucket_now = np.arange(n) % 4
    groups = np.array(["intermittent"] * n)
    out = recency_defaults(
        L, names, ["combo_sparse"] * n, ("zero",), groups, bucket_at, bucket_now
    )
    out = np.array(out)
    assert set(out[bucket_now == 2]) == {"zero"}
    assert set(out[bucket_now != 2]) == {"combo_sparse"}


def test_a_quiet_bucket_with_too_few_series_keeps_its_default():
    names = ["combo_sparse", "zero"]
    n = MIN_RECENCY_SERIES - 1
    L = np.ones((n, 2, 2))
    L[:, 1, :] = 0.5
    bucket_at = np.full((n, 2), 2)
    out = recency_defaults(
        L,
        names,
        ["combo_sparse"] * n,
        ("zero",),
        np.array(["lumpy"] * n),
        bucket_at,
        np.full(n, 2),
    )
    assert set(out) == {"combo_sparse"}


def test_a_level_factor_is_taken_only_where_it_clearly_pays():
    """Forecasts twice the demand's level: the backtest picks a factor below 1
    for the bucket's series; forecasts at the level keep 1."""
    rng = np.random.default_rng(2)
    n, n_orig, h = 200, 2, 12
    A = (rng.random((n, n_orig, h)) < 0.3) * rng.poisson(2.0, (n, n_orig, h))
    level = A.mean(axis=(1, 2), keepdims=True) + 0.1
    at = np.ones((n, n_orig), bool)
    scale = np.ones((n, n_orig))
    assert (
        level_factor(A, np.repeat(2 * level, n_orig, 1).repeat(h, 2), scale, at) < 0.8
    )
    few = np.zeros((n, n_orig), bool)
    few[: MIN_RECENCY_SERIES - 1] = True
    assert (
        level_factor(A, np.repeat(2 * level, n_orig, 1).repeat(h, 2), scale, few) == 1.0
    )


def _split(df):
    rank = df.groupby("series_id").cumcount(ascending=False)
    return df[rank >= H], df[rank < H]


def _rmsse(train, test, fc) -> pd.Series:
    m = test.merge(fc, on=["series_id", "date"], how="left").fillna({"mean": 0.0})
    mse = (m["mean"] - m["quantity"]).pow(2).groupby(m["series_id"]).mean()
    d = train.groupby("series_id")["quantity"].diff()
    scale = d.pow(2).groupby(train["series_id"]).mean().reindex(mse.index)
    ok = scale > 0
    return np.sqrt(mse[ok] / scale[ok])


def test_a_history_too_short_for_any_origin_gets_the_mean_without_the_learner():
    """15 months, a 12-month horizon: no backtest origin has the 8 months of
    history it needs, so nothing is scored; the sparse series borrow
    ``combo_sparse`` (reasoned ``too_short``), not the default holding the
    global learner, and forecast what that combination forecasts."""
    train = spare_parts_panel(n=300, months=15, seed=3)
    res = forecast_panel(train, H, season_length=12)
    sel = res.selection.set_index("series_id")
    sparse = sel[sel["demand_class"].isin(["intermittent", "lumpy"])]
    sparse = sparse[sparse["fallback_reason"] != "all_zero"]
    assert len(sparse) > 100
    assert (sparse["fallback_reason"] == "too_short").all()
    assert (sparse["model"] == "combo_sparse").all()
    pinned = forecast_panel(train, H, season_length=12, models=["combo_sparse"])
    ids = sparse.index
    a = res.forecasts[res.forecasts.series_id.isin(ids)]["mean"].to_numpy()
    b = pinned.forecasts[pinned.forecasts.series_id.isin(ids)]["mean"].to_numpy()
    np.testing.assert_allclose(a, b)


@pytest.fixture(scope="module")
def holdout():
    train, test = _split(spare_parts_panel(n=800, seed=5))
    out = {}
    for name in ("auto", "imapa", "zero"):
        res = forecast_panel(
            train, H, season_length=12, models=None if name == "auto" else [name]
        )
        out[name] = (_rmsse(train, test, res.forecasts), res)
    return out


def test_auto_clearly_beats_imapa_and_the_zero_forecast_on_spare_parts(holdout):
    """A paired margin, not a tie: the engine's choice is at least 1% better
    than IMAPA (equal to statsforecast's) and than forecasting nothing."""
    auto = holdout["auto"][0]
    for ref in ("imapa", "zero"):
        other = holdout[ref][0].reindex(auto.index)
        assert auto.mean() <= 0.99 * other.mean(), ref
        diff = auto - other
        assert diff.mean() + 2 * diff.std(ddof=1) / np.sqrt(len(diff)) < 0, ref


def test_quiet_parts_are_forecast_lower_than_their_selling_level(holdout):
    """Parts without a sale for half a horizon or more (not stopped): the
    backtest of the catalogue's quiet parts sends their forecast toward zero,
    below what IMAPA's level says."""
    train, _ = _split(spare_parts_panel(n=800, seed=5))
    wide = train.pivot(index="series_id", columns="date", values="quantity")
    run = pd.Series(zero_run(wide.to_numpy(float)), index=wide.index)
    sel = holdout["auto"][1].selection.set_index("series_id")
    quiet = run[(run >= H // 2) & (run < wide.shape[1])].index
    quiet = quiet[sel.loc[quiet, "model"] != "stopped"]
    assert len(quiet) > 50

    def level(name):
        fc = holdout[name][1].forecasts
        return fc[fc.series_id.isin(quiet)]["mean"].sum()

    assert level("auto") < 0.5 * level("imapa")
