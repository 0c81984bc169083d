"""Folding customer text to one form before the model sees it: traditional
characters to simplified (OpenCC), Chinese to toneless pinyin syllables (pypinyin)
so that typed pinyin and characters meet, chat spellings to words, and the clause
that decides the return when the customer gives several.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pypinyin import lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_TOKEN = re.compile(r"[a-z0-9']+")
# Chat spellings customers use -> the word the training phrases spell out.
CHAT_WORDS = {
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "rly": "really",
    "bc": "because",
    "bcoz": "because",
    "coz": "because",
    "cuz": "because",
    "b4": "before",
    "w/": "with",
    "w/o": "without",
    "dmg": "damaged",
    "rcvd": "received",
    "recd": "received",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "cant": "can't",
    "wont": "won't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "im": "i'm",
    "ive": "i've",
    "its": "it's",
    "idk": "i don't know",
    "tbh": "",
    "lol": "",
    "lmao": "",
    "omg": "",
    "smh": "",
    "ngl": "",
    "n": "and",
    "r": "are",
    "abt": "about",
    "wk": "week",
    "wks": "weeks",
    "pkg": "package",
    "pkge": "package",
    "asap": "asap",
}
_CHAT = re.compile(
    r"(?<![\w/])(" + "|".join(re.escape(k) for k in CHAT_WORDS) + r")(?![\w/])"
)


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters folded to simplified (長度 -> 长度)."""
    return _t2s().convert(text) if _HAN.search(text) else text


def expand_chat(text: str) -> str:
    """Chat spellings to the words they stand for (lower-case text)."""
    text = _CHAT.sub(lambda m: CHAT_WORDS[m.group(1)], text)
    return " ".join(text.split())


_TONELESS = str.maketrans(
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm"
)


@functools.cache
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (from pypinyin's character table)."""
    readings = ",".join(pinyin_dict.values()).translate(_TONELESS)
    return frozenset(s for s in readings.split(",") if s.isascii() and s.isalpha())


def strip_tones(text: str) -> str:
    """fā cuò -> fa cuo, lǜ -> lv, fa1cuo4 -> facuo."""
    if text.isascii():
        return _TONE_DIGIT.sub("", text) if _HAS_DIGIT.search(text) else text
    text = text.replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v")
    text = text.replace("ǚ", "v").replace("ǜ", "v")
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _TONE_DIGIT.sub("", bare)


_TONE_DIGIT = re.compile(r"(?<=[a-z])[1-5](?=[a-z]|\b)")
_HAS_DIGIT = re.compile(r"[1-5]")


@functools.lru_cache(maxsize=50_000)
def split_pinyin(token: str) -> tuple[str, ...] | None:
    """'facuohuole' -> ('fa', 'cuo', 'huo', 'le'); None when it is not pinyin."""
    known = syllables()
    n = len(token)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            piece = token[start:end]
            if head is not None and piece in known:
                candidate = (*head, piece)
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[n]


_HAN_RUN = re.compile(r"([\u3400-\u9fff]+)")


@functools.lru_cache(maxsize=100_000)
def _han_pinyin(run: str) -> str:
    return " " + " ".join(lazy_pinyin(run, v_to_u=False)) + " "


def pinyin_view(text: str) -> str:
    """Chinese as toneless syllables, typed pinyin split into syllables, English
    words kept: 发错货了 and 'fa cuo huo le' and 'facuohuole' read alike."""
    if _HAN.search(text):
        text = "".join(
            _han_pinyin(part) if i % 2 else part
            for i, part in enumerate(_HAN_RUN.split(text))
        )
    words = []
    for token in _LATIN_TOKEN.findall(strip_tones(text)):
        parts = split_pinyin(token) if len(token) >= 5 else None
        words.extend(parts if parts and len(parts) >= 2 else (token,))
    return " ".join(words)


# Where a customer gives several complaints, these say which one decides.
_CONTRAST = re.compile(
    r"(?:\bbut\b|\bhowever\b|\bthough\b|\bjust\b|\bonly\b|\bactually\b|"
    r"\bthe (?:real|main|actual) (?:reason|problem|issue)\b|\bmainly\b|"
    r"但是|但|可是|不过|就是|只是|主要是|其实|关键是)"
)
_CAUSE_AFTER = re.compile(r"(?:\bbecause\b|\bsince\b|\bdue to\b|因为|由于)")
_CAUSE_BEFORE = re.compile(r"(?:\bso\b(?! much| many| far)|所以|结果就|于是)")


def _has_words(text: str) -> bool:
    return len(re.findall(r"[^\W\d_]", text)) >= 2


def decisive_clause(text: str) -> str:
    """The part of the text that decides: after the last contrast ("not damaged,
    it just doesn't fit" -> "doesn't fit"), the cause of a consequence ("late so I
    bought one locally" -> "late"). The whole text when there is no such marker."""
    clause = text
    contrasts = list(_CONTRAST.finditer(clause))
    for match in reversed(contrasts):
        tail = clause[match.end() :]
        if _has_words(tail):
            clause = tail
            break
    cause = _CAUSE_AFTER.search(clause)
    if cause and _has_words(clause[cause.end() :]):
        clause = clause[cause.end() :]
    consequence = _CAUSE_BEFORE.search(clause)
    if consequence and _has_words(clause[: consequence.start()]):
        clause = clause[: consequence.start()]
    return clause.strip(" ,.;:!?，。；：！？~")


_CLAUSE_SPLIT = re.compile(
    r"[.;!?。；！？\n]+|,|，|"
    + _CONTRAST.pattern
    + "|"
    + _CAUSE_AFTER.pattern
    + "|"
    + _CAUSE_BEFORE.pattern
)
_NEGATED = re.compile(
    r"^\W*(?:not\b|no\b|never\b|nothing\b|without\b|none\b|isn't\b|wasn't\b|"
    r"没有|没|不是|并不|无|未)"
)


def clauses(text: str) -> list[str]:
    """The complaints of a text, one per clause; negated ones ("not damaged")
    left out: they say what the return is not about."""
    pieces = [p.strip() for p in _CLAUSE_SPLIT.split(text) if p and p.strip()]
    return [p for p in pieces if _has_words(p) and not _NEGATED.search(p)]
