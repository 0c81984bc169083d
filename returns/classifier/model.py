"""Training, serialising and applying a versioned returns classifier."""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from threadpoolctl import ThreadpoolController

from returns.classifier import dataset, fast
from returns.classifier.augment import augment
from returns.classifier.features import (
    DEFAULT_OPTIONS,
    TextOptions,
    category_features,
    disposition_features,
    has_content,
    records_to_frame,
)
from returns.classifier.labels import CATEGORIES, DISPOSITIONS
from returns.classifier.text import clauses

CORRECTION_WEIGHT = 5.0
# With no words from the customer the model only has the shop's code and the
# product to go on; never let that look confident enough to skip a human.
EMPTY_TEXT_CONFIDENCE_CAP = 0.5
CALIBRATION_FOLDS = 3
TOP_K = 3
# Messy variants per training row (see augment.py); they weigh like the original.
AUGMENT_SHARE = 1.0
# A clause of its own that the model reads as another category with at least
# this confidence is shown to staff as a secondary reason.
SECONDARY_MIN_CONFIDENCE = 0.5
# The disposition trees are small; OpenMP threads only add start-up and, on a busy
# worker, spin-wait time (seconds for a single record under load).
SINGLE_THREAD = {"limits": 1, "user_api": "openmp"}


@functools.cache
def _threadpools() -> ThreadpoolController:
    # Finding the loaded libraries reads /proc: once per process, not per return.
    return ThreadpoolController()


def threadpool_limits(**limits):
    return _threadpools().limit(**limits)


