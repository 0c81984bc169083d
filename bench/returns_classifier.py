"""Benchmark of the returns classifier: the product's model on labelled returns.

    python bench/returns_classifier.py             # held-out split + messy split
    python bench/returns_classifier.py --holdout   # the shipped set's held-out groups
    python bench/returns_classifier.py --messy     # returns/data/messy_dev.csv
    python bench/returns_classifier.py DATA.csv    # columns text,category (+ optional
                                                   # disposition, reason_code, value,
                                                   # product_category, condition, lang)
    python bench/returns_classifier.py --ablation  # what each step buys (messy split)
    python bench/returns_classifier.py --learning 10,30  # corrections -> messy gain

The model is always trained on the project's own shipped set (with its messy
augmentation), never on DATA or the messy split. One JSON line per data set:
macro-F1, accuracy, calibration error (ECE), auto-accept share and precision at the
model's own thresholds (chosen out of fold for 99% precision, per language when
that accepts more), then per language and per category. A last line gives the
training time and the time to classify one return.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from returns.classifier import (  # noqa: E402
    evaluate,
    load_training_set,
    predict,
    split_holdout,
    train,
)
from returns.classifier.features import TextOptions  # noqa: E402
from returns.data import messy  # noqa: E402

OFF = TextOptions(
    fold_traditional=False, expand_chat=False, pinyin=False, decisive=False,
    lexicon=False,
)  # fmt: skip
ABLATION = [
    ("no augmentation, no folding (tidy-text model)", OFF, 0.0),
    ("+ messy augmentation", OFF, None),
    (
        "+ traditional->simplified, chat words",
        TextOptions(pinyin=False, decisive=False, lexicon=False),
        None,
    ),
    ("+ pinyin view", TextOptions(decisive=False, lexicon=False), None),
    ("+ deciding clause", TextOptions(lexicon=False), None),
    ("+ category words, negation-aware (full model)", TextOptions(), None),
]


def read_data(path: str | Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = {"text", "category"} - set(frame.columns)
    if missing:
        raise SystemExit(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    frame["category"] = frame["category"].str.strip()
    return frame


def _round(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


def score(model, name: str, data: pd.DataFrame) -> dict:
    thresholds = model.metadata.get("recommended_threshold_by_lang")
    report = evaluate(model, data, threshold=thresholds)
    line = {"data": name}
    for key in (
        "n",
        "macro_f1",
        "accuracy",
        "calibration_error",
        "auto_accept_share",
        "auto_accept_precision",
        "threshold",
        "disposition_accuracy",
        "by_lang",
        "f1_by_category",
    ):
        if key in report:
            line[key] = _round(report[key])
    return line


def datasets(args) -> list[tuple[str, pd.DataFrame]]:
    found = []
    if args.data:
        found.append((args.data, read_data(args.data)))
    if args.holdout or not (args.data or args.messy):
        found.append(("shipped held-out split", split_holdout(load_training_set())[1]))
    if args.messy or not (args.data or args.holdout):
        rows = read_data(messy.OUT)
        found.append(("messy split (all)", rows))
        for part in ("unseen", "seen_phrase"):
            found.append((f"messy split ({part})", rows[rows["split"] == part]))
    return found


def one_return_ms(model, rows: pd.DataFrame, n: int = 200) -> dict:
    records = rows.sample(min(n, len(rows)), random_state=0).to_dict("records")
    predict(model, records[:1])  # warm
    wall, cpu = [], []
    for record in records:
        started, started_cpu = time.perf_counter(), time.process_time()
        predict(model, [record])
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    wall.sort()
    return {
        "one_return_ms_median": round(statistics.median(wall), 2),
        "one_return_ms_p95": round(wall[int(0.95 * (len(wall) - 1))], 2),
        "one_return_cpu_ms_median": round(statistics.median(cpu), 2),
    }


def ablation() -> None:
    holdout = split_holdout(load_training_set())[1]
    rows = read_data(messy.OUT)
    unseen = rows[rows["split"] == "unseen"]
    for name, options, share in ABLATION:
        extra = {} if share is None else {"augment_share": share}
        model = train(tune_threshold=False, options=options, **extra)
        line = {"step": name}
        for label, data in (
            ("messy_all", rows),
            ("messy_unseen", unseen),
            ("holdout", holdout),
        ):
            report = evaluate(model, data)
            line[f"{label}_macro_f1"] = round(report["macro_f1"], 4)
            line[f"{label}_ece"] = round(report["calibration_error"], 4)
        print(json.dumps(line, ensure_ascii=False), flush=True)


def learning(counts: list[int]) -> None:
    """Staff correct N returns of the kind the model misses most (the unseen
    phrase group with the most errors, rendered afresh); retrain; score again."""
    rows = read_data(messy.OUT)
    unseen = rows[rows["split"] == "unseen"].reset_index(drop=True)
    model = train(tune_threshold=False)
    predicted = [p.category for p in predict(model, unseen)]
    misses = unseen[
        [p != c for p, c in zip(predicted, unseen["category"], strict=True)]
    ]
    kind = misses["phrase_group"].value_counts().index[0]
    category = unseen.loc[unseen["phrase_group"] == kind, "category"].iloc[0]
    same_kind = unseen[unseen["phrase_group"] == kind]
    before = evaluate(model, unseen)
    before_kind = evaluate(model, same_kind)
    pool = messy.rows_of_group(kind, max(counts), seed=messy.SEED + 1)
    seen_texts = set(unseen["text"])
    pool = [row for row in pool if row["text"] not in seen_texts]
    for n in counts:
        corrections = pool[:n]
        retrained = train(tune_threshold=False, corrections=corrections)
        after = evaluate(retrained, unseen)
        after_kind = evaluate(retrained, same_kind)
        line = {
            "kind": f"{kind} ({category})",
            "corrections": len(corrections),
            "messy_unseen_macro_f1": [
                round(before["macro_f1"], 4),
                round(after["macro_f1"], 4),
            ],
            "messy_unseen_accuracy": [
                round(before["accuracy"], 4),
                round(after["accuracy"], 4),
            ],
            "kind_accuracy": [
                round(before_kind["accuracy"], 4),
                round(after_kind["accuracy"], 4),
            ],
            "kind_rows": int(len(same_kind)),
        }
        print(json.dumps(line, ensure_ascii=False), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", help="CSV with columns text,category")
    parser.add_argument("--holdout", action="store_true", help="shipped held-out split")
    parser.add_argument("--messy", action="store_true", help="the messy split")
    parser.add_argument("--ablation", action="store_true", help="what each step buys")
    parser.add_argument(
        "--learning", metavar="N,N", help="corrections counts for the learning loop"
    )
    args = parser.parse_args(argv)
    random.seed(0)
    if args.ablation:
        ablation()
        return 0
    if args.learning:
        learning([int(n) for n in args.learning.split(",")])
        return 0

    started, started_cpu = time.perf_counter(), time.process_time()
    model = train()
    train_seconds = time.perf_counter() - started
    train_cpu_seconds = time.process_time() - started_cpu
    found = datasets(args)
    for name, data in found:
        print(json.dumps(score(model, name, data), ensure_ascii=False), flush=True)
    speed = {
        "train_seconds": round(train_seconds, 1),
        "train_cpu_seconds": round(train_cpu_seconds, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "model_version": model.version,
        "thresholds": _round(model.metadata.get("recommended_threshold_by_lang")),
        **one_return_ms(model, found[-1][1]),
    }
    print(json.dumps(speed, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
