"""Training rows that look like customers write: chat style and typos, dropped
punctuation, emoji, pinyin and traditional renderings of the Chinese, denials and
contrasts labelled by the clause that decides, and several complaints where one is
the cause. A variant keeps its source row's phrase group, so variants of one phrase
never straddle a train/test split.

The same transforms build the messy development set (returns/data/messy.py) with
the other half of every wording list (`messy_vocab.part`).
"""

from __future__ import annotations

import functools
import random
import re

import pandas as pd
from pypinyin import Style, lazy_pinyin

from returns.classifier.labels import CATEGORIES
from returns.data import messy_vocab as mv

SEED = 20261206
_HAN = re.compile(r"[\u3400-\u9fff]")
_CONTRACTIONS = {"n't": "nt", "'m": "m", "'s": "s", "'re": "re", "'ve": "ve"}
_ABBREVIATE = {
    "you": "u",
    "your": "ur",
    "please": "pls",
    "thanks": "thx",
    "because": "bc",
    "really": "rly",
    "before": "b4",
    "with": "w/",
    "damaged": "dmg",
    "package": "pkg",
    "received": "rcvd",
}
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


@functools.cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def traditional(text: str) -> str:
    """Simplified characters rendered traditional (长度 -> 長度)."""
    return _s2t().convert(text)


