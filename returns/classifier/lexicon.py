"""The return-reason words of each category (reason_words.py) as dense features:
how often each category is named, not negated, in the whole text and in the
deciding clause. Chinese entries are matched through their pinyin, so characters,
traditional characters and typed pinyin all count.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from returns.classifier.labels import CATEGORIES
from returns.classifier.reason_words import WORDS
from returns.classifier.text import pinyin_view

_NEGATORS = re.compile(
    r"(?:\bnot\b|\bno\b|\bnever\b|n't\b|\bwithout\b|\bnothing\b|\bmei you\b|"
    r"\bmei\b|\bbu shi\b|\bbing bu\b|\bwu\b)[^,.;!?]{0,14}$"
)
_INDEX = {category: i for i, category in enumerate(CATEGORIES)}


@functools.cache
def _matcher() -> tuple[re.Pattern, dict[str, tuple[int, ...]]]:
    """One alternation over every word (matched on the pinyin view of the text)
    and, per word, the categories it names (a word may name two)."""
    owners: dict[str, set[int]] = {}
    for category in CATEGORIES:
        for word in (*WORDS[category]["en"], *WORDS[category]["zh"]):
            view = pinyin_view(word)
            if view:
                owners.setdefault(view, set()).add(_INDEX[category])
    words = sorted(owners, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")
    return pattern, {w: tuple(sorted(c)) for w, c in owners.items()}


def _hits(view: str) -> tuple[list[int], list[int]]:
    pattern, owners = _matcher()
    named = [0] * len(CATEGORIES)
    negated = [0] * len(CATEGORIES)
    for match in pattern.finditer(view):
        before = view[max(0, match.start() - 24) : match.start()]
        counts = negated if _NEGATORS.search(before) else named
        for index in owners[match.group(0)]:
            counts[index] += 1
    return named, negated


def lexicon_features(views) -> np.ndarray:
    """Per row of (pinyin view of the text, pinyin view of its deciding clause):
    categories named (not negated) in the whole text and in the deciding clause,
    and categories named under a negation; squashed to [0, 1]."""
    rows = []
    for view, decisive_view in np.asarray(views, dtype=object).reshape(-1, 2):
        named, negated = _hits(str(view))
        decisive, _ = _hits(str(decisive_view))
        rows.append(named + decisive + negated)
    counts = np.asarray(rows, dtype=np.float32).reshape(len(rows), 3 * len(CATEGORIES))
    return counts / (counts + 1.0)
