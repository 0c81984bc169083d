"""The shipped bootstrap set, staff corrections, and the grouped held-out split."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from returns.classifier.labels import CATEGORIES

TRAINING_SET = Path(__file__).resolve().parent.parent / "data" / "training_set.csv"
COLUMNS = (
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
)
HOLDOUT_FRACTION = 0.2
CORRECTION_GROUP_PREFIX = "correction:"


def load_training_set(path: str | Path | None = None) -> pd.DataFrame:
    """Read the shipped bilingual bootstrap set (synthetic, see data/README.md)."""
    frame = pd.read_csv(
        path or TRAINING_SET,
        dtype={"text": str, "reason_code": str, "condition": str},
        keep_default_na=False,
        na_values={"days_since_order": [""], "unit_cost": [""]},
        encoding="utf-8",
    )
    return frame.reindex(columns=list(COLUMNS))


def prepare_corrections(corrections: pd.DataFrame | list[dict]) -> pd.DataFrame:
    """Staff corrections as training rows: each is its own group, never held out."""
    frame = pd.DataFrame(corrections).reset_index(drop=True)
    if "category" not in frame:
        raise ValueError("corrections need a 'category' column")
    frame = frame.reindex(columns=list(COLUMNS))
    frame["phrase_group"] = [f"{CORRECTION_GROUP_PREFIX}{i}" for i in frame.index]
    frame["lang"] = frame["lang"].fillna("")
    return frame


def _stable_rank(name: str) -> str:
    return hashlib.md5(name.encode("utf-8")).hexdigest()


def holdout_groups(
    frame: pd.DataFrame, fraction: float = HOLDOUT_FRACTION
) -> frozenset[str]:
    """Phrase groups set aside for evaluation, chosen per category by a stable hash.

    Whole groups go to one side, so held-out rows are never paraphrase twins of
    training rows. Every category keeps at least one group on each side.
    """
    counts = frame.groupby(["phrase_group", "category"]).size().reset_index(name="n")
    owner = counts.sort_values("n").drop_duplicates("phrase_group", keep="last")
    chosen: set[str] = set()
    for category in CATEGORIES:
        mine = owner[owner["category"] == category]
        mine = mine.assign(rank=mine["phrase_group"].map(_stable_rank))
        mine = mine.sort_values("rank")
        total = frame["category"].eq(category).sum()
        taken = 0
        for held_here, group in enumerate(mine["phrase_group"]):
            if taken >= fraction * total or held_here + 1 >= len(mine):
                break
            chosen.add(group)
            taken += frame["phrase_group"].eq(group).sum()
    return frozenset(chosen)


def split_holdout(
    frame: pd.DataFrame, fraction: float = HOLDOUT_FRACTION
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout) of the shipped set; deterministic for a given file."""
    held = holdout_groups(frame, fraction)
    mask = frame["phrase_group"].isin(held)
    return frame[~mask].reset_index(drop=True), frame[mask].reset_index(drop=True)
