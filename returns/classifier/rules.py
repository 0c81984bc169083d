"""Auto-accept rule for classified returns and the shop reason-code vocabulary.

Pure functions over plain values: the Django side stores the threshold, the value
limit and (optionally) its own code mapping, and passes them in.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from returns.classifier.labels import CATEGORIES

# The lowest confidence at which auto-accepted predictions stay >= 99% correct on
# out-of-fold predictions (folds hold out whole phrase groups) over the shipped
# training split with its messy variants: `train()` records it as
# metadata["recommended_threshold"] (0.932), rounded up to the next hundredth.
DEFAULT_THRESHOLD = 0.94
DEFAULT_VALUE_LIMIT = 50.0
TARGET_PRECISION = 0.99

# Which reason categories each canonical shop reason code is compatible with.
# A code contradicts a prediction whose category is not in its set.
REASON_CODE_CATEGORIES: dict[str, frozenset[str]] = {
    "damaged": frozenset({"damaged_in_transit", "defective"}),
    "defective": frozenset({"defective", "damaged_in_transit"}),
    "quality_issue": frozenset({"defective", "not_as_described", "damaged_in_transit"}),
    "wrong_item": frozenset({"wrong_item", "not_as_described"}),
    "not_as_described": frozenset(
        {"not_as_described", "wrong_item", "size_fit", "defective"}
    ),
    "size_issue": frozenset({"size_fit", "wrong_item", "not_as_described"}),
    "no_longer_needed": frozenset({"changed_mind", "late_delivery", "other"}),
    "no_reason": frozenset({"changed_mind", "size_fit", "late_delivery", "other"}),
    "arrived_late": frozenset({"late_delivery"}),
    "other": frozenset(CATEGORIES),
}
# Spellings shops send for the canonical codes (Chinese platforms, synonyms).
REASON_CODE_ALIASES = {
    "质量问题": "quality_issue",
    "发错货": "wrong_item",
    "七天无理由": "no_reason",
    "七天无理由退货": "no_reason",
    "尺码不合适": "size_issue",
    "与描述不符": "not_as_described",
    "物流太慢": "arrived_late",
    "商品破损": "damaged",
    "damaged_in_transit": "damaged",
    "broken": "damaged",
    "faulty": "defective",
    "size": "size_issue",
    "doesnt_fit": "size_issue",
    "changed_mind": "no_longer_needed",
    "late": "arrived_late",
    "late_delivery": "arrived_late",
    "nad": "not_as_described",
}


def normalise_reason_code(code: object) -> str:
    """Canonical form of a shop reason code; "" for missing, unknown codes kept."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    text = unicodedata.normalize("NFKC", str(code)).strip().lower()
    text = "_".join(text.replace("-", " ").replace("/", " ").split())
    return REASON_CODE_ALIASES.get(text, text)


def reason_code_contradicts(
    code: object,
    category: str,
    mapping: Mapping[str, Sequence[str]] | None = None,
) -> bool:
    """True when the shop's code rules the predicted category out.

    An empty code contradicts nothing. A code the mapping does not know cannot
    vouch for any prediction, so it counts as contradicting (staff look at it).
    """
    mapping = REASON_CODE_CATEGORIES if mapping is None else mapping
    canonical = normalise_reason_code(code)
    if not canonical:
        return False
    compatible = mapping.get(canonical)
    return compatible is None or category not in compatible


@dataclass(frozen=True)
class AutoAcceptDecision:
    accepted: bool
    reasons: tuple[str, ...]  # why it was not accepted; empty when accepted


def auto_accept(
    *,
    category: str,
    confidence: float,
    reason_code: object = None,
    value: float | None,
    threshold: float = DEFAULT_THRESHOLD,
    value_limit: float = DEFAULT_VALUE_LIMIT,
    reason_code_mapping: Mapping[str, Sequence[str]] | None = None,
) -> AutoAcceptDecision:
    """Accept a prediction without staff review only when all three checks pass."""
    reasons = []
    if not confidence >= threshold:  # also refuses NaN
        reasons.append("confidence below threshold")
    if value is None or not value <= value_limit:
        reasons.append("value above limit or unknown")
    if reason_code_contradicts(reason_code, category, reason_code_mapping):
        reasons.append("shop reason code contradicts the prediction")
    return AutoAcceptDecision(accepted=not reasons, reasons=tuple(reasons))


def choose_threshold(
    confidences: Sequence[float],
    correct: Sequence[bool],
    *,
    target: float = TARGET_PRECISION,
    min_accepted: int = 30,
) -> float:
    """Lowest threshold whose accepted set is at least `target` precise.

    Scans candidate thresholds from high to low and stops at the first one that
    breaks the target, so every threshold above the answer also meets it (except
    among the first `min_accepted` predictions, where one miss swings the ratio).
    Returns 1.0 (accept nothing) when no threshold meets the target.
    """
    pairs = sorted(zip(confidences, correct, strict=True), key=lambda p: -p[0])
    best = 1.0
    hits = 0
    for n, (conf, ok) in enumerate(pairs, start=1):
        hits += bool(ok)
        is_cut = n == len(pairs) or pairs[n][0] < conf
        if not is_cut:
            continue
        if hits / n < target:
            if n >= min_accepted:
                break
            continue
        best = float(conf)
    return best
