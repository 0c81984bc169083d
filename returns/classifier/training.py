"""Training a returns classifier: the shipped set plus weighted staff corrections
in, a scored and versioned TrainedModel out."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline

from returns.classifier import dataset, evaluation
from returns.classifier.augment import augment
from returns.classifier.features import (
    DEFAULT_OPTIONS,
    TextOptions,
    category_features,
    disposition_features,
    records_to_frame,
)
from returns.classifier.labels import CATEGORIES, DISPOSITIONS
from returns.classifier.model import (
    SINGLE_THREAD,
    TrainedModel,
    calibrated_svm,
    disposition_matrix,
    threadpool_limits,
)

CORRECTION_WEIGHT = 5.0
# Messy variants per training row (see augment.py); they weigh like the original.
AUGMENT_SHARE = 1.0


def fit_category_model(
    features: pd.DataFrame,
    labels: Sequence[str],
    groups: Sequence[str],
    weights,
    options: TextOptions = DEFAULT_OPTIONS,
) -> Pipeline:
    """Text and request features into the calibrated SVM."""
    pipeline = Pipeline(
        [("features", category_features(options)), ("clf", calibrated_svm(groups))]
    )
    pipeline.fit(features, list(labels), clf__sample_weight=np.asarray(weights))
    return pipeline


def _category_one_hot(categories: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    onehot = np.zeros((len(categories), len(labels)))
    for row, category in enumerate(categories):
        if category in index:
            onehot[row, index[category]] = 1.0
    return onehot


def _training_frame(df, corrections, correction_weight, augment_share):
    """(train rows, held-out rows, train weights, corrections used, shipped rows
    trained on): the held-out phrase groups are cut before augmenting, so no
    variant of a held-out wording is trained on; rows of unknown category go."""
    df = dataset.load_training_set() if df is None else df
    if "phrase_group" not in df or df["phrase_group"].isna().all():
        df = df.assign(phrase_group=[f"row:{i}" for i in range(len(df))])
    train_df, holdout_df = dataset.split_holdout(df)
    n_source = len(train_df)
    if augment_share > 0:
        train_df = augment(train_df, share=augment_share)
    weights = np.ones(len(train_df))
    n_corrections = 0
    if corrections is not None and len(corrections):
        extra = dataset.prepare_corrections(corrections)
        n_corrections = len(extra)
        train_df = pd.concat([train_df, extra], ignore_index=True)
        weights = np.concatenate([weights, np.full(n_corrections, correction_weight)])
    known = train_df["category"].isin(CATEGORIES).to_numpy()
    train_df = train_df[known].reset_index(drop=True)
    return train_df, holdout_df, weights[known], n_corrections, n_source


def _fit_disposition_model(
    train_df: pd.DataFrame, features: pd.DataFrame, weights, labels: Sequence[str]
):
    """(fitted disposition transformer, fitted trees) on the rows that have a
    disposition; the category enters as the true category, one-hot."""
    has_disposition = train_df["disposition"].isin(DISPOSITIONS).to_numpy()
    transformer = disposition_features().fit(features[has_disposition])
    onehot = _category_one_hot(train_df["category"][has_disposition], labels)
    trees = HistGradientBoostingClassifier(
        max_iter=60, learning_rate=0.1, random_state=0
    )
    with threadpool_limits(**SINGLE_THREAD):
        trees.fit(
            disposition_matrix(transformer, features[has_disposition], onehot),
            train_df["disposition"][has_disposition],
            sample_weight=weights[has_disposition],
        )
    return transformer, trees


def _version(trained_at: datetime, train_df: pd.DataFrame) -> str:
    """returns-<UTC time>-<hash of the texts and categories trained on>."""
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(train_df[["text", "category"]], index=False)
        .to_numpy()
        .tobytes()
    ).hexdigest()[:8]
    return f"returns-{trained_at:%Y%m%dT%H%M%SZ}-{digest}"


def _metadata(
    model: TrainedModel,
    *,
    trained_at: datetime,
    report: dict,
    thresholds: dict | None,
    counts: dict,
) -> dict:
    """What a stored version says about itself: sizes, held-out scores, the
    recommended auto-accept thresholds and what it was built with."""
    metadata = {
        "version": model.version,
        "trained_at": trained_at.isoformat(),
        **counts,
        "labels": list(model.labels),
        "dispositions": list(model.disposition_model.classes_),
        "macro_f1": report["macro_f1"],
        "macro_f1_by_lang": report.get("macro_f1_by_lang", {}),
        "accuracy": report["accuracy"],
        "calibration_error": report["calibration_error"],
        "auto_accept_threshold": report["threshold"],
        "auto_accept_share": report["auto_accept_share"],
        "auto_accept_precision": report["auto_accept_precision"],
        "disposition_accuracy": report.get("disposition_accuracy"),
        "sklearn_version": sklearn.__version__,
        "options": asdict(model.options),
    }
    if thresholds:
        metadata["recommended_threshold"] = thresholds["overall"]
        metadata["recommended_threshold_by_lang"] = thresholds["by_lang"]
    return metadata


def train(
    df: pd.DataFrame | None = None,
    *,
    corrections: pd.DataFrame | list[dict] | None = None,
    correction_weight: float = CORRECTION_WEIGHT,
    tune_threshold: bool = True,
    options: TextOptions = DEFAULT_OPTIONS,
    augment_share: float = AUGMENT_SHARE,
) -> TrainedModel:
    """Train on the shipped set (or `df`) plus weighted staff corrections.

    Whole phrase groups are held out for evaluation and never trained on, so the
    recorded macro-F1 is comparable between versions. `tune_threshold` also runs a
    grouped out-of-fold pass on the training part to recommend auto-accept
    thresholds, overall and per language (a few seconds more). The training part
    is augmented with messy variants first (`augment_share`, see augment.py).
    """
    train_df, holdout_df, weights, n_corrections, n_source = _training_frame(
        df, corrections, correction_weight, augment_share
    )
    features = records_to_frame(train_df, options)
    groups = train_df["phrase_group"].astype(str).tolist()
    category_model = fit_category_model(
        features, train_df["category"], groups, weights, options
    )
    transformer, disposition_model = _fit_disposition_model(
        train_df, features, weights, list(category_model.classes_)
    )
    trained_at = datetime.now(UTC)
    model = TrainedModel(
        version=_version(trained_at, train_df),
        category_model=category_model,
        disposition_features=transformer,
        disposition_model=disposition_model,
        options=options,
    )
    thresholds = None
    if tune_threshold:
        thresholds = evaluation.out_of_fold_thresholds(
            train_df, weights, options, features
        )
    report = evaluation.evaluate(
        model, holdout_df, threshold=thresholds["by_lang"] if thresholds else None
    )
    model.metadata = _metadata(
        model,
        trained_at=trained_at,
        report=report,
        thresholds=thresholds,
        counts={
            "n_samples": int(len(train_df)),
            "n_source_rows": int(n_source),  # shipped rows trained on
            "n_corrections": n_corrections,
            "n_holdout": int(len(holdout_df)),
        },
    )
    return model
