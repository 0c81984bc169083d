"""Deterministic generator of the synthetic bilingual bootstrap set training_set.csv.

Run `python -m returns.data.generate` (or `python returns/data/generate.py`) from the
repository root; the same seed always writes the same file. Each row records the
phrase group its wording came from so evaluation can hold out whole groups.
"""

from __future__ import annotations

import csv
import math
import random
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `returns` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from returns.data import (
    category_cues,
    phrases_broken,
    phrases_customer,
    phrases_mismatch,
    phrases_other,
    vocab,
)

SEED = 20261123
N_ROWS = 6000
OUT = Path(__file__).with_name("training_set.csv")
COLUMNS = [
    "text",
    "category",
    "disposition",
    "reason_code",
    "product_category",
    "condition",
    "days_since_order",
    "unit_cost",
    "lang",
    "phrase_group",
]

GROUPS = {
    "damaged_in_transit": phrases_broken.DAMAGED_IN_TRANSIT,
    "defective": phrases_broken.DEFECTIVE,
    "wrong_item": phrases_mismatch.WRONG_ITEM,
    "not_as_described": phrases_mismatch.NOT_AS_DESCRIBED,
    "size_fit": phrases_customer.SIZE_FIT,
    "changed_mind": phrases_customer.CHANGED_MIND,
    "late_delivery": phrases_customer.LATE_DELIVERY,
    "other": phrases_other.OTHER,
}
CATEGORY_SHARE = {
    "damaged_in_transit": 0.16,
    "defective": 0.17,
    "wrong_item": 0.12,
    "not_as_described": 0.13,
    "size_fit": 0.15,
    "changed_mind": 0.13,
    "late_delivery": 0.08,
    "other": 0.06,
}
# Generic wordings shared by two categories: only context can tell them apart.
AMBIGUOUS = {
    "damaged_in_transit": (phrases_broken.AMBIGUOUS_BROKEN, 0.12),
    "defective": (phrases_broken.AMBIGUOUS_BROKEN, 0.12),
    "wrong_item": (phrases_mismatch.AMBIGUOUS_MISMATCH, 0.10),
    "not_as_described": (phrases_mismatch.AMBIGUOUS_MISMATCH, 0.08),
    "size_fit": (phrases_customer.AMBIGUOUS_SMALL, 0.08),
}
EMPTY_TEXTS = {
    "en": ["", "return", "refund", "n/a", ".", "-", "see photos", "RMA"],
    "zh": ["", "退货", "退款", "无", "。", "见图", "退"],
}

PRODUCT_MIX = {
    "size_fit": {"apparel": 0.55, "shoes": 0.38, "sports": 0.07},
    "defective": {
        "electronics": 0.45,
        "kitchen": 0.12,
        "home": 0.1,
        "shoes": 0.08,
        "apparel": 0.08,
        "toys": 0.07,
        "sports": 0.05,
        "beauty": 0.05,
    },
}
DEFAULT_MIX = {
    "apparel": 0.18,
    "shoes": 0.1,
    "electronics": 0.22,
    "home": 0.12,
    "kitchen": 0.12,
    "beauty": 0.09,
    "toys": 0.09,
    "sports": 0.08,
}
CONDITION_MIX = {
    "damaged_in_transit": {"transit_damaged": 0.65, "pkg_damaged": 0.35},
    "defective": {"fault": 0.7, "used": 0.18, "opened": 0.12},
    "wrong_item": {"wrong_sku": 0.5, "sealed": 0.35, "opened": 0.15},
    "not_as_described": {"mismatch": 0.4, "opened": 0.35, "used": 0.1, "sealed": 0.15},
    "size_fit": {"sealed": 0.3, "opened": 0.5, "used": 0.2},
    "changed_mind": {"sealed": 0.5, "opened": 0.38, "used": 0.12},
    "late_delivery": {"sealed": 0.7, "opened": 0.3},
    "other": {"sealed": 0.35, "opened": 0.35, "used": 0.3},
}
REASON_CODES = {
    "damaged_in_transit": {"damaged": 0.7, "quality_issue": 0.15, "defective": 0.15},
    "defective": {"defective": 0.5, "quality_issue": 0.35, "damaged": 0.15},
    "wrong_item": {"wrong_item": 0.85, "not_as_described": 0.15},
    "not_as_described": {
        "not_as_described": 0.7,
        "quality_issue": 0.2,
        "wrong_item": 0.1,
    },
    "size_fit": {"size_issue": 0.8, "not_as_described": 0.1, "no_reason": 0.1},
    "changed_mind": {"no_longer_needed": 0.6, "no_reason": 0.4},
    "late_delivery": {"arrived_late": 0.8, "no_longer_needed": 0.2},
    "other": {"other": 0.8, "no_reason": 0.2},
}
# Codes customers pick that disagree with what they then write (e.g. "defective"
# to dodge a return fee after a change of mind).
CONTRADICTING = {
    "damaged_in_transit": ["no_longer_needed", "size_issue", "wrong_item"],
    "defective": ["no_longer_needed", "wrong_item", "arrived_late"],
    "wrong_item": ["defective", "no_longer_needed", "damaged"],
    "not_as_described": ["no_longer_needed", "damaged", "arrived_late"],
    "size_fit": ["defective", "damaged", "wrong_item"],
    "changed_mind": ["defective", "quality_issue", "not_as_described"],
    "late_delivery": ["defective", "damaged", "size_issue"],
    "other": ["defective", "damaged", "wrong_item"],
}
DAYS = {
    "damaged_in_transit": (2, 10),
    "defective": (3, 60),
    "wrong_item": (2, 12),
    "not_as_described": (2, 15),
    "size_fit": (3, 25),
    "changed_mind": (1, 30),
    "late_delivery": (10, 45),
    "other": (1, 40),
}


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _fill(rng: random.Random, template: str, item: tuple[str, str], lang: str) -> str:
    noun = item[0] if lang == "en" else item[1]
    text = template.replace("{item}", noun)
    return text.replace("{num}", str(rng.randint(10000, 99999999)))


