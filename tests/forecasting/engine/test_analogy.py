"""The launch analogy: profiles aligned on each series' first sale, nearest
analogues, the path and its (wider) band."""

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.analogy import (
    analogy_path,
    analogy_quantiles,
    launch_profiles,
    launch_shape,
    launch_volume,
    nearest_analogues,
)


def _frame(series: dict) -> pd.DataFrame:
    dates = pd.date_range("2024-01-01", periods=6, freq="D")
    return pd.DataFrame(
        [
            {"series_id": sid, "date": d, "quantity": q}
            for sid, values in series.items()
            for d, q in zip(dates, values, strict=True)
        ]
    )


def test_profiles_start_at_each_series_first_sale():
    profiles = launch_profiles(
        _frame({"early": [3, 1, 2, 0, 0, 0], "late": [0, 0, 0, 5, 0, 7]}), 4
    )
    assert profiles.loc["early"].tolist() == [3, 1, 2, 0]
    late = profiles.loc["late"].tolist()
    assert late[:3] == [5, 0, 7] and np.isnan(late[3])  # too young for day 4
    assert profiles.attrs["first_sale"]["late"] == pd.Timestamp("2024-01-04")


def test_nearest_analogues_prefer_the_category_then_the_price():
    candidates = pd.DataFrame(
        {"category": [1, 2, 1, 1], "price": [100.0, 10.0, 12.0, 9.0]},
        index=["far-price", "other-cat", "near", "nearest"],
    )
    chosen = nearest_analogues({"category": 1, "price": 10.0}, candidates, k=3)
    # another category costs 2; a price ten times higher costs more (2.2)
    assert chosen == ["nearest", "near", "other-cat"]


def test_the_path_is_a_shape_times_a_volume_or_a_plan():
    profiles = np.array([[2.0, 4.0, 6.0], [4.0, 4.0, 4.0]])
    # Shapes 1/6, 2/6, 3/6 and 1/3 each: mean 1/4, 1/3, 5/12. Two analogues
    # this far apart make 2/3 of that movement noise (1/216 against 1/144),
    # so a third of it is kept around the flat 1/3: 11/36, 12/36, 13/36.
    shape = [11 / 36, 12 / 36, 13 / 36]
    # Both sold 12 over the three periods: the typical volume is 12.
    assert analogy_path(profiles).tolist() == pytest.approx([12 * v for v in shape])
    planned = analogy_path(profiles, planned_units=60, planned_periods=3)
    assert planned.tolist() == pytest.approx([60 * v for v in shape])
    assert planned.sum() == pytest.approx(60)


def test_analogues_that_agree_keep_their_launch_curve_and_one_reference_is_whole():
    ramp = np.array([[1.0, 2.0, 3.0, 6.0], [1.1, 2.1, 2.9, 5.9], [0.9, 1.9, 3.1, 6.2]])
    path = analogy_path(ramp, planned_periods=4)
    assert np.diff(path).min() > 0.9  # the ramp survives
    assert path.tolist() == pytest.approx(ramp.mean(axis=0).tolist(), rel=0.02)
    one = np.array([[2.0, 0.0, 0.0, 6.0]])
    assert analogy_path(one, planned_periods=4).tolist() == pytest.approx([2, 0, 0, 6])


def test_intermittent_analogues_give_a_flat_shape_not_their_particular_days():
    rng = np.random.default_rng(3)
    noisy = rng.poisson(0.5, size=(5, 28)).astype(float)
    noisy[:, 0] = 1  # each sold on its first day
    shape = launch_shape(noisy / noisy.sum(axis=1, keepdims=True), 28)
    assert shape.sum() == pytest.approx(1.0)
    assert shape.max() - shape.min() < 0.2 / 28  # all but flat


def test_the_volume_is_the_typical_analogue_not_the_largest():
    # 3 and 99 units: log1p 4 and 100 -> geometric mean 20 -> 19 units,
    # where the arithmetic mean (51) is mostly the large one.
    assert launch_volume(np.array([3.0, 99.0])) == pytest.approx(19.0)
    assert launch_volume(np.array([0.0, 0.0])) == 0.0
    path = analogy_path(np.array([[1.0, 2.0], [33.0, 66.0]]), planned_periods=2)
    assert path.sum() == pytest.approx(19.0)


def test_the_band_is_ordered_and_wider_when_widened():
    profiles = np.array([[2.0, 4.0, 6.0], [4.0, 4.0, 4.0]])
    mean = analogy_path(profiles)
    levels = (0.1, 0.5, 0.9)
    band = analogy_quantiles(mean, profiles, levels)
    wide = analogy_quantiles(mean, profiles, levels, widen=1.5)
    assert (np.diff(band, axis=1) >= 0).all()
    assert band[:, 1].tolist() == pytest.approx(mean.tolist())
    assert (wide[:, 2] - wide[:, 0] > band[:, 2] - band[:, 0]).all()


def test_analogues_that_disagree_on_volume_widen_the_band_unless_it_is_planned():
    levels = (0.1, 0.5, 0.9)
    agree = np.array([[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]])
    apart = np.array([[1.0, 1.0, 1.0], [21.0, 21.0, 21.0]])
    # volumes 15, 15 and 3, 63: log1p geometric means both 15
    mean = np.full(3, 5.0)
    assert analogy_path(agree, planned_periods=3).tolist() == pytest.approx(mean)
    assert analogy_path(apart, planned_periods=3).tolist() == pytest.approx(mean)
    narrow = analogy_quantiles(mean, agree, levels, planned_periods=3)
    wide = analogy_quantiles(mean, apart, levels, planned_periods=3)
    planned = analogy_quantiles(
        mean, apart, levels, planned_periods=3, volume_known=True
    )
    width = {k: b[:, 2] - b[:, 0] for k, b in (("n", narrow), ("w", wide))}
    assert (width["w"] > 2 * width["n"]).all()
    # a planned volume removes the analogues' disagreement on it
    assert planned[:, 2] - planned[:, 0] == pytest.approx(width["n"])
