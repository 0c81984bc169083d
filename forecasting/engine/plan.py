"""Which candidates each series tries, and which base models must be backtested where.

    candidate_plan(panel, classes, models) -> Plan

Contract: without ``models`` a series tries its demand class's candidates
(``registry.CANDIDATES_BY_CLASS``); the yearly variants are dropped for the whole
chunk when no series has a year of history (``models.yearly.min_yearly_history``)
or the chunk's pooled yearly index stays within ``MIN_YEARLY_STRENGTH`` of 1;
``registry.DAILY_EXCLUDED`` models are dropped on daily (or finer) panels.
With ``models`` every series tries exactly those names. A combination needs its
members' backtests; a global learner is backtested on every series of the chunk
(each is a training row source), whichever class it is a candidate for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .models.yearly import min_yearly_history, pooled_yearly_strength, yearly_period
from .panel import Panel
from .registry import (
    CANDIDATES_BY_CLASS,
    COMBINATIONS,
    DAILY_EXCLUDED,
    GLOBAL_MODELS,
    YEARLY_MODELS,
)

MIN_YEARLY_STRENGTH = 0.05  # pooled yearly index within 5% of 1: no yearly run
DAY_NS = 86_400 * 10**9


@dataclass
class Plan:
    """The candidates of one chunk.

    ``names``: every candidate some series tries, sorted; ``is_cand[m]`` (n,) bool:
    the series that try ``m``; ``base_rows[b]`` (n,) bool: the series base model
    ``b`` (a single model, never a combination) must be backtested on."""

    names: list[str]
    is_cand: dict[str, np.ndarray]
    base_rows: dict[str, np.ndarray]


def members(name: str) -> tuple[str, ...]:
    """The base models a candidate averages (itself for a single model)."""
    return COMBINATIONS.get(name, (name,))


def is_yearly(name: str) -> bool:
    """True for a yearly-adjusted model or a combination made only of them."""
    return name in YEARLY_MODELS or (
        name in COMBINATIONS and all(b in YEARLY_MODELS for b in COMBINATIONS[name])
    )


def _class_candidates(panel: Panel, models) -> dict[str, tuple[str, ...]]:
    if models:
        return {c: tuple(models) for c in CANDIDATES_BY_CLASS}
    cand = CANDIDATES_BY_CLASS
    if panel.step_ns <= DAY_NS:
        cand = {
            c: tuple(m for m in ms if m not in DAILY_EXCLUDED) for c, ms in cand.items()
        }
    period = yearly_period(panel.season_length)
    if (
        not period
        or panel.n_obs.max() < min_yearly_history(period)
        or pooled_yearly_strength(panel.y_fit, period) < MIN_YEARLY_STRENGTH
    ):
        # The yearly variants would equal their plain members, or the chunk
        # shares no yearly season: they are not run.
        return {c: tuple(m for m in ms if not is_yearly(m)) for c, ms in cand.items()}
    return cand


def candidate_plan(panel: Panel, classes: np.ndarray, models=None) -> Plan:
    """The chunk's candidates per series and the rows each base model needs."""
    n = len(classes)
    cand = _class_candidates(panel, models)
    names = sorted({m for c in set(classes) for m in cand[c]})
    is_cand = {m: np.array([m in cand[c] for c in classes]) for m in names}
    base_rows: dict[str, np.ndarray] = {}
    for m in names:
        for b in members(m):
            base_rows[b] = base_rows.get(b, np.zeros(n, bool)) | is_cand[m]
    for b in base_rows:
        if b in GLOBAL_MODELS:
            base_rows[b][:] = True
    return Plan(names=names, is_cand=is_cand, base_rows=base_rows)