def _en_noise(rng: random.Random, text: str) -> str:
    typo_rate = rng.choice([0.0, 0.0, 0.08, 0.2])
    abbrev_rate = rng.choice([0.0, 0.5, 1.0])
    words = []
    for word in text.split(" "):
        bare = word.strip(",.!?:").lower()
        if bare in vocab.EN_TYPOS and rng.random() < typo_rate * 3:
            word = word.lower().replace(bare, rng.choice(vocab.EN_TYPOS[bare]))
        elif word in vocab.EN_ABBREV and rng.random() < abbrev_rate:
            word = vocab.EN_ABBREV[word]
        elif len(word) > 4 and word.isalpha() and rng.random() < typo_rate:
            i = rng.randrange(1, len(word) - 1)
            op = rng.randrange(3)
            if op == 0:  # swap neighbours
                word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            elif op == 1:  # drop a letter
                word = word[:i] + word[i + 1 :]
            else:  # double a letter
                word = word[:i] + word[i] + word[i:]
        words.append(word)
    text = " ".join(words)
    case = rng.random()
    if case < 0.45:
        text = text.lower()
    elif case < 0.49:
        text = text.upper()
    if rng.random() < 0.3:
        text = text.rstrip(".!?,") + rng.choice(["!", "!!!", "...", " ?", ""])
    return text


def _zh_noise(rng: random.Random, text: str) -> str:
    if rng.random() < 0.25:
        for right, wrong in vocab.ZH_TYPOS.items():
            if right in text and rng.random() < 0.5:
                text = text.replace(right, wrong, 1)
    punct = rng.random()
    if punct < 0.2:
        text = text.replace("，", " ")
    elif punct < 0.35:
        text = text.replace("，", ",")
    elif punct < 0.45:
        text = text.replace("，", "")
    if rng.random() < 0.3:
        text = text.rstrip("。！") + rng.choice(
            ["！！！", "。。。", "~", "啊", "呀", "吧"]
        )
    return text


def _code_switch(rng: random.Random, zh: str) -> str:
    for word, en in vocab.ZH_TO_EN_SWITCH.items():
        if word in zh and rng.random() < 0.8:
            zh = zh.replace(word, en)
    return zh


def _core(rng, group: dict, lang: str, item: tuple[str, str]) -> str:
    if lang in ("en", "zh"):
        return _fill(rng, rng.choice(group[lang]), item, lang)
    style = rng.randrange(4)
    en = _fill(rng, rng.choice(group["en"]), item, "en")
    zh = _fill(rng, rng.choice(group["zh"]), item, "zh")
    if style == 0:  # the customer says it twice, once per language
        return f"{en} {zh}" if rng.random() < 0.5 else f"{zh} {en}"
    if style == 1:  # Chinese sentence, English product noun
        return _fill(rng, rng.choice(group["zh"]), (item[0], item[0]), "zh")
    if style == 2:  # English wording wrapped in Chinese
        return (
            rng.choice(["亲，", "你好 ", ""])
            + en
            + rng.choice(["，退款", "。谢谢", ""])
        )
    switched = _code_switch(rng, zh)
    return switched if switched != zh else f"{zh} ({item[0]})"


