"""Per-series model choice from backtest errors, including the best-k ensemble.

Scores are mean squared errors per origin, averaged over origins: per series this
ranks models exactly as RMSSE does (the scale is the series' own). The ensemble
averages the ``k`` best single candidates of the series; its backtest is honest:
at each origin its members are picked on the *other* origins only.
"""

from __future__ import annotations

import warnings

import numpy as np

ENSEMBLE = "ensemble"


def per_origin_mse(A: np.ndarray, F: np.ndarray) -> np.ndarray:
    """(n, n_origins) mean squared error at each origin, NaN where nothing scored."""
    e2 = (A - F) ** 2
    cnt = (~np.isnan(e2)).sum(axis=2)
    with np.errstate(all="ignore"):
        return np.where(cnt > 0, np.nansum(e2, axis=2) / np.maximum(cnt, 1), np.nan)


def aggregate(P: np.ndarray, axis: int = -1) -> np.ndarray:
    """Mean over origins ignoring NaN; inf where a model has no score at all."""
    cnt = (~np.isnan(P)).sum(axis=axis)
    with np.errstate(all="ignore"):
        out = np.nansum(P, axis=axis) / cnt
    return np.where(cnt > 0, out, np.inf)


def ensemble_backtest(A, stack, P, k: int):
    """Leave-one-origin-out ensemble of the k best candidates.

    ``stack`` (M, n, O, h) backtest forecasts of M single candidates, ``P`` (n, M, O)
    their per-origin MSE with NaN where a model is no candidate. Returns the
    ensemble's backtest forecasts (n, O, h) and its members on all origins (n, k)
    as indices into the M candidates (-1 where fewer than k are available)."""
    M, n, n_orig, h = stack.shape
    rows = np.arange(n)

    def top(scores):
        order = np.argsort(scores, axis=1)[:, :k]
        good = np.isfinite(np.take_along_axis(scores, order, axis=1))
        return np.where(good, order, -1)

    def average(members, o):
        total = np.zeros((n, h))
        count = np.zeros((n, 1))
        for j in range(members.shape[1]):
            m = members[:, j]
            ok = m >= 0
            f = stack[np.maximum(m, 0), rows, o, :]
            ok = ok & ~np.isnan(f).any(axis=1)
            total += np.where(ok[:, None], f, 0.0)
            count += ok[:, None]
        with np.errstate(all="ignore"):
            return np.where(count > 0, total / count, np.nan)

    members_all = top(aggregate(P))
    out = np.full((n, n_orig, h), np.nan)
    for o in range(n_orig):
        others = np.delete(P, o, axis=2)
        members = top(aggregate(others)) if n_orig > 1 else members_all
        # Series with no other scored origin use the all-origin choice.
        none = (members < 0).all(axis=1)
        members[none] = members_all[none]
        out[:, o, :] = average(members, o)
    return out, members_all


def challengers(P, mse, names, default, margin: float) -> np.ndarray:
    """Scores (n, M) where only the default and candidates that beat it *clearly*
    stay finite: a challenger needs a mean MSE more than ``margin`` below the
    default's and a lower MSE at every scored origin, so one
    unusual window (a holiday peak) cannot make it the choice."""
    n = P.shape[0]
    out = np.full_like(mse, np.inf)
    col = np.array([names.index(d) if d in names else -1 for d in default])
    has_default = (col >= 0) & np.isfinite(mse[np.arange(n), np.maximum(col, 0)])
    rows = np.arange(n)
    d_mse = mse[rows, np.maximum(col, 0)]
    d_P = P[rows, np.maximum(col, 0), :]  # (n, O)
    scored = ~np.isnan(d_P)
    need = scored.sum(axis=1)
    wins = ((d_P[:, None, :] > P) & scored[:, None, :]).sum(axis=2)  # (n, M)
    clear = (mse < (1.0 - margin) * d_mse[:, None]) & (wins >= need[:, None])
    out = np.where(clear, mse, out)
    out[rows[has_default], col[has_default]] = d_mse[has_default]
    # Without a usable default every scored candidate competes on its mean.
    return np.where(has_default[:, None], out, mse)


