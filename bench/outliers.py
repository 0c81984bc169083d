"""How many days the outlier rules flag on a panel.

    python bench/outliers.py PANEL.csv

PANEL.csv is long: series_id, date, quantity. Prints one JSON line: days,
``flagged`` (the Hampel rule: waits for a manager) and ``auto_candidates``
(flags that also pass the automatic rule's robust-z and next-largest-day
tests; the app approves them only when one order also makes 90% of the day,
which a panel without orders cannot show), with the largest flag's figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecasting.planning.outliers import flag_outliers, spike_candidates  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("panel")
    args = parser.parse_args(argv)
    frame = pd.read_csv(args.panel, parse_dates=["date"])
    frame = frame.rename(columns={"series_id": "product_id"}).assign(
        warehouse_id=0, censored=False
    )
    columns = ["product_id", "warehouse_id", "date", "quantity", "censored"]
    flagged = flag_outliers(frame[columns])
    line = {
        "panel": Path(args.panel).name,
        "days": len(frame),
        "flagged": len(flagged),
        "auto_candidates": int(spike_candidates(flagged).sum()),
    }
    if len(flagged):
        top = flagged.loc[flagged["score"].idxmax()]
        line["largest"] = {
            "quantity": float(top["quantity"]),
            "score": round(float(top["score"]), 2),
            "next": float(top["next"]),
        }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
