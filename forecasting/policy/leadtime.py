"""Lead times learned from receipts, shrunk toward the supplier's stated figure.

Pure numpy (no Django). Per supplier x warehouse, ``n`` purchase orders have been
received, their lead times (order sent -> first receipt, in days) having mean m
and spread s. With few receipts m is noise, so the planning lead time is a
credibility-weighted mean (Bühlmann's form, the normal-normal posterior mean):

    weight w = n / (n + k),   L = w * m + (1 - w) * stated,
    sd(L)^2 = w * s^2         (the stated figure promises no spread),

k = ``PRIOR_RECEIPTS`` (3): the stated figure counts as three receipts' worth
of evidence, so one late delivery moves the plan a quarter of the way, ten
receipts 77 %. With no receipt the plan is today's: the stated lead time, no
spread. The spread then enters safety stock as demand over a random lead time,
Var = L * sigma_d^2 + d^2 * sd(L)^2 (``replenishment_plan``'s ``lead_time_sd``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

PRIOR_RECEIPTS = 3.0


@dataclass(frozen=True)
class LearnedLeadTime:
    """Per pair: planning mean and spread (days), receipts seen, their weight."""

    mean: np.ndarray
    sd: np.ndarray
    receipts: np.ndarray
    weight: np.ndarray


def lead_time_stats(samples: Iterable[Sequence[float]]):
    """(n, mean, population variance) of each list of observed lead times."""
    rows = [np.asarray(s, dtype=float) for s in samples]
    n = np.array([len(r) for r in rows], dtype=float)
    mean = np.array([r.mean() if len(r) else np.nan for r in rows])
    var = np.array([r.var() if len(r) else 0.0 for r in rows])
    return n, mean, var


def learned_lead_time(
    stated, samples: Iterable[Sequence[float]], prior_receipts: float = PRIOR_RECEIPTS
) -> LearnedLeadTime:
    """Shrink each pair's observed lead times toward its stated figure."""
    stated = np.asarray(stated, dtype=float)
    n, mean, var = lead_time_stats(samples)
    weight = n / (n + prior_receipts)
    planned = np.where(
        n > 0, weight * np.nan_to_num(mean) + (1 - weight) * stated, stated
    )
    return LearnedLeadTime(
        mean=planned, sd=np.sqrt(weight * var), receipts=n, weight=weight
    )