def _sentence(rng: random.Random, category: str, lang: str, item) -> tuple[str, str]:
    """Return (text, phrase_group) for one row's customer wording."""
    if rng.random() < 0.025:
        base = lang if lang != "mixed" else rng.choice(["en", "zh"])
        return rng.choice(EMPTY_TEXTS[base]), "generic_empty"
    groups = GROUPS[category]
    if category in AMBIGUOUS and rng.random() < AMBIGUOUS[category][1]:
        groups = AMBIGUOUS[category][0]
    name = rng.choice(sorted(groups))
    group = groups[name]
    core = _core(rng, group, lang, item)
    if not name.startswith("amb_") and rng.random() < 0.3:
        cue_lang = lang if lang != "mixed" else rng.choice(["en", "zh"])
        cue = rng.choice(category_cues.CUES[category][cue_lang])
        joint = " " if cue_lang == "en" else "，"
        core = f"{core}{joint}{cue}" if rng.random() < 0.7 else f"{cue}{joint}{core}"
    base = "zh" if lang == "zh" or (lang == "mixed" and rng.random() < 0.5) else "en"
    parts = []
    if rng.random() < 0.35:
        parts.append(_fill(rng, rng.choice(vocab.OPENERS[base]), item, base))
    if rng.random() < 0.15:  # long complaint: a story and a second wording
        story = rng.sample(vocab.STORY[base], rng.randint(1, 4))
        if rng.random() < 0.1:  # the occasional rant that goes on and on
            story = story * rng.randint(3, 8)
        parts.extend(story)
        parts.append(core)
        parts.append(_core(rng, group, lang, item))
    else:
        parts.append(core)
    if rng.random() < 0.4:
        parts.append(rng.choice(vocab.CLOSERS[base]))
    sep = "" if base == "zh" and rng.random() < 0.5 else " "
    text = sep.join(parts)
    text = _zh_noise(rng, text) if base == "zh" else _en_noise(rng, text)
    if rng.random() < 0.12:
        emoji = "".join(rng.choices(vocab.EMOJI, k=rng.randint(1, 3)))
        text = f"{emoji} {text}" if rng.random() < 0.3 else f"{text} {emoji}"
    return text, name


def _disposition(rng, category: str, state: str, product: str, cost: float) -> str:
    if rng.random() < 0.04:  # inspectors disagree with each other sometimes
        return rng.choice(["restock", "refurbish", "return_to_vendor", "scrap"])
    if state in ("sealed", "wrong_sku"):
        return "restock"
    if state == "opened":
        if product == "beauty":
            return "scrap"  # hygiene: opened cosmetics cannot be resold
        return "refurbish" if product in ("electronics", "kitchen") else "restock"
    if state == "used":
        if product == "beauty" or cost < 25:
            return "scrap"
        return "refurbish"
    if state == "pkg_damaged":
        return "refurbish"
    if state == "transit_damaged":
        return "refurbish" if cost >= 80 else "scrap"
    if state == "fault":
        return "return_to_vendor" if cost >= 30 or product == "electronics" else "scrap"
    return "return_to_vendor"  # mismatch: counterfeit or wrong spec goes back


def _row(rng: random.Random, category: str) -> dict:
    lang = _weighted(rng, {"en": 0.4, "zh": 0.4, "mixed": 0.2})
    product = _weighted(rng, PRODUCT_MIX.get(category, DEFAULT_MIX))
    item = rng.choice(vocab.ITEMS[product])
    text, group = _sentence(rng, category, lang, item)
    state = _weighted(rng, CONDITION_MIX[category])
    low, high = vocab.COST_RANGE[product]
    cost = round(math.exp(rng.uniform(math.log(low), math.log(high))), 2)
    disposition = _disposition(rng, category, state, product, cost)
    ambiguous = group.startswith("amb_") or group == "generic_empty"
    condition = ""
    if rng.random() < (0.85 if ambiguous else 0.6):
        note_lang = "zh" if lang == "zh" or rng.random() < 0.3 else "en"
        condition = rng.choice(vocab.CONDITIONS[state][note_lang])
    roll = rng.random()
    if roll < 0.3:
        code = ""
    elif roll < 0.42:
        code = rng.choice(CONTRADICTING[category])
    else:
        code = _weighted(rng, REASON_CODES[category])
    if code in vocab.REASON_CODE_ALIASES_ZH and lang == "zh" and rng.random() < 0.4:
        code = vocab.REASON_CODE_ALIASES_ZH[code]
    low_day, high_day = DAYS[category]
    days = "" if rng.random() < 0.05 else str(rng.randint(low_day, high_day))
    return {
        "text": text,
        "category": category,
        "disposition": disposition,
        "reason_code": code,
        "product_category": product,
        "condition": condition,
        "days_since_order": days,
        "unit_cost": "" if rng.random() < 0.03 else f"{cost:.2f}",
        "lang": lang,
        "phrase_group": group,
    }


def generate(n_rows: int = N_ROWS, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    return [_row(rng, _weighted(rng, CATEGORY_SHARE)) for _ in range(n_rows)]


def main() -> None:
    rows = generate()
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
