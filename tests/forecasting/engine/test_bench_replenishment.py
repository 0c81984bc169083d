"""bench/replenishment_sim.py replays any panel the accuracy bench accepts."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

_PATH = Path(__file__).resolve().parents[3] / "bench" / "replenishment_sim.py"
_spec = importlib.util.spec_from_file_location("replenishment_sim", _PATH)
sim = importlib.util.module_from_spec(_spec)
sys.modules["replenishment_sim"] = sim  # its worker pool pickles _fit by name
_spec.loader.exec_module(sim)


def test_replay_survives_periods_where_no_series_is_active(tmp_path, capsys):
    # An obsolete part whose rows stop early and a part listed a year later: the
    # early replay window of the first ends long before the second's begins, so
    # some refits have no series at all (they crashed with "empty input frame").
    rng = np.random.default_rng(0)
    old = pd.date_range("2020-01-01", periods=9, freq="MS")
    new = pd.date_range("2021-01-01", periods=24, freq="MS")
    df = pd.concat(
        [
            pd.DataFrame({"series_id": "old", "date": old, "quantity": 2}),
            pd.DataFrame(
                {"series_id": "new", "date": new, "quantity": rng.poisson(4, 24)}
            ),
        ]
    )
    path = tmp_path / "parts.csv"
    df.to_csv(path, index=False)
    sim.main(
        [str(path), "--lead-time", "1", "--season", "12", "--workers", "1"]
        + ["--horizon", "3"]
    )
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    stockwise = next(x for x in lines if x["policy"] == "stockwise")
    assert stockwise["series"] == 2
    assert stockwise["refits"] > stockwise["periods"] - 1 >= 10
    assert 0 < stockwise["fill_rate"] <= 1
