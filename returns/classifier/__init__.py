"""Returns classifier: reason category and disposition for customer return texts.

Plain Python (pandas, scikit-learn); no Django import, so the Django side, Celery
tasks and benchmarks all call the same functions.
"""

from returns.classifier.dataset import load_training_set, split_holdout
from returns.classifier.evaluation import PromotionDecision, evaluate, should_promote
from returns.classifier.labels import CATEGORIES, DISPOSITIONS
from returns.classifier.model import (
    Prediction,
    TrainedModel,
    category_probabilities,
    predict,
)
from returns.classifier.rules import (
    DEFAULT_THRESHOLD,
    DEFAULT_VALUE_LIMIT,
    REASON_CODE_CATEGORIES,
    AutoAcceptDecision,
    auto_accept,
    reason_code_contradicts,
)
from returns.classifier.training import train

__all__ = [
    "CATEGORIES",
    "DEFAULT_THRESHOLD",
    "DEFAULT_VALUE_LIMIT",
    "DISPOSITIONS",
    "REASON_CODE_CATEGORIES",
    "AutoAcceptDecision",
    "Prediction",
    "PromotionDecision",
    "TrainedModel",
    "auto_accept",
    "category_probabilities",
    "evaluate",
    "load_training_set",
    "predict",
    "reason_code_contradicts",
    "should_promote",
    "split_holdout",
    "train",
]
