"""A versioned returns classifier: its estimators, serialising it, applying it.

Training lives in training.py, measuring in evaluation.py; both build on this
module, which imports neither.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import joblib
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from threadpoolctl import ThreadpoolController

from returns.classifier import fast
from returns.classifier.features import (
    DEFAULT_OPTIONS,
    TextOptions,
    has_content,
    records_to_frame,
)
from returns.classifier.text import clauses

# With no words from the customer the model only has the shop's code and the
# product to go on; never let that look confident enough to skip a human.
EMPTY_TEXT_CONFIDENCE_CAP = 0.5
CALIBRATION_FOLDS = 3
TOP_K = 3
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


def disposition_matrix(transformer, features: pd.DataFrame, category_probs):
    """Condition/product features plus the category distribution: true categories
    (one-hot) in training, the category model's probabilities in prediction."""
    dense = np.asarray(fast.transform(transformer, features), dtype=np.float64)
    return np.hstack([dense, category_probs])


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
    matrix = disposition_matrix(model.disposition_features, features, proba)
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
