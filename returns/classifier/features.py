"""Turning raw return records into model features: text cleaning, the tokenizer for
mixed Chinese/English text, and the feature transformers of both models.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

from returns.classifier.lexicon import lexicon_features
from returns.classifier.rules import normalise_reason_code
from returns.classifier.text import (
    decisive_clause,
    expand_chat,
    pinyin_view,
    to_simplified,
)

# Complaints state the problem early and the request late; a 10,000-character rant
# keeps both ends, and vectorising stays bounded.
MAX_TEXT_CHARS = 1000
HEAD_CHARS = 700
FEATURE_COLUMNS = (
    "text",
    "reason_code",
    "product_category",
    "condition",
    "days_since_order",
    "unit_cost",
)
_REPEATS = re.compile(r"(.)\1{3,}")
_TOKENS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u3400-\u9fff]")
_CONTENT = re.compile(r"[^\W\d_]")
# An explicit token for "no inspection note": a feature of its own, and it keeps the
# condition vocabulary non-empty when a training set carries no notes at all.
NO_CONDITION = "(none)"


@dataclass(frozen=True)
class TextOptions:
    """Which folding steps and features a model uses (all on in production; the
    bench turns them off one by one to measure what each buys)."""

    fold_traditional: bool = True  # 長度 -> 长度 before anything else
    expand_chat: bool = True  # dont -> don't, pls -> please
    pinyin: bool = True  # word n-grams over the pinyin view
    decisive: bool = True  # word n-grams over the deciding clause
    lexicon: bool = True  # category words named, not negated


DEFAULT_OPTIONS = TextOptions()
DAY_BUCKETS = ((3, "0-3"), (7, "4-7"), (14, "8-14"), (30, "15-30"), (60, "31-60"))


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: not a scalar "missing"
        return False


def clean_text(value: object, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Normalise any value to comparable text: NFKC, lower case, squeezed repeats."""
    if _is_missing(value):
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = str(value)
    if len(text) > 4 * max_chars:  # cheap cut before the full normalisation
        text = text[: 4 * HEAD_CHARS] + " " + text[-4 * (max_chars - HEAD_CHARS) :]
    text = unicodedata.normalize("NFKC", text).lower()
    text = _REPEATS.sub(r"\1\1\1", " ".join(text.split()))
    if len(text) > max_chars:
        tail = max_chars - HEAD_CHARS
        text = text[:HEAD_CHARS] + " … " + text[-tail:]
    return text


def has_content(text: str) -> bool:
    """Whether cleaned text holds at least two letters (any script) to learn from."""
    return len(_CONTENT.findall(text)) >= 2


def mixed_tokens(text: str) -> list[str]:
    """English words and single Chinese characters, so word bigrams span both."""
    return _TOKENS.findall(text)


def _number(value: object) -> float:
    if _is_missing(value) or isinstance(value, bool):
        return math.nan
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def day_bucket(days: float) -> str:
    if math.isnan(days):
        return "unknown"
    for limit, name in DAY_BUCKETS:
        if days <= limit:
            return name
    return "60+"


def fold_text(text: str, options: TextOptions = DEFAULT_OPTIONS) -> str:
    """Cleaned text in the one form the model reads."""
    if options.expand_chat:
        text = expand_chat(text)
    if options.fold_traditional:
        text = to_simplified(text)
    return text


def records_to_frame(
    records: object, options: TextOptions = DEFAULT_OPTIONS
) -> pd.DataFrame:
    """Coerce records (DataFrame, mapping, iterable of mappings) to clean features.

    Anything unreadable becomes an empty/missing value rather than an error.
    """
    if isinstance(records, pd.DataFrame):
        rows: Iterable[object] = records.to_dict("records")
    elif isinstance(records, Mapping):
        rows = [records]
    elif isinstance(records, str | bytes) or records is None:
        rows = [{"text": records}]
    else:
        try:
            rows = list(records)  # type: ignore[call-overload]
        except TypeError:
            rows = [{"text": records}]
    cleaned = []
    for row in rows:
        if not isinstance(row, Mapping):
            row = {"text": row}
        days = _number(row.get("days_since_order"))
        cost = _number(row.get("unit_cost"))
        text = fold_text(clean_text(row.get("text")), options)
        decisive = decisive_clause(text)
        cleaned.append(
            {
                "text": text,
                "pinyin": pinyin_view(text),
                "decisive": decisive,
                "decisive_pinyin": pinyin_view(decisive),
                "reason_code": normalise_reason_code(row.get("reason_code")),
                "product_category": clean_text(row.get("product_category"))[:40],
                "condition": clean_text(row.get("condition"), max_chars=300)
                or NO_CONDITION,
                "days_since_order": days,
                "days_bucket": day_bucket(days),
                "unit_cost": cost,
                "log_cost": math.log1p(cost) if cost >= 0 else math.nan,
            }
        )
    frame = pd.DataFrame(cleaned)
    if frame.empty:
        frame = pd.DataFrame(columns=[*FEATURE_COLUMNS, *DERIVED_COLUMNS])
    return frame


DERIVED_COLUMNS = ("pinyin", "decisive", "decisive_pinyin", "days_bucket", "log_cost")


def _spaced_words_tfidf() -> TfidfVectorizer:
    """Word uni- and bigrams of a text whose words are already spaced (pinyin)."""
    return TfidfVectorizer(
        token_pattern=r"\S+",
        lowercase=False,
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        dtype=np.float32,
    )


def category_features(options: TextOptions = DEFAULT_OPTIONS) -> ColumnTransformer:
    """Sparse features of the reason-category model."""
    return ColumnTransformer(
        [
            (
                "text_chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(1, 4),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=60000,
                    dtype=np.float32,
                ),
                "text",
            ),
            (
                "text_words",
                TfidfVectorizer(
                    tokenizer=mixed_tokens,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
                "text",
            ),
            (
                "pinyin_words",
                _spaced_words_tfidf() if options.pinyin else "drop",
                "pinyin",
            ),
            (
                "decisive_words",
                _spaced_words_tfidf() if options.decisive else "drop",
                "decisive_pinyin",
            ),
            (
                "lexicon",
                FunctionTransformer(lexicon_features) if options.lexicon else "drop",
                ["pinyin", "decisive_pinyin"],
            ),
            (
                "condition",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(1, 3), min_df=2, dtype=np.float32
                ),
                "condition",
            ),
            (
                "codes",
                OneHotEncoder(handle_unknown="ignore"),
                ["reason_code", "product_category", "days_bucket"],
            ),
        ],
        transformer_weights={
            "text_chars": 1.0,
            "text_words": 0.7,
            "pinyin_words": 0.7,
            "decisive_words": 0.7,
            "lexicon": 1.0,
            "condition": 1.2,
            "codes": 0.8,
        },
    )


def disposition_features() -> ColumnTransformer:
    """Dense features of the disposition model (category probabilities come later)."""
    return ColumnTransformer(
        [
            (
                "condition",
                CountVectorizer(
                    tokenizer=mixed_tokens,
                    token_pattern=None,
                    lowercase=False,
                    min_df=3,
                    max_features=150,
                    binary=True,
                ),
                "condition",
            ),
            (
                "product",
                OneHotEncoder(handle_unknown="ignore"),
                ["product_category"],
            ),
            (
                "numbers",
                # Median + "was missing" flag; keeps all-missing columns (a shop
                # that never sends cost) instead of failing the tree binning.
                SimpleImputer(
                    strategy="median", add_indicator=True, keep_empty_features=True
                ),
                ["log_cost", "days_since_order"],
            ),
        ],
        sparse_threshold=0.0,
    )
