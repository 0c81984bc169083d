"""Deterministic generator of the messy development set messy_dev.csv: return
reasons the way customers really type them (chat style and typos, pinyin,
traditional characters, platform jargon, denials and contrasts, the reason at the
end of a story, emoji, several complaints of which one decides).

Every row is wrapped with the half of every messy wording list that training
augmentation never uses (`messy_vocab.part(..., "dev")`). Column `split` says how
much of it training saw: `unseen` rows come only from the phrase groups that
`returns.classifier.dataset` holds out of training (no phrase, no wrapper seen;
"broken" only with the inspection note that decides it), `seen_phrase` rows from
training groups (the phrase was seen, never this rendering of it). Rows are
labelled by the deciding complaint.

    python -m returns.data.messy     # writes returns/data/messy_dev.csv
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `returns` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from returns.classifier import augment as aug
from returns.classifier.dataset import holdout_groups, load_training_set
from returns.data import generate, vocab

SEED = 20261207
N_ROWS = 1200
OUT = Path(__file__).with_name("messy_dev.csv")
COLUMNS = [*generate.COLUMNS, "style", "split"]
# "broken" is kept for the categories whose inspection note settles it.
AMBIGUOUS_STATE = {"defective": "fault", "damaged_in_transit": "transit_damaged"}
SIDE = "dev"


def phrases(*, held_out: bool) -> dict[str, dict[str, dict]]:
    """category -> {group name: group}: the held-out groups, or the training ones."""
    held = holdout_groups(load_training_set())
    found = {}
    for category, groups in generate.GROUPS.items():
        groups = dict(groups)
        if category in AMBIGUOUS_STATE:
            groups.update(generate.AMBIGUOUS[category][0])
        found[category] = {
            name: group
            for name, group in groups.items()
            if (name in held) == held_out
            and (not name.startswith("amb_") or category in AMBIGUOUS_STATE)
        }
    return found


def _render(rng, category, groups, donors) -> tuple[str, str, str, str]:
    """(text, lang, phrase_group, style) of one messy return reason."""
    name = rng.choice(sorted(groups))
    group = groups[name]
    lang = generate._weighted(rng, {"en": 0.45, "zh": 0.4, "mixed": 0.15})
    product = generate._weighted(
        rng, generate.PRODUCT_MIX.get(category, generate.DEFAULT_MIX)
    )
    item = rng.choice(vocab.ITEMS[product])
    base = "en" if lang == "en" else "zh"
    text = generate._fill(rng, rng.choice(group[base]), item, base)
    styles = []
    if lang == "mixed":
        en = generate._fill(rng, rng.choice(group["en"]), item, "en")
        text = (
            f"{text} {en}" if rng.random() < 0.5 else generate._code_switch(rng, text)
        )
        styles.append("mixed")
    if base == "zh":
        roll = rng.random()
        if roll < 0.3:
            text, lang = aug.pinyin(rng, text), "zh"
            styles.append("pinyin")
        elif roll < 0.55:
            text = aug.traditional(text)
            styles.append("traditional")
    elif rng.random() < 0.6:
        text = aug.chat_style(rng, text, SIDE)
        styles.append("chat")
    structure = rng.random()
    if structure < 0.2:
        text = aug.deny_then(rng, text, category, SIDE)
        styles.append("denial")
    elif structure < 0.35:
        others = [c for c in donors if c != category and donors[c]]
        minor = rng.choice(donors[rng.choice(others)])
        text = aug.minor_then_main(rng, minor, text, SIDE)
        styles.append("several")
    elif structure < 0.45:
        text = aug.cause_then_consequence(rng, text, SIDE)
        styles.append("cause")
    elif structure < 0.55:
        text = aug.story_first(rng, text, SIDE)
        styles.append("story")
    elif structure < 0.7 and base == "zh":
        text = aug.with_jargon(rng, text, category, SIDE)
        styles.append("jargon")
    if rng.random() < 0.25:
        text = aug.drop_punctuation(text)
        styles.append("no_punct")
    if rng.random() < 0.25:
        text = aug.with_emoji(rng, text)
        styles.append("emoji")
    return text, lang, name, "+".join(styles) or "plain"


def generate_rows(n_rows: int = N_ROWS, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for split, held_out in (("unseen", True), ("seen_phrase", False)):
        rows += _rows(rng, phrases(held_out=held_out), n_rows // 2, split)
    return rows


def _donors(phrases) -> dict[str, list[str]]:
    return {
        category: [
            phrase
            for group in groups.values()
            for lang in ("en", "zh")
            for phrase in group[lang]
            if "{" not in phrase
        ]
        for category, groups in phrases.items()
    }


def _rows(rng, phrases, n_rows: int, split: str, donors=None) -> list[dict]:
    donors = donors or _donors(phrases)
    rows = []
    for _ in range(n_rows):
        category = generate._weighted(rng, generate.CATEGORY_SHARE)
        if not phrases[category]:
            continue
        text, lang, name, style = _render(rng, category, phrases[category], donors)
        product = generate._weighted(
            rng, generate.PRODUCT_MIX.get(category, generate.DEFAULT_MIX)
        )
        state = generate._weighted(rng, generate.CONDITION_MIX[category])
        low, high = vocab.COST_RANGE[product]
        cost = round(rng.uniform(low, high), 2)
        condition = ""
        if name.startswith("amb_"):
            state = AMBIGUOUS_STATE[category]
            condition = rng.choice(vocab.CONDITIONS[state][rng.choice(["en", "zh"])])
        elif rng.random() < 0.4:
            condition = rng.choice(vocab.CONDITIONS[state][rng.choice(["en", "zh"])])
        code = ""
        if rng.random() < 0.5:
            code = generate._weighted(rng, generate.REASON_CODES[category])
        rows.append(
            {
                "text": text,
                "category": category,
                "disposition": generate._disposition(
                    rng, category, state, product, cost
                ),
                "reason_code": code,
                "product_category": product,
                "condition": condition,
                "days_since_order": str(rng.randint(*generate.DAYS[category])),
                "unit_cost": f"{cost:.2f}",
                "lang": lang,
                "phrase_group": name,
                "style": style,
                "split": split,
            }
        )
    return rows


def main() -> None:
    rows = generate_rows()
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
