"""Measuring a returns classifier: held-out scores, calibration, auto-accept
precision, threshold tuning and the promotion decision between versions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from returns.classifier import dataset, rules
from returns.classifier.features import category_features, records_to_frame
from returns.classifier.labels import CATEGORIES
from returns.classifier.model import (
    TrainedModel,
    calibrated_svm,
    cap_empty_text,
    group_folds,
    predict,
)

OOF_FOLDS = 4
OOF_CALIBRATION_FOLDS = 3


def macro_f1(truth, predicted) -> float:
    """Macro-F1 over the categories present in the truth (absent ones are no signal)."""
    present = sorted(set(truth))
    return float(
        f1_score(truth, predicted, labels=present, average="macro", zero_division=0)
    )


def calibration_error(confidences, correct, bins: int = 10) -> float:
    """Expected calibration error of the top-class confidence (0 = perfect)."""
    confidences = np.asarray(confidences, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if not len(confidences):
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidences, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            gap = abs(confidences[in_bin].mean() - correct[in_bin].mean())
            error += in_bin.mean() * gap
    return float(error)


def auto_accept_mask(
    categories, confidences, reason_codes, *, threshold: float, values=None
) -> np.ndarray:
    """Which predictions the rule accepts. Without `values` the value limit is left
    out: it is not a property of the model, and the shipped set has no order value.
    """
    values = [0.0] * len(categories) if values is None else values
    rows = zip(categories, confidences, reason_codes, values, strict=True)
    return np.array(
        [
            rules.auto_accept(
                category=cat,
                confidence=conf,
                reason_code=code,
                value=value,
                threshold=threshold,
            ).accepted
            for cat, conf, code, value in rows
        ],
        dtype=bool,
    )


def evaluate(
    model: TrainedModel, df: pd.DataFrame, *, threshold: float | None = None
) -> dict:
    """Scores of `model` on labelled rows `df` (columns text, category, optional
    disposition, reason_code, lang and feature columns)."""
    threshold = rules.DEFAULT_THRESHOLD if threshold is None else threshold
    df = df.reset_index(drop=True)
    predictions = predict(model, df)
    truth = df["category"].astype(str).to_numpy()
    predicted = np.array([p.category for p in predictions])
    confidence = np.array([p.category_confidence for p in predictions])
    correct = predicted == truth
    codes = df["reason_code"] if "reason_code" in df else [None] * len(df)
    values = None
    if "value" in df:
        numbers = pd.to_numeric(df["value"], errors="coerce")
        values = [None if pd.isna(v) else float(v) for v in numbers]
    accepted = auto_accept_mask(
        predicted, confidence, codes, threshold=threshold, values=values
    )
    report = {
        "n": int(len(df)),
        "macro_f1": macro_f1(truth, predicted),
        "accuracy": float(accuracy_score(truth, predicted)),
        "calibration_error": calibration_error(confidence, correct),
        "threshold": float(threshold),
        "auto_accept_share": float(accepted.mean()) if len(df) else 0.0,
        "auto_accept_precision": (
            float(correct[accepted].mean()) if accepted.any() else None
        ),
    }
    if "lang" in df:
        langs = df["lang"].fillna("").astype(str).to_numpy()
        report["macro_f1_by_lang"] = {
            lang: macro_f1(truth[langs == lang], predicted[langs == lang])
            for lang in ("zh", "en", "mixed")
            if (langs == lang).any()
        }
    if "disposition" in df and df["disposition"].astype(bool).any():
        known = df["disposition"].fillna("").astype(str).to_numpy()
        has = known != ""
        got = np.array([p.disposition for p in predictions])
        report["disposition_accuracy"] = float((got[has] == known[has]).mean())
    return report


def out_of_fold_confidences(
    train_df: pd.DataFrame, weights
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(predicted, confidence, truth) for every training row from a model that did
    not see its phrase group: honest data for choosing a threshold.

    The (unsupervised) vectorisers are fitted once on all rows to keep this cheap;
    a fold's classifier still gets no signal from the rows it is scored on.
    """
    features = records_to_frame(train_df)
    matrix = category_features().fit_transform(features)
    truth = train_df["category"].astype(str).to_numpy()
    groups = train_df["phrase_group"].astype(str).to_numpy()
    weights = np.asarray(weights)
    predicted = np.empty(len(train_df), dtype=object)
    confidence = np.zeros(len(train_df))
    for fit_idx, test_idx in group_folds(list(groups), OOF_FOLDS):
        fold = calibrated_svm(list(groups[fit_idx]), OOF_CALIBRATION_FOLDS)
        fold.fit(matrix[fit_idx], truth[fit_idx], sample_weight=weights[fit_idx])
        proba = cap_empty_text(
            fold.predict_proba(matrix[test_idx]), features["text"].iloc[test_idx]
        )
        predicted[test_idx] = fold.classes_[proba.argmax(axis=1)]
        confidence[test_idx] = proba.max(axis=1)
    return predicted, confidence, truth


def out_of_fold_threshold(train_df: pd.DataFrame, weights) -> float:
    predicted, confidence, truth = out_of_fold_confidences(train_df, weights)
    codes = train_df["reason_code"].tolist()
    passes_code = auto_accept_mask(predicted, np.ones(len(codes)), codes, threshold=0)
    return rules.choose_threshold(
        confidence[passes_code], (predicted == truth)[passes_code]
    )


@dataclass(frozen=True)
class PromotionDecision:
    promote: bool
    candidate_macro_f1: float
    current_macro_f1: float | None
    reason: str


def should_promote(
    candidate: TrainedModel,
    current: TrainedModel | None,
    holdout: pd.DataFrame | None = None,
) -> PromotionDecision:
    """Promote `candidate` only if its macro-F1 is not below `current`'s, both
    scored now on the same held-out rows (the shipped held-out split by default)."""
    if holdout is None:
        _, holdout = dataset.split_holdout(dataset.load_training_set())
    holdout = holdout[holdout["category"].isin(CATEGORIES)]
    new = evaluate(candidate, holdout)["macro_f1"]
    if current is None:
        return PromotionDecision(True, new, None, "no current model")
    old = evaluate(current, holdout)["macro_f1"]
    if new >= old:
        return PromotionDecision(True, new, old, "macro-F1 not worse than current")
    return PromotionDecision(False, new, old, "macro-F1 worse than current")