def pinyin(rng: random.Random, text: str) -> str:
    """The Chinese typed as pinyin, the way customers without an IME write it:
    spaced toneless syllables, syllables run together, tone marks or numbers."""
    style = rng.randrange(5)
    if style == 3:
        syl = lazy_pinyin(text, style=Style.TONE, errors=lambda c: c)
    elif style == 4:
        syl = lazy_pinyin(text, style=Style.TONE3, errors=lambda c: c)
    else:
        syl = lazy_pinyin(text, errors=lambda c: c)
    syl = [s.strip() for s in syl if s.strip() and s.strip() not in "，。！？、,.!?"]
    if style == 1:  # run together in twos: "facuo huole"
        return " ".join("".join(syl[i : i + 2]) for i in range(0, len(syl), 2))
    if style == 2:  # keep the first characters, type the rest
        cut = rng.randrange(1, max(2, len(text) // 2))
        return text[:cut] + " " + " ".join(lazy_pinyin(text[cut:]))
    return " ".join(syl)


def chat_style(rng: random.Random, text: str, side: str) -> str:
    """Lower case, no apostrophes or full stops, abbreviations, fillers, typos."""
    text = text.lower()
    for full, short in _CONTRACTIONS.items():
        text = text.replace(full, short)
    words = []
    for word in text.split():
        bare = word.strip(",.!?")
        if bare in _ABBREVIATE and rng.random() < 0.7:
            word = word.replace(bare, _ABBREVIATE[bare])
        elif len(bare) > 4 and bare.isalpha() and rng.random() < 0.12:
            i = rng.randrange(1, len(bare) - 1)
            op = rng.randrange(3)
            if op == 0:
                bare = bare[:i] + bare[i + 1] + bare[i] + bare[i + 2 :]
            elif op == 1:
                bare = bare[:i] + bare[i + 1 :]
            else:
                bare = bare[:i] + rng.choice(_KEYBOARD) + bare[i + 1 :]
            word = bare
        words.append(word)
    text = " ".join(words)
    if rng.random() < 0.6:
        text = re.sub(r"[.,;:!?]+", "", text)
    if rng.random() < 0.5:
        text = f"{text} {rng.choice(mv.part(mv.CHAT_FILLERS['en'], side))}"
    return text


def drop_punctuation(text: str) -> str:
    return " ".join(re.sub(r"[.,;:!?，。；：！？、~]+", " ", text).split())


def lang_of(text: str) -> str:
    han = bool(_HAN.search(text))
    latin = bool(re.search(r"[A-Za-z]{3,}", text))
    return "mixed" if han and latin else "zh" if han else "en"


def _joined(lang: str, first: str, second: str) -> str:
    return f"{first}，{second}" if lang == "zh" else f"{first}, {second}"


def deny_then(rng: random.Random, text: str, category: str, side: str) -> str:
    """ "not damaged or anything, it just doesn't fit": a denial of another
    category, a contrast, then the deciding complaint."""
    lang = "zh" if lang_of(text) == "zh" else "en"
    others = [c for c in mv.DENIALS if c != category]
    denial = rng.choice(mv.part(mv.DENIALS[rng.choice(others)][lang], side))
    contrast = rng.choice(mv.part(mv.CONTRAST[lang], side))
    if lang == "zh":
        return f"{denial}，{contrast}{text}"
    return f"{denial}, {contrast} {text}"


def minor_then_main(rng: random.Random, minor: str, main: str, side: str) -> str:
    lang = "zh" if lang_of(main) == "zh" else "en"
    template = rng.choice(mv.part(mv.MAIN_REASON[lang], side))
    return template.format(minor=minor.rstrip("。.!！"), main=main)


def cause_then_consequence(rng: random.Random, cause: str, side: str) -> str:
    lang = "zh" if lang_of(cause) == "zh" else "en"
    consequence = rng.choice(mv.part(mv.CONSEQUENCES[lang], side))
    return _joined(lang, cause.rstrip("。.!！"), consequence)


def story_first(rng: random.Random, text: str, side: str) -> str:
    lang = "zh" if lang_of(text) == "zh" else "en"
    story = rng.sample(mv.part(mv.STORY[lang], side), k=1)
    return ("" if lang == "zh" else " ").join([*story, text])


def with_jargon(rng: random.Random, text: str, category: str, side: str) -> str:
    jargon = rng.choice(mv.part(mv.JARGON[category], side))
    return f"{jargon}，{text}" if rng.random() < 0.5 else f"{text} {jargon}"


def with_emoji(rng: random.Random, text: str) -> str:
    emoji = "".join(rng.choices(mv.EMOJI, k=rng.randint(1, 3)))
    return f"{text} {emoji}" if rng.random() < 0.7 else f"{emoji} {text}"


def messy_variant(
    rng: random.Random,
    text: str,
    category: str,
    side: str,
    donors: dict[str, list[str]],
) -> str:
    """One messy rendering of a customer's text, its category unchanged."""
    lang = lang_of(text)
    roll = rng.random()
    if lang == "zh" and roll < 0.3:
        text = pinyin(rng, text) if rng.random() < 0.6 else traditional(text)
    elif lang != "zh" and roll < 0.3:
        text = chat_style(rng, text, side)
    structure = rng.random()
    if structure < 0.25:
        text = deny_then(rng, text, category, side)
    elif structure < 0.4:
        others = [c for c in CATEGORIES if c != category and donors.get(c)]
        if others:
            minor = rng.choice(donors[rng.choice(others)])
            text = minor_then_main(rng, minor, text, side)
    elif structure < 0.5:
        text = cause_then_consequence(rng, text, side)
    elif structure < 0.6:
        text = story_first(rng, text, side)
    elif structure < 0.7:
        text = with_jargon(rng, text, category, side)
    if lang == "zh" and structure < 0.7 and rng.random() < 0.25:
        text = traditional(text) if rng.random() < 0.5 else text
    if rng.random() < 0.2:
        text = drop_punctuation(text)
    if rng.random() < 0.2:
        text = with_emoji(rng, text)
    return text


def augment(
    frame: pd.DataFrame, *, share: float = 1.0, seed: int = SEED
) -> pd.DataFrame:
    """Messy variants of `share` of the rows (training wording half), appended
    after the originals. Rows without words, and the deliberately ambiguous
    groups, are not varied."""
    rng = random.Random(seed)
    texts = frame["text"].fillna("").astype(str)
    usable = frame[
        texts.str.len().gt(3)
        & ~frame["phrase_group"].astype(str).str.startswith(("amb_", "generic_"))
        & frame["category"].isin(CATEGORIES)
    ]
    donors = {
        category: [t for t in group["text"].astype(str) if len(t) < 80][:400]
        for category, group in usable.groupby("category")
    }
    picked = usable.sample(frac=min(share, 1.0), random_state=seed)
    variants = picked.copy()
    variants["text"] = [
        messy_variant(rng, text, category, "train", donors)
        for text, category in zip(picked["text"], picked["category"], strict=True)
    ]
    return pd.concat([frame, variants], ignore_index=True)
