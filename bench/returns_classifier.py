"""Benchmark of the returns classifier: scores the product's model on a labelled CSV.

    python bench/returns_classifier.py DATA.csv   # columns text,category (+ optional
                                                  # disposition, reason_code, value,
                                                  # product_category, condition, ...)
    python bench/returns_classifier.py --holdout  # the shipped set's held-out groups

The model is always trained on the project's own shipped set, never on DATA. Prints
one JSON line. Auto-accept figures use the default threshold; the value limit only
applies when DATA has a `value` column; per-language macro-F1 needs a `lang` column
(zh/en/mixed), which the shipped held-out split has.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from returns.classifier import (  # noqa: E402
    DEFAULT_THRESHOLD,
    evaluate,
    load_training_set,
    split_holdout,
    train,
)


def read_data(path: str) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = {"text", "category"} - set(frame.columns)
    if missing:
        raise SystemExit(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    frame["category"] = frame["category"].str.strip()
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="CSV with columns text,category")
    parser.add_argument(
        "--holdout", action="store_true", help="score the shipped held-out split"
    )
    args = parser.parse_args(argv)
    if bool(args.data) == args.holdout:
        parser.error("give either DATA.csv or --holdout")

    started = time.perf_counter()
    model = train(tune_threshold=False)
    train_seconds = time.perf_counter() - started
    if args.holdout:
        _, data = split_holdout(load_training_set())
    else:
        data = read_data(args.data)

    started = time.perf_counter()
    report = evaluate(model, data, threshold=DEFAULT_THRESHOLD)
    seconds = time.perf_counter() - started
    line = {
        "n": report["n"],
        "macro_f1": round(report["macro_f1"], 4),
        "accuracy": round(report["accuracy"], 4),
        "threshold": DEFAULT_THRESHOLD,
        "auto_accept_share": round(report["auto_accept_share"], 4),
        "auto_accept_precision": (
            None
            if report["auto_accept_precision"] is None
            else round(report["auto_accept_precision"], 4)
        ),
        "calibration_error": round(report["calibration_error"], 4),
        "seconds": round(seconds, 3),
        "train_seconds": round(train_seconds, 3),
        "model_version": model.version,
    }
    if "disposition_accuracy" in report:
        line["disposition_accuracy"] = round(report["disposition_accuracy"], 4)
    for lang, score in report.get("macro_f1_by_lang", {}).items():
        line[f"macro_f1_{lang}"] = round(score, 4)  # when the data has a lang column
    print(json.dumps(line, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
