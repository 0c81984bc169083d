"""Measuring a returns classifier: held-out scores, calibration, auto-accept
precision, threshold tuning and the promotion decision between versions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from returns.classifier import dataset, rules
from returns.classifier.augment import lang_of
from returns.classifier.features import (
    DEFAULT_OPTIONS,
    TextOptions,
    category_features,
    records_to_frame,
)
from returns.classifier.labels import CATEGORIES, LANGUAGES
from returns.classifier.model import (
    TrainedModel,
    calibrated_svm,
    cap_empty_text,
    group_folds,
    predict,
)

OOF_FOLDS = 3
OOF_CALIBRATION_FOLDS = 2


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
    `threshold` is one number or one per prediction.
    """
    values = [0.0] * len(categories) if values is None else values
    thresholds = np.broadcast_to(np.asarray(threshold, dtype=float), (len(values),))
    rows = zip(categories, confidences, reason_codes, values, thresholds, strict=True)
    return np.array(
        [
            rules.auto_accept(
                category=cat,
                confidence=conf,
                reason_code=code,
                value=value,
                threshold=float(limit),
            ).accepted
            for cat, conf, code, value, limit in rows
        ],
        dtype=bool,
    )


def row_thresholds(texts, threshold: float | dict | None) -> np.ndarray:
    """The auto-accept threshold of each row: one number, or one per language
    of the text's script (`augment.lang_of`: zh, en, mixed)."""
    if threshold is None:
        threshold = rules.DEFAULT_THRESHOLD
    if isinstance(threshold, dict):
        fallback = max(threshold.values()) if threshold else rules.DEFAULT_THRESHOLD
        return np.array(
            [threshold.get(lang_of(str(t)), fallback) for t in texts], dtype=float
        )
    return np.full(len(texts), float(threshold))


def _slice_scores(truth, predicted, confidence, accepted) -> dict:
    correct = predicted == truth
    return {
        "n": int(len(truth)),
        "macro_f1": macro_f1(truth, predicted),
        "accuracy": float(correct.mean()) if len(truth) else float("nan"),
        "calibration_error": calibration_error(confidence, correct),
        "auto_accept_share": float(accepted.mean()) if len(truth) else 0.0,
        "auto_accept_precision": (
            float(correct[accepted].mean()) if accepted.any() else None
        ),
    }


def evaluate(
    model: TrainedModel,
    df: pd.DataFrame,
    *,
    threshold: float | dict[str, float] | None = None,
) -> dict:
    """Scores of `model` on labelled rows `df` (columns text, category, optional
    disposition, reason_code, lang and feature columns). `threshold` is one
    auto-accept threshold or one per language (zh/en/mixed by script)."""
    df = df.reset_index(drop=True)
    predictions = predict(model, df)
    truth = df["category"].astype(str).to_numpy()
    predicted = np.array([p.category for p in predictions])
    confidence = np.array([p.category_confidence for p in predictions])
    codes = df["reason_code"] if "reason_code" in df else [None] * len(df)
    values = None
    if "value" in df:
        numbers = pd.to_numeric(df["value"], errors="coerce")
        values = [None if pd.isna(v) else float(v) for v in numbers]
    per_row = row_thresholds(df["text"].fillna("").astype(str), threshold)
    accepted = auto_accept_mask(
        predicted, confidence, codes, threshold=per_row, values=values
    )
    report = {
        **_slice_scores(truth, predicted, confidence, accepted),
        "threshold": threshold
        if isinstance(threshold, dict)
        else float(per_row[0] if len(per_row) else rules.DEFAULT_THRESHOLD),
    }
    report["f1_by_category"] = {
        category: float(f1_score(truth, predicted, labels=[category], average="macro"))
        for category in CATEGORIES
        if (truth == category).any()
    }
    if "lang" in df:
        langs = df["lang"].fillna("").astype(str).to_numpy()
        by_lang = {
            lang: _slice_scores(
                truth[langs == lang],
                predicted[langs == lang],
                confidence[langs == lang],
                accepted[langs == lang],
            )
            for lang in LANGUAGES
            if (langs == lang).any()
        }
        report["by_lang"] = by_lang
        report["macro_f1_by_lang"] = {k: v["macro_f1"] for k, v in by_lang.items()}
    if "disposition" in df and df["disposition"].astype(bool).any():
        known = df["disposition"].fillna("").astype(str).to_numpy()
        has = known != ""
        got = np.array([p.disposition for p in predictions])
        report["disposition_accuracy"] = float((got[has] == known[has]).mean())
    return report


def out_of_fold_confidences(
    train_df: pd.DataFrame,
    weights,
    options: TextOptions = DEFAULT_OPTIONS,
    features: pd.DataFrame | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(predicted, confidence, truth) for every training row from a model that did
    not see its phrase group: honest data for choosing a threshold.

    The (unsupervised) vectorisers are fitted once on all rows to keep this cheap;
    a fold's classifier still gets no signal from the rows it is scored on.
    """
    if features is None:
        features = records_to_frame(train_df, options)
    matrix = category_features(options).fit_transform(features)
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


def out_of_fold_thresholds(
    train_df: pd.DataFrame,
    weights,
    options: TextOptions = DEFAULT_OPTIONS,
    features: pd.DataFrame | None = None,
) -> dict:
    """Auto-accept thresholds for the target precision, from out-of-fold
    predictions: {"overall": t, "by_lang": {lang: t}}. The per-language ones are
    kept only when they accept more out-of-fold rows than the overall one does
    (each language then meets the target, so the whole does too); otherwise every
    language gets the overall threshold."""
    predicted, confidence, truth = out_of_fold_confidences(
        train_df, weights, options, features
    )
    codes = train_df["reason_code"].tolist()
    passes_code = auto_accept_mask(predicted, np.ones(len(codes)), codes, threshold=0)
    correct = predicted == truth
    overall = rules.choose_threshold(confidence[passes_code], correct[passes_code])
    langs = np.array([lang_of(str(t)) for t in train_df["text"].fillna("")])
    by_lang = {}
    for lang in LANGUAGES:
        mine = passes_code & (langs == lang)
        by_lang[lang] = (
            rules.choose_threshold(confidence[mine], correct[mine])
            if mine.sum() >= 100
            else overall
        )
    per_row = np.array([by_lang[lang] for lang in langs])
    share_by_lang = (passes_code & (confidence >= per_row)).mean()
    share_overall = (passes_code & (confidence >= overall)).mean()
    if share_by_lang <= share_overall:
        by_lang = dict.fromkeys(LANGUAGES, overall)
    return {"overall": overall, "by_lang": by_lang}


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
