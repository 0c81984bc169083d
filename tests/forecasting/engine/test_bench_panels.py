"""bench/panels.py: the generated panels have the shape the benches rely on."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd

_BENCH = Path(__file__).resolve().parents[3] / "bench"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, _BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(_BENCH))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(_BENCH))
    return mod


panels = _load("panels")


def test_spare_parts_panel_is_shaped_like_carparts():
    df = panels.spare_parts(n_series=2674, months=51, seed=1)
    shape = panels.describe(df)
    assert shape["series"] == 2674 and shape["periods"] == 51
    assert len(df) == 2674 * 51  # a row for every month, leading zeros included
    assert 0.70 <= shape["zero_share"] <= 0.80
    assert shape["series_1_to_5_nonzero"] >= 0.25
    assert shape["series_leading_zeros_6plus"] >= 0.2
    assert (df["quantity"] >= 0).all()
    # Obsolescence: some series sold in the first half and never in the last year.
    wide = df.pivot(index="series_id", columns="date", values="quantity").to_numpy()
    died = (wide[:, :25].sum(axis=1) > 3) & (wide[:, -12:].sum(axis=1) == 0)
    assert died.mean() > 0.03


def test_same_seed_same_panel_and_the_cli_writes_what_the_bench_reads(tmp_path):
    a = panels.spare_parts(n_series=50, seed=7)
    pd.testing.assert_frame_equal(a, panels.spare_parts(n_series=50, seed=7))
    assert not a.equals(panels.spare_parts(n_series=50, seed=8))
    out = tmp_path / "sp.csv"
    panels.main(["spare-parts", "--series", "50", "--seed", "7", "--out", str(out)])
    accuracy = _load("forecast_accuracy")
    df = accuracy.load(str(out))
    assert df.groupby("series_id").size().eq(51).all()
    assert df["quantity"].sum() == a["quantity"].sum()


def test_smooth_panel_noise_is_as_stated():
    rng = np.random.default_rng(0)
    Y, mu = panels.smooth_matrix(400, 84, rng, dispersion=20.0)
    z = (Y - mu) / np.sqrt(mu + mu**2 / 20.0)
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.03