def challengers_pay_off(P, names, default, margin, groups, scale) -> np.ndarray:
    """(n,) bool: keep per-series challengers for this series' group (demand class)
    only where they beat the group's defaults out of sample *within the backtest*.

    Leave-one-origin-out: challengers are picked on the other origins and scored on
    the left-out one, against the default on the same origin; both as RMSSE (MSE
    over the series' ``scale``), averaged over the group's series and origins. A
    group where switching does not measurably help (a mean gain over its series of
    more than two standard errors) keeps its default everywhere:
    a per-series winner over a few windows is often noise."""
    n, _, n_orig = P.shape
    keep = np.zeros(n, dtype=bool)
    if n_orig < 2:
        return keep
    rows = np.arange(n)
    col = np.array([names.index(d) if d in names else -1 for d in default])
    chosen_loss = np.full((n, n_orig), np.nan)
    default_loss = np.full((n, n_orig), np.nan)
    with np.errstate(all="ignore"):
        for o in range(n_orig):
            others = np.delete(P, o, axis=2)
            pick = np.argmin(
                challengers(others, aggregate(others), names, default, margin), axis=1
            )
            chosen = P[rows, pick, o]
            dflt = np.where(col >= 0, P[rows, np.maximum(col, 0), o], np.nan)
            ok = np.isfinite(chosen) & np.isfinite(dflt) & (scale > 0)
            chosen_loss[ok, o] = np.sqrt(chosen[ok] / scale[ok])
            default_loss[ok, o] = np.sqrt(dflt[ok] / scale[ok])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        gain = np.nanmean(default_loss - chosen_loss, axis=1)  # per series
    for g in np.unique(groups):
        r = (groups == g) & ~np.isnan(gain)
        if r.sum() < 2:
            continue
        # "Measurably": the mean gain over the group's series exceeds two
        # standard errors (a paired comparison; series are the replicates).
        se = gain[r].std(ddof=1) / np.sqrt(r.sum())
        keep[groups == g] = gain[r].mean() > 2.0 * se
    return keep


def yearly_pays_off(P, names, default, alternative, groups, scale) -> np.ndarray:
    """(n,) bool: use the yearly variant (``alternative[default]``) as this series'
    default, decided per group (demand class) in the backtest: its RMSSE must beat
    the default's by more than two standard errors of the mean gain over the
    group's series (paired, origins averaged per series), as for challengers."""
    n = P.shape[0]
    use = np.zeros(n, dtype=bool)
    rows = np.arange(n)
    col_d = np.array([names.index(d) if d in names else -1 for d in default])
    alt = [alternative.get(d, "") for d in default]
    col_a = np.array([names.index(a) if a in names else -1 for a in alt])
    ok = (col_d >= 0) & (col_a >= 0) & (scale > 0)
    if not ok.any():
        return use
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s = np.where(scale > 0, scale, np.nan)[:, None]
        d_loss = np.sqrt(P[rows, np.maximum(col_d, 0), :] / s)
        a_loss = np.sqrt(P[rows, np.maximum(col_a, 0), :] / s)
        gain = np.nanmean(d_loss - a_loss, axis=1)
    gain = np.where(ok, gain, np.nan)
    for g in np.unique(groups):
        r = (groups == g) & ~np.isnan(gain)
        if r.sum() < 2:
            continue
        se = gain[r].std(ddof=1) / np.sqrt(r.sum())
        use[r] = gain[r].mean() > 2.0 * se
    return use


def series_loss(P, scale) -> np.ndarray:
    """(n, M) backtest RMSSE per series and candidate: per-origin MSE over the
    series' scale, root, averaged over the scored origins (NaN where none)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s = np.where(scale > 0, scale, np.nan)[:, None, None]
        return np.nanmean(np.sqrt(P / s), axis=2)


def class_defaults(P, names, default, benchmarks, groups, scale) -> list[str]:
    """Per group (demand class), the default a series keeps: the registry's, unless
    a benchmark (zero, IMAPA, SES, seasonal naive) or another candidate in
    ``benchmarks`` beats it in the backtest by more than two standard errors of
    the paired gain over the group's series (RMSSE, origins averaged per series).
    The best such candidate by mean RMSSE wins. A per-series pick over a few
    windows is noise; a class-level one over hundreds of series is not, and it
    makes the class's choice never trail the obvious by more than that noise."""
    out = list(default)
    L = series_loss(P, scale)
    groups = np.asarray(groups)
    for g in np.unique(groups):
        r = np.flatnonzero(groups == g)
        d = out[r[0]]
        if d not in names:
            continue
        dl = L[r, names.index(d)]
        best, best_mean = d, None
        for b in benchmarks:
            if b not in names or b == d:
                continue
            gain = dl - L[r, names.index(b)]
            gain = gain[np.isfinite(gain)]
            if len(gain) < 10:
                continue
            se = gain.std(ddof=1) / np.sqrt(len(gain))
            if gain.mean() > 2.0 * se and (
                best_mean is None or gain.mean() > best_mean
            ):
                best, best_mean = b, gain.mean()
        for i in r:
            out[i] = best
    return out


