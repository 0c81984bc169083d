"""bench/new_product.py: each series new at its first sale, forecast from the
others only; one line per method."""

import json

import numpy as np
import pandas as pd
import pytest

from tests.forecasting.engine.test_bench_panels import _load

bench = _load("new_product")


def _panel(path):
    """Two families: A sells about 10 a month from its first sale, B about 100;
    some series start late."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2020-01-01", periods=18, freq="MS")
    rows = []
    for i in range(12):
        family, level = ("A", 10) if i % 2 else ("B", 100)
        start = 3 * (i % 3)
        for t, day in enumerate(dates):
            q = rng.poisson(level) if t >= start else 0
            rows.append((f"s{i:02d}_{family}", day, q))
    pd.DataFrame(rows, columns=["series_id", "date", "quantity"]).to_csv(
        path, index=False
    )


def test_the_bench_prints_each_method_and_the_analogy_wins_on_families(
    tmp_path, capsys
):
    path = tmp_path / "panel.csv"
    _panel(path)
    bench.main([str(path), "--horizon", "6", "--category-from-id", r"_([AB])$"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by = {line["model"]: line for line in lines}
    assert set(by) == {"analogy", "category_mean", "zero", "analogy_planned"}
    assert all(line["series"] == 12 for line in lines)
    assert by["zero"]["wape"] == pytest.approx(1.0)
    # Launch-aligned profiles of the same family beat the calendar-aligned
    # family mean, which counts late starters' leading zeros.
    assert by["analogy"]["rmsse"] < by["category_mean"]["rmsse"]
    assert by["analogy"]["wape"] < 0.2


def test_the_analogy_does_not_depend_on_the_order_series_are_listed_in(
    tmp_path, capsys
):
    """Without a category or price nothing tells the other series apart: all
    of them are the analogues, not the first k listed, so renaming the series
    (which reorders them) changes nothing."""
    path = tmp_path / "panel.csv"
    _panel(path)
    frame = pd.read_csv(path)
    renamed = tmp_path / "renamed.csv"
    rank = {s: f"z{11 - i:02d}" for i, s in enumerate(sorted(frame["series_id"]))}
    frame.assign(series_id=frame["series_id"].map(rank)).to_csv(renamed, index=False)
    figures = []
    for panel in (path, renamed):
        bench.main([str(panel), "--horizon", "6"])
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        analogy = next(line for line in lines if line["model"] == "analogy")
        assert 0.0 <= analogy["cover80"] <= 1.0
        figures.append((analogy["rmsse"], analogy["wape"], analogy["cover80"]))
    assert figures[0] == figures[1]
