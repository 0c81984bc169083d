"""Demand classes by ADI and CV² (Syntetos-Boylan), which pick the candidate models,
and the rule that tells a series whose demand has stopped."""

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


def zero_run(Y: np.ndarray) -> np.ndarray:
    """(n,) observed periods since each series' last sale (NaN cells, such as
    censored days or periods before a series started, are skipped); every
    observed period for a series that never sold."""
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    valid = ~np.isnan(Y)
    sold = valid & (Y > 0)
    n, T = Y.shape
    if T == 0:
        return np.zeros(n, dtype=int)
    cum = np.cumsum(valid, axis=1)
    last = T - 1 - np.argmax(sold[:, ::-1], axis=1)
    before = np.where(sold.any(axis=1), cum[np.arange(n), last], 0)
    return (cum[:, -1] - before).astype(int)


STOP_ALPHA = (
    1e-5  # per series; a chunk tests thousands (docs/decisions/stopped-demand.md)
)


def stopped_selling(
    Y: np.ndarray, horizon: int, alpha: float = STOP_ALPHA
) -> np.ndarray:
    """(n,) bool: demand has stopped, judged from the run of zeros at the end.

    A series is stopped when its trailing run of observed zero periods (NaN cells,
    such as censored stock-out days, are skipped) is at least ``horizon`` long and
    improbable under the series' own demand rate before the run: the chance of
    that many zeros in a row, ``(1 - p) ** L`` averaged over a Beta(1, 1)
    posterior of ``p`` from the k demand periods among the m observed ones up to
    the last sale, is below ``alpha``. The posterior makes a short history (few
    periods to learn ``p`` from) need a longer run; the minimum length keeps
    calendar closures (a few zero days over a holiday) from zeroing a forecast:
    a whole horizon of nothing is forecast only after a whole horizon of it.
    Slow movers whose gaps are normal for them are not stopped."""
    from scipy.special import gammaln

    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    n, T = Y.shape
    valid = ~np.isnan(Y)
    sold = valid & (Y > 0)
    any_sale = sold.any(axis=1)
    last = T - 1 - np.argmax(sold[:, ::-1], axis=1)
    cum = np.cumsum(valid, axis=1)
    rows = np.arange(n)
    m = cum[rows, last].astype(float)  # observed periods up to the last sale
    run = cum[:, -1] - m  # observed zero periods after it
    k = sold.sum(axis=1).astype(float)
    # log E[(1 - p) ** L] for p ~ Beta(k + 1, m - k + 1)
    log_p = (
        gammaln(m - k + 1 + run)
        - gammaln(m - k + 1)
        + gammaln(m + 2)
        - gammaln(m + 2 + run)
    )
    return any_sale & (run >= max(int(horizon), 1)) & (log_p < np.log(alpha))
