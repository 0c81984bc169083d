"""The launch analogy: profiles aligned on each series' first sale, nearest
analogues, the path and its (wider) band."""

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.analogy import (
    analogy_path,
    analogy_quantiles,
    launch_profiles,
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


def test_the_path_averages_profiles_or_scales_their_shape_to_a_plan():
    profiles = np.array([[2.0, 4.0, 6.0], [4.0, 4.0, 4.0]])
    assert analogy_path(profiles).tolist() == [3.0, 4.0, 5.0]
    # shapes 1/6, 2/6, 3/6 and 1/3 each, averaged, times 60 planned units
    planned = analogy_path(profiles, planned_units=60, planned_periods=3)
    assert planned.tolist() == pytest.approx([15.0, 20.0, 25.0])
    assert planned.sum() == pytest.approx(60)


def test_the_band_is_ordered_and_wider_when_widened():
    profiles = np.array([[2.0, 4.0, 6.0], [4.0, 4.0, 4.0]])
    mean = analogy_path(profiles)
    levels = (0.1, 0.5, 0.9)
    band = analogy_quantiles(mean, profiles, levels)
    wide = analogy_quantiles(mean, profiles, levels, widen=1.5)
    assert (np.diff(band, axis=1) >= 0).all()
    assert band[:, 1].tolist() == pytest.approx(mean.tolist())
    assert (wide[:, 2] - wide[:, 0] > band[:, 2] - band[:, 0]).all()