@dataclass(frozen=True)
class Prediction:
    category: str
    category_confidence: float
    top_alternatives: list[tuple[str, float]]  # best three, the chosen one first
    disposition: str
    disposition_confidence: float
    model_version: str
    # Other complaints in the same text (category, confidence), strongest first;
    # the category above is the one that decides.
    secondary: list[tuple[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainedModel:
    version: str
    category_model: Pipeline
    disposition_features: object
    disposition_model: HistGradientBoostingClassifier
    metadata: dict = field(default_factory=dict)
    options: TextOptions = DEFAULT_OPTIONS

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.category_model.classes_)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> TrainedModel:
        # joblib is pickle: only load bytes this project stored itself.
        model = joblib.load(io.BytesIO(payload))
        if not isinstance(model, cls):
            raise TypeError(f"payload holds {type(model).__name__}, not {cls.__name__}")
        return model


def group_folds(groups: Sequence[str], n_splits: int) -> list:
    n_splits = min(n_splits, len(set(groups)))
    rows = np.zeros(len(groups))  # GroupKFold splits on groups only
    return list(GroupKFold(n_splits=n_splits).split(rows, groups=groups))


def calibrated_svm(groups: Sequence[str], folds: int = CALIBRATION_FOLDS):
    """Linear SVM, temperature-scaled on folds that hold out whole phrase groups
    (row-wise folds would put paraphrase twins on both sides and flatter it)."""
    return CalibratedClassifierCV(
        LinearSVC(C=0.3, class_weight="balanced", random_state=0),
        method="temperature",
        cv=group_folds(groups, folds),
        # One SVM on all rows and one temperature fitted on the folds' held-out
        # scores: a third of the prediction time of an ensemble of fold models.
        ensemble=False,
    )


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


def _disposition_matrix(transformer, features: pd.DataFrame, category_probs):
    """Condition/product features plus the category distribution: true categories
    (one-hot) in training, the category model's probabilities in prediction."""
    dense = np.asarray(fast.transform(transformer, features), dtype=np.float64)
    return np.hstack([dense, category_probs])


def _category_one_hot(categories: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    onehot = np.zeros((len(categories), len(labels)))
    for row, category in enumerate(categories):
        if category in index:
            onehot[row, index[category]] = 1.0
    return onehot


def _training_frame(df, corrections, correction_weight, augment_share):
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
    from returns.classifier import evaluation  # evaluation imports this module

    train_df, holdout_df, weights, n_corrections, n_source = _training_frame(
        df, corrections, correction_weight, augment_share
    )
    features = records_to_frame(train_df, options)
    groups = train_df["phrase_group"].astype(str).tolist()
    category_model = fit_category_model(
        features, train_df["category"], groups, weights, options
    )
    labels = list(category_model.classes_)

    has_disposition = train_df["disposition"].isin(DISPOSITIONS).to_numpy()
    transformer = disposition_features().fit(features[has_disposition])
    onehot = _category_one_hot(train_df["category"][has_disposition], labels)
    disposition_model = HistGradientBoostingClassifier(
        max_iter=60, learning_rate=0.1, random_state=0
    )
    with threadpool_limits(**SINGLE_THREAD):
        disposition_model.fit(
            _disposition_matrix(transformer, features[has_disposition], onehot),
            train_df["disposition"][has_disposition],
            sample_weight=weights[has_disposition],
        )

    trained_at = datetime.now(UTC)
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(train_df[["text", "category"]], index=False)
        .to_numpy()
        .tobytes()
    ).hexdigest()[:8]
    model = TrainedModel(
        version=f"returns-{trained_at:%Y%m%dT%H%M%SZ}-{digest}",
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
    model.metadata = {
        "version": model.version,
        "trained_at": trained_at.isoformat(),
        "n_samples": int(len(train_df)),
        "n_source_rows": int(n_source),  # shipped rows trained on, before variants
        "n_corrections": n_corrections,
        "n_holdout": int(len(holdout_df)),
        "labels": labels,
        "dispositions": list(disposition_model.classes_),
        "macro_f1": report["macro_f1"],
        "macro_f1_by_lang": report.get("macro_f1_by_lang", {}),
        "accuracy": report["accuracy"],
        "calibration_error": report["calibration_error"],
        "auto_accept_threshold": report["threshold"],
        "auto_accept_share": report["auto_accept_share"],
        "auto_accept_precision": report["auto_accept_precision"],
        "disposition_accuracy": report.get("disposition_accuracy"),
        "sklearn_version": sklearn.__version__,
        "options": asdict(options),
    }
    if thresholds:
        model.metadata["recommended_threshold"] = thresholds["overall"]
        model.metadata["recommended_threshold_by_lang"] = thresholds["by_lang"]
    return model


def cap_empty_text(proba: np.ndarray, texts: pd.Series) -> np.ndarray:
    """Blend rows whose text has no words towards uniform, so that their top class
    lands exactly on EMPTY_TEXT_CONFIDENCE_CAP."""
    empty = ~texts.map(has_content).to_numpy()
    if empty.any():
        k = proba.shape[1]
        top = proba[empty].max(axis=1, keepdims=True)
        alpha = np.clip(
            (EMPTY_TEXT_CONFIDENCE_CAP - 1 / k) / np.maximum(top - 1 / k, 1e-9), 0, 1
        )
        proba[empty] = alpha * proba[empty] + (1 - alpha) / k
    return proba


def category_proba(category_model: Pipeline, features: pd.DataFrame) -> np.ndarray:
    """Calibrated probabilities, capped where the customer gave no words."""
    matrix = fast.transform(category_model.named_steps["features"], features)
    proba = category_model.named_steps["clf"].predict_proba(matrix)
    return cap_empty_text(proba, features["text"])


def _options(model: TrainedModel) -> TextOptions:
    return getattr(model, "options", DEFAULT_OPTIONS)  # models stored before it


def _with_clauses(model: TrainedModel, features: pd.DataFrame):
    """The records' features followed by one row per clause of the texts that
    make several complaints, so one pass scores both; (frame, owner per clause)."""
    owners, pieces = [], []
    for row, text in enumerate(features["text"].tolist()):
        found = clauses(text)
        if len(found) >= 2:
            owners.extend([row] * len(found))
            pieces.extend(found)
    if not pieces:
        return features, owners
    extra = records_to_frame([{"text": p} for p in pieces], _options(model))
    return pd.concat([features, extra], ignore_index=True), owners


def secondary_reasons(
    labels: Sequence[str], main: Sequence[str], owners: Sequence[int], proba
) -> list[list[tuple[str, float]]]:
    """Per text, the other complaints it makes: each clause read on its own
    (denials like "not damaged" left out, see text.clauses), kept when the model
    is confident it names a category other than the deciding one."""
    result: list[dict[str, float]] = [{} for _ in main]
    for owner, row in zip(owners, proba, strict=True):
        best = int(np.argmax(row))
        label, confidence = str(labels[best]), float(row[best])
        if label != main[owner] and confidence >= SECONDARY_MIN_CONFIDENCE:
            seen = result[owner].get(label, 0.0)
            result[owner][label] = max(seen, round(confidence, 4))
    return [sorted(found.items(), key=lambda kv: -kv[1]) for found in result]


def predict(model: TrainedModel, records) -> list[Prediction]:
    """Classify return records (mappings or a DataFrame) without raising on odd
    values: missing, empty, very long, mixed-script or emoji text all get a
    prediction, with low confidence where there is little to go on."""
    features = records_to_frame(records, _options(model))
    if features.empty:
        return []
    labels = model.labels
    scored, owners = _with_clauses(model, features)
    every = category_proba(model.category_model, scored)
    proba, clause_proba = every[: len(features)], every[len(features) :]
    matrix = _disposition_matrix(model.disposition_features, features, proba)
    with threadpool_limits(**SINGLE_THREAD):
        disposition_proba = model.disposition_model.predict_proba(matrix)
    dispositions = model.disposition_model.classes_
    main = [str(labels[i]) for i in proba.argmax(axis=1)]
    secondary = secondary_reasons(labels, main, owners, clause_proba)
    predictions = []
    for row, disp_row, others in zip(proba, disposition_proba, secondary, strict=True):
        order = np.argsort(-row, kind="stable")[:TOP_K]
        best_disp = int(np.argmax(disp_row))
        predictions.append(
            Prediction(
                category=str(labels[order[0]]),
                category_confidence=float(row[order[0]]),
                top_alternatives=[(str(labels[i]), float(row[i])) for i in order],
                disposition=str(dispositions[best_disp]),
                disposition_confidence=float(disp_row[best_disp]),
                model_version=model.version,
                secondary=others,
            )
        )
    return predictions


def category_probabilities(model: TrainedModel, records) -> pd.DataFrame:
    """Calibrated probability per category, one row per record."""
    features = records_to_frame(records, _options(model))
    if features.empty:
        return pd.DataFrame(columns=list(model.labels))
    return pd.DataFrame(
        category_proba(model.category_model, features), columns=list(model.labels)
    )
