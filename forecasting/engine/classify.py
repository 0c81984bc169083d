"""Demand classes by ADI and CV² (Syntetos-Boylan), which pick the candidate models."""

from __future__ import annotations

import numpy as np

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49

SMOOTH, ERRATIC, INTERMITTENT, LUMPY = "smooth", "erratic", "intermittent", "lumpy"
DEMAND_CLASSES = (SMOOTH, ERRATIC, INTERMITTENT, LUMPY)


def adi_cv2(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ADI = observed periods per non-zero demand; CV² = squared coefficient of
    variation of the non-zero demand sizes. NaN cells (not started, censored) are
    ignored. Series without demand get ADI = inf and CV² = 0."""
    valid = ~np.isnan(Y)
    z = np.where(valid, Y, 0.0)
    nz = z > 0
    k = nz.sum(axis=1)
    adi = np.where(k > 0, valid.sum(axis=1) / np.maximum(k, 1), np.inf)
    s1 = np.where(nz, z, 0.0).sum(axis=1)
    s2 = np.where(nz, z * z, 0.0).sum(axis=1)
    mean = s1 / np.maximum(k, 1)
    var = np.where(k > 1, (s2 - k * mean**2) / np.maximum(k - 1, 1), 0.0)
    cv2 = np.where(mean > 0, np.maximum(var, 0.0) / np.maximum(mean, 1e-12) ** 2, 0.0)
    return adi, cv2


def classify(Y: np.ndarray) -> np.ndarray:
    """One of smooth / erratic / intermittent / lumpy per row of the panel."""
    adi, cv2 = adi_cv2(Y)
    frequent = adi < ADI_CUTOFF
    stable = cv2 < CV2_CUTOFF
    out = np.where(
        frequent,
        np.where(stable, SMOOTH, ERRATIC),
        np.where(stable, INTERMITTENT, LUMPY),
    )
    return out.astype(object)
