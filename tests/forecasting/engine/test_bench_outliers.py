"""bench/outliers.py: how many days the Hampel rule flags and how many of
those the automatic rule's spike tests would take."""

import json

import numpy as np
import pandas as pd

from tests.forecasting.engine.test_bench_panels import _load

bench = _load("outliers")


def test_a_keyed_in_spike_is_an_automatic_candidate_a_lumpy_day_is_not(
    tmp_path, capsys
):
    rng = np.random.default_rng(1)
    dates = pd.date_range("2024-01-01", periods=90, freq="D")
    typo = rng.poisson(5, 90)
    typo[40] = 500  # 5 keyed as 500
    lumpy = rng.poisson(5, 90)
    lumpy[40] = 30  # a busy day: flagged, but not 5x the next-largest
    rows = [
        (sid, d, int(q))
        for sid, values in (("typo", typo), ("lumpy", lumpy))
        for d, q in zip(dates, values, strict=True)
    ]
    path = tmp_path / "panel.csv"
    pd.DataFrame(rows, columns=["series_id", "date", "quantity"]).to_csv(
        path, index=False
    )
    bench.main([str(path)])
    line = json.loads(capsys.readouterr().out)
    assert (line["days"], line["flagged"], line["auto_candidates"]) == (180, 2, 1)
    assert line["largest"]["quantity"] == 500