# The trailing run of zeros as fractions of the horizon: below a quarter of it a
# series is "selling"; the runs above are judged apart (recency_defaults).
RECENCY_EDGES = (0.25, 0.5, 1.0)
MIN_RECENCY_SERIES = 30  # series a recency group needs before it may switch


def recency_bucket(run: np.ndarray, h: int) -> np.ndarray:
    """(n,) 0 for a series that sold within the last quarter horizon, then 1, 2
    and 3 for a trailing zero run of at least a quarter, half and a whole
    horizon (``RECENCY_EDGES``)."""
    edges = np.asarray(RECENCY_EDGES) * max(int(h), 1)
    return np.searchsorted(edges, np.asarray(run), side="right")


def recency_defaults(
    L, names, default, alternatives, groups, bucket_at, bucket_now
) -> list[str]:
    """Per group (demand class) and recency bucket above 0, the default of the
    series that have not sold for a while: the group's default unless an
    alternative beat it on the series that were in that bucket *at the
    backtest origin* (``bucket_at`` (n, O); ``bucket_now`` (n,) where each
    series is at the end of its history), by more than two standard errors of
    the paired gain (``L`` (n, M, O) RMSSE per origin; a series' gains are
    averaged over its origins in the bucket, series are the replicates; at
    least ``MIN_RECENCY_SERIES`` of them).

    Whether an item that has gone quiet will sell again is a property of the
    catalogue, not of one series: a part that has not sold for half a year is,
    in some catalogues, an obsolete one (a zero forecast wins), in others a
    slow mover between two sales (its level wins). The backtest of the
    catalogue's own quiet items says which, where one series' few windows
    cannot."""
    out = list(default)
    groups = np.asarray(groups)
    for g in np.unique(groups):
        in_g = groups == g
        for b in range(1, len(RECENCY_EDGES) + 1):
            now = np.flatnonzero(in_g & (bucket_now == b))
            if not len(now) or out[now[0]] not in names:
                continue
            d = out[now[0]]
            at = in_g[:, None] & (bucket_at == b)  # (n, O)
            dl = np.where(at, L[:, names.index(d), :], np.nan)
            best, best_mean = d, None
            for a in alternatives:
                if a not in names or a == d:
                    continue
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    gain = np.nanmean(dl - L[:, names.index(a), :], axis=1)
                gain = gain[np.isfinite(gain)]
                if len(gain) < MIN_RECENCY_SERIES:
                    continue
                se = gain.std(ddof=1) / np.sqrt(len(gain))
                if gain.mean() > 2.0 * se and (
                    best_mean is None or gain.mean() > best_mean
                ):
                    best, best_mean = a, gain.mean()
            for i in now:
                out[i] = best
    return out


# Multipliers of a sparse group's default forecast the backtest may pick
# (level_factors); 1 is "as the model says".
LEVEL_FACTORS = tuple(float(c) for c in np.round(np.arange(0.5, 1.2001, 0.05), 2))


def level_factor(A, F, scale, at) -> float:
    """The multiplier of forecasts ``F`` (n, O, h) from ``LEVEL_FACTORS`` whose
    backtest RMSSE (``A`` actuals, ``scale`` (n, O) the squared scale at each
    origin) over the (series, origin) cells in ``at`` (n, O) beats the plain
    forecast's by the most, if by more than two standard errors of the paired
    gain (a series' gains averaged over its cells; at least
    ``MIN_RECENCY_SERIES`` series); else 1.

    RMSSE is a root per series: a 12-month mean of sparse demand is skewed
    right, so the forecast that minimises the expected root lies below the
    expected demand, and a catalogue that is dying away lies lower still. The
    backtest of the group's own series measures how far, where the model
    alone cannot."""
    rows = np.asarray(at).any(axis=1)
    A, F, at = A[rows], F[rows], at[rows]
    s = np.where(scale[rows] > 0, scale[rows], np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)

        def loss(c):
            e = np.sqrt(np.nanmean((A - c * F) ** 2, axis=2) / s)
            return np.nanmean(np.where(at, e, np.nan), axis=1)

        base = loss(1.0)
        best, best_mean = 1.0, None
        for c in LEVEL_FACTORS:
            if c == 1.0:
                continue
            gain = base - loss(c)
            gain = gain[np.isfinite(gain)]
            if len(gain) < MIN_RECENCY_SERIES:
                return 1.0
            se = gain.std(ddof=1) / np.sqrt(len(gain))
            if gain.mean() > 2.0 * se and (
                best_mean is None or gain.mean() > best_mean
            ):
                best, best_mean = c, gain.mean()
    return best
