"""The engine's entry point: classify, backtest, select and forecast a panel of series.

    forecast_panel(df, horizon, *, season_length=None, freq=None,
                   levels=DEFAULT_LEVELS, n_origins=4, models=None, future=None,
                   margin=0.25, ensemble_k=0) -> EngineResult

``freq`` is inferred from the dates when omitted ("D", "W-MON", "MS", ...) and
``season_length`` from the frequency (7 for daily, 52 for weekly, 12 monthly).

Input ``df``: long frame with ``series_id, date, quantity`` and optionally ``price``,
``promo`` (0/1) and ``censored`` (bool: a stock-out day; its zero is not demand, so
it is imputed from the preceding weeks for fitting and skipped in scoring). See
``panel.py`` for the date grid rules. ``future`` (optional) gives ``price``/``promo``
for the forecast dates (``series_id, date, ...``); without it price stays at its
last value and there is no promotion.

Per series: the demand class (ADI/CV²) picks the candidates (``registry``); a
rolling-origin backtest over ``n_origins`` windows of ``horizon`` periods scores
each by RMSSE (per series, equivalent to ranking by MSE); the series keeps its
class default (an equal-weight combination, ``registry.DEFAULT_BY_CLASS``, or
per class the benchmark or combination of ``registry.CLASS_ALTERNATIVES`` that
beats it in the backtest by more than two paired standard errors over the
class's series, ``select.class_defaults``) unless
another candidate's backtest MSE is more than ``margin`` lower on average *and*
lower at every origin (``select.challengers``): a few origins are a noisy judge (one
holiday window can crown the wrong model), and picking the per-series winner
outright measured worse on held-out data. Even so, challengers are used in a demand
class only if they beat its default out of sample within the backtest itself
(leave-one-origin-out, ``select.challengers_pay_off``); otherwise the whole class
keeps its default. Before that, a class default with a yearly variant
(``combo_smooth`` -> ``combo_smooth_yearly``: its members on demand divided by a
yearly index learnt from one year, ``models/yearly.py``) switches to it where the
variant beats it in the backtest by more than two standard errors over the class's
series (``select.yearly_pays_off``); the yearly candidates run only when some
series has a year of history (+ a few periods) and the chunk's pooled index
departs from 1 (``MIN_YEARLY_STRENGTH``). ``ensemble_k`` > 1 adds a per-series
mean of the k best candidates (members picked on the other origins, so its backtest
is honest) and makes it the default; it measured worse on the M5 sample, so it is
off. ``models`` restricts the
candidates to those names for every class. Without ``models``, a series whose
demand has stopped (a trailing run of observed zeros at least ``horizon`` long and
improbable under its earlier demand rate, ``classify.stopped_selling``) is
forecast as the mean of that run, nothing: no model fitted on the years before
can see the stop, and the backtest cannot judge it (the run is mostly after the
origins). Its scores and bands come from the chosen model's backtest with the
same rule applied at each origin. Quantiles are the mean plus split-conformal
quantiles of the chosen model's backtest errors (``bands.py``: errors scaled per
series, pooled per demand class and horizon step over the chunk's series);
levels at or below the recent share of zero demand are 0 (intermittent demand has
a point mass at zero). On a yearly model the errors are first divided by
``index ** gamma`` of their period and the quantiles multiplied by the same of
the forecast period, so bands widen in the peak season (``_yearly_error_scale``
picks gamma on the backtest). BLAS/OpenMP run one thread: scale by processes
(chunks).

Output ``EngineResult``:
* ``selection``: one row per series: series_id, demand_class, model ("stopped"
  for a stopped series), rmsse, mase,
  wape, bias, cover80 (backtest scores of the chosen model; cover80 uses bands from
  the other origins), n_obs, fallback (bool), fallback_reason ("" when none;
  ``too_short``: no backtest origin fits its history, it takes its class's
  default, a combination holding the global model; ``all_zero``: it never sold,
  the forecast is zero; ``failed``: every candidate failed, the class fallback).
* ``forecasts``: series_id, date, step (1..horizon), mean, q0.1, q0.5, ... (one
  column per level, ``base.quantile_column``), all >= 0 and ordered across levels.
* counts: ``n_series``, ``n_fallbacks``, ``n_failures`` (series x model failures),
  ``failures`` per model, ``timings`` (seconds per stage).

Chunking: every step is per series except the global model, which learns from the
series it is given, the per-class check whether challengers pay off and the
bands, which pool the class's series in the chunk. Running a subset therefore
gives the same means for those series, apart from the first two; Celery can run
chunks of a few thousand series on separate workers. An empty frame is an empty
result. A model failure never escapes: it is logged,
counted and the series uses the remaining candidates or its class fallback.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .backtest import MIN_TRAIN, actuals, exog, origin_cuts, run_backtest
from .bands import band_quantiles, loo_coverage
from .base import DEFAULT_LEVELS, empirical_quantiles, nanquantile, quantile_column
from .classify import classify, stopped_selling
from .metrics import _scale
from .models.yearly import (
    index_at,
    min_yearly_history,
    pooled_yearly_strength,
    yearly_index,
    yearly_period,
)
from .panel import build_panel, future_dates, future_exog
from .registry import (
    CANDIDATES_BY_CLASS,
    CLASS_ALTERNATIVES,
    COMBINATIONS,
    DEFAULT_BY_CLASS,
    FALLBACK_BY_CLASS,
    GLOBAL_MODELS,
    YEARLY_DEFAULT,
    YEARLY_MODELS,
    make_model,
)
from .select import (
    ENSEMBLE,
    aggregate,
    challengers,
    challengers_pay_off,
    class_defaults,
    ensemble_backtest,
    per_origin_mse,
    yearly_pays_off,
)

logger = logging.getLogger(__name__)

ERROR_INDEX_POWERS = (0.0, 0.5, 1.0)
ERROR_WIDTHS = (1.0,)  # the conformal bands are calibrated: no widening
MIN_YEARLY_STRENGTH = 0.05  # pooled yearly index within 5% of 1: no yearly run
STOPPED = "stopped"  # the selection's model for a series whose demand has stopped
# Why a series had no backtest choice (``fallback_reason``; "" when it had one):
TOO_SHORT = "too_short"  # too little history for any backtest origin
ALL_ZERO = "all_zero"  # no demand observed at all
FAILED = "failed"  # history enough, but every candidate failed on it
FALLBACK_REASONS = (TOO_SHORT, ALL_ZERO, FAILED)

SELECTION_COLUMNS = [
    "series_id",
    "demand_class",
    "model",
    "rmsse",
    "mase",
    "wape",
    "bias",
    "cover80",
    "n_obs",
    "fallback",
    "fallback_reason",
]


@dataclass
class EngineResult:
    selection: pd.DataFrame
    forecasts: pd.DataFrame
    n_series: int
    n_fallbacks: int
    n_failures: int
    failures: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    freq: str = ""
    season_length: int = 1
    backtest_scores: pd.DataFrame | None = None  # series x candidate backtest MSE


def _members(name: str) -> tuple[str, ...]:
    return COMBINATIONS.get(name, (name,))


def forecast_panel(
    df: pd.DataFrame,
    horizon: int,
    *,
    season_length: int | None = None,
    freq: str | None = None,
    levels=DEFAULT_LEVELS,
    n_origins: int = 4,
    models=None,
    future: pd.DataFrame | None = None,
    margin: float = 0.25,
    ensemble_k: int = 0,
) -> EngineResult:
    """Forecast every series of ``df``; see the module docstring for the contract."""
    if df.empty:
        # No series (e.g. a replay window before any item was listed): nothing
        # to forecast is an empty answer, not an error.
        return _empty_result(levels)
    # Load the native thread pools (OpenMP, BLAS) first: threadpool_limits only
    # reaches libraries already loaded, and oversubscribed workers run 3x slower.
    import sklearn.ensemble  # noqa: F401
    import statsmodels.tsa.holtwinters  # noqa: F401

    with threadpool_limits(1):
        return _forecast_panel(
            df,
            horizon,
            season_length=season_length,
            freq=freq,
            levels=levels,
            n_origins=n_origins,
            models=models,
            future=future,
            margin=margin,
            ensemble_k=ensemble_k,
        )


def _forecast_panel(
    df: pd.DataFrame,
    horizon: int,
    *,
    season_length: int | None = None,
    freq: str | None = None,
    levels=DEFAULT_LEVELS,
    n_origins: int = 4,
    models=None,
    future: pd.DataFrame | None = None,
    margin: float = 0.25,
    ensemble_k: int = 0,
) -> EngineResult:
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    h = int(horizon)
    if h < 1:
        raise ValueError("horizon must be >= 1")
    levels = tuple(sorted({float(x) for x in (*levels, 0.1, 0.9)}))
    panel = build_panel(df, freq=freq, season_length=season_length)
    n, T = panel.y.shape
    classes = classify(panel.y)
    # The stop rule is part of the automatic choice: a pinned model list runs as is.
    stopped = stopped_selling(panel.y, h) if not models else np.zeros(n, bool)
    fut = future_exog(panel, future, h)
    timings["prepare"] = time.perf_counter() - clock

    # Candidates per series, and the base models each needs.
    if models:
        cand = {c: tuple(models) for c in CANDIDATES_BY_CLASS}
    else:
        cand = CANDIDATES_BY_CLASS
        period = yearly_period(panel.season_length)
        if (
            not period
            or panel.n_obs.max() < min_yearly_history(period)
            or pooled_yearly_strength(panel.y_fit, period) < MIN_YEARLY_STRENGTH
        ):
            # No series has a year of history (the yearly variants would equal
            # their plain members), or the chunk shares no yearly season: the
            # yearly variants are not run (they cost ~10% of a daily retrain).
            cand = {
                c: tuple(m for m in ms if not _is_yearly(m)) for c, ms in cand.items()
            }
    names = sorted({m for c in set(classes) for m in cand[c]})
    is_cand = {m: np.array([m in cand[c] for c in classes]) for m in names}
    base_rows: dict[str, np.ndarray] = {}
    for m in names:
        for b in _members(m):
            base_rows[b] = base_rows.get(b, np.zeros(n, bool)) | is_cand[m]
    for b in base_rows:
        if b in GLOBAL_MODELS:
            base_rows[b][:] = True  # a global learner learns from every series

    # Backtest.
    clock = time.perf_counter()
    cuts = origin_cuts(T, h, n_origins)
    A = actuals(panel, cuts, h)
    # Where the stop rule would have fired at an origin (what the product would
    # have forecast there: nothing), for the chosen model's errors and scores.
    stopped_at = np.zeros((n, len(cuts)), bool)
    if not models:
        for o, cut in enumerate(cuts):
            stopped_at[:, o] = stopped_selling(panel.y[:, :cut], h)
    F: dict[str, np.ndarray] = {}
    failures: dict[str, int] = {}
    fitted: dict[str, object] = {}
    for b, rows_mask in base_rows.items():
        rows = np.flatnonzero(rows_mask)
        full = np.full((n, len(cuts), h), np.nan)
        if cuts:
            t = time.perf_counter()
            try:
                out, model, failed = run_backtest(b, panel, rows, cuts, h, fut)
                out[failed] = np.nan
                full[rows] = out
                if hasattr(model, "take"):  # only ETS re-uses its parameters
                    fitted[b] = (rows, model)
                if failed.any():
                    failures[b] = int(failed.sum())
            except Exception:
                logger.exception(
                    "model %s failed in the backtest on %d series", b, len(rows)
                )
                failures[b] = len(rows)
            timings[f"backtest_{b}"] = time.perf_counter() - t
        F[b] = full
    for m in names:
        if m in COMBINATIONS:
            F[m] = np.mean([F[b] for b in COMBINATIONS[m]], axis=0)
    timings["backtest"] = time.perf_counter() - clock

    # Selection: scores per origin, the best-k ensemble, then the per-series choice.
    clock = time.perf_counter()
    singles = [m for m in names if m not in COMBINATIONS]
    P = np.stack([per_origin_mse(A, F[m]) for m in names], axis=1)  # (n, M, O)
    for j, m in enumerate(names):
        P[~is_cand[m], j, :] = np.nan
    members_of = {m: _members(m) for m in names}
    if ensemble_k > 1 and len(singles) > 1 and cuts:
        idx = [names.index(m) for m in singles]
        stack = np.stack([F[m] for m in singles])
        F[ENSEMBLE], ens_members = ensemble_backtest(A, stack, P[:, idx, :], ensemble_k)
        P = np.concatenate([P, per_origin_mse(A, F[ENSEMBLE])[:, None, :]], axis=1)
        names = [*names, ENSEMBLE]
    mse = aggregate(P)
    default = [ENSEMBLE if ENSEMBLE in names else DEFAULT_BY_CLASS[c] for c in classes]
    scale2 = _scale(panel.y, 2)
    # Per class, the yearly variant of the default only where the backtest shows
    # that it pays off (the backtest is training data only).
    use_yearly = yearly_pays_off(P, names, default, YEARLY_DEFAULT, classes, scale2)
    default = [
        YEARLY_DEFAULT[d] if u else d for d, u in zip(default, use_yearly, strict=True)
    ]
    # Per class, an obvious benchmark that clearly beats the default replaces it.
    default = class_defaults(P, names, default, CLASS_ALTERNATIVES, classes, scale2)
    scores = challengers(P, mse, names, default, margin)
    # Per class, challengers only where they paid off out of sample in the backtest.
    keep = challengers_pay_off(P, names, default, margin, classes, scale2)
    col = np.array([names.index(d) if d in names else -1 for d in default])
    only_default = ~keep & (col >= 0)
    only_default &= np.isfinite(mse[np.arange(n), np.maximum(col, 0)])
    scores[only_default] = np.inf
    scores[only_default, col[only_default]] = mse[only_default, col[only_default]]
    best = np.argmin(scores, axis=1)
    best_mse = mse[np.arange(n), best]
    chosen = np.array([names[b] for b in best], dtype=object)
    series_members = [members_of.get(m, ()) for m in chosen]
    reason = np.full(n, "", dtype=object)
    class_default = dict(zip(classes, default, strict=True))
    never_sold = ~(np.nan_to_num(panel.y) > 0).any(axis=1)
    for i in range(n):
        if never_sold[i] or not np.isfinite(best_mse[i]):
            # (a series that never sold has nothing for a backtest to choose by:
            # every candidate forecasts about zero on it)
            has_hist = cuts and (cuts[-1] - panel.start[i] >= MIN_TRAIN)
            if never_sold[i]:
                # Nothing sold yet: nothing is the forecast (the band still
                # comes from the recent spread, i.e. zero).
                reason[i] = ALL_ZERO
                chosen[i] = (
                    "zero"
                    if not models
                    else _young_model("", classes[i], models, failures)
                )
            elif has_hist:
                reason[i] = FAILED
                chosen[i] = _fallback_model(classes[i], models, failures)
            else:
                # Too young to backtest: the choice of its demand class in this
                # chunk, whose combinations hold the global model (what the
                # panel's longer series teach about a young item) and whose
                # simple members shrink toward it.
                reason[i] = TOO_SHORT
                chosen[i] = _young_model(
                    class_default.get(classes[i], ""), classes[i], models, failures
                )
            series_members[i] = _members(chosen[i])
            continue
        if chosen[i] == ENSEMBLE:
            picked = tuple(singles[j] for j in ens_members[i] if j >= 0)
            series_members[i] = picked
            chosen[i] = "ensemble:" + "+".join(picked)
        else:
            series_members[i] = _members(chosen[i])
    fallback = reason != ""
    # Demand that has stopped (``classify.stopped_selling``) is forecast as the
    # mean of the run of zeros, i.e. nothing; no model needs a final fit for it.
    stopped &= ~fallback
    for i in np.flatnonzero(stopped):
        series_members[i] = ()
    if fallback.any():
        logger.info(
            "%d of %d series fell back: %s",
            fallback.sum(),
            n,
            pd.Series(reason[fallback]).value_counts().to_dict(),
        )
    timings["select"] = time.perf_counter() - clock

    # Final fit on the whole history, only for the series (and members) that need it.
    clock = time.perf_counter()
    mean = np.zeros((n, h))
    final: dict[str, np.ndarray] = {}
    need: dict[str, np.ndarray] = {}
    for i, ms in enumerate(series_members):
        for b in ms:
            need.setdefault(b, np.zeros(n, bool))[i] = True
    for b in need:
        if b.startswith("global_"):  # a global learner: the rows it learnt from
            need[b] |= base_rows.get(b, need[b])
    for b, rows_mask in need.items():
        rows = np.flatnonzero(rows_mask)
        final[b] = _final_forecast(b, panel, rows, h, fut, fitted.get(b), failures)
    for i, ms in enumerate(series_members):
        if ms:
            mean[i] = np.mean([final[b][i] for b in ms], axis=0)
    mean = np.clip(np.nan_to_num(mean), 0.0, None)
    timings["final_fit"] = time.perf_counter() - clock

    # Quantiles from the chosen model's backtest errors; scores for the table.
    clock = time.perf_counter()
    Fc = np.full_like(A, np.nan)
    for m in set(chosen):
        r = chosen == m
        key = ENSEMBLE if m.startswith("ensemble:") else m
        Fc[r] = F[key][r] if key in F else np.nan
    Fc[stopped_at] = np.where(np.isnan(Fc[stopped_at]), np.nan, 0.0)
    E = A - Fc
    recent = panel.y[:, -max(int(n_origins) * h, 28) :]
    with np.errstate(all="ignore"):
        zero_share = (recent == 0).sum(axis=1) / (~np.isnan(recent)).sum(axis=1)
    step_scale = _yearly_error_scale(panel, chosen, E, cuts, h)
    diff_scale = np.sqrt(_scale(panel.y, 2))
    Q, no_errors = band_quantiles(
        mean, E, classes, diff_scale, levels, step_scale, zero_share
    )
    if no_errors.any():
        # No backtest (fallback): the spread of recent demand around its mean.
        r = recent[no_errors]
        cnt = (~np.isnan(r)).sum(axis=1, keepdims=True)
        spread = r - np.nansum(r, axis=1, keepdims=True) / np.maximum(cnt, 1)
        Q[no_errors] = empirical_quantiles(
            mean[no_errors], spread, levels, zero_share=zero_share[no_errors]
        )
    label = np.where(stopped, STOPPED, chosen).astype(object)
    selection = _selection_table(
        panel, classes, label, A, Fc, fallback, reason, zero_share
    )
    forecasts = _forecast_frame(panel, mean, Q, levels, h)
    timings["quantiles"] = time.perf_counter() - clock
    timings["total"] = sum(
        v for k, v in timings.items() if not k.startswith("backtest_")
    )
    scores = pd.DataFrame(np.where(np.isfinite(mse), mse, np.nan), columns=names)
    scores.insert(0, "series_id", panel.ids)
    return EngineResult(
        selection=selection,
        forecasts=forecasts,
        n_series=n,
        n_fallbacks=int(fallback.sum()),
        n_failures=int(sum(failures.values())),
        failures=failures,
        timings=timings,
        freq=panel.freq,
        season_length=panel.season_length,
        backtest_scores=scores,
    )


def _empty_result(levels) -> EngineResult:
    levels = sorted({float(x) for x in (*levels, 0.1, 0.9)})
    columns = ["series_id", "date", "step", "mean", *map(quantile_column, levels)]
    return EngineResult(
        selection=pd.DataFrame(columns=SELECTION_COLUMNS),
        forecasts=pd.DataFrame(columns=columns),
        n_series=0,
        n_fallbacks=0,
        n_failures=0,
    )


def _is_yearly(name: str) -> bool:
    return name in YEARLY_MODELS or (
        name in COMBINATIONS and all(b in YEARLY_MODELS for b in COMBINATIONS[name])
    )


def _yearly_error_scale(panel, chosen, E, cuts, h) -> np.ndarray:
    """(n, h) how the error spread scales with the yearly index of each forecast
    period, for series on a yearly model; ``E`` is divided in place by the index
    part of the scale at the backtest periods (deseasonalised units).

    The scale is ``width * index ** gamma`` (gamma 0: errors do not grow with the
    season, 1: they grow in proportion; ``width`` widens bands that the backtest
    found too narrow), the pair of ``ERROR_INDEX_POWERS`` x ``ERROR_WIDTHS`` with
    the least pinball loss of the 10/90/95% quantiles, leave-one-origin-out in the
    backtest, with quantiles built as the final ones are (median over origins)."""
    n, T = panel.y.shape
    out = np.ones((n, h))
    rows = np.flatnonzero([_is_yearly(m) for m in chosen])
    period = yearly_period(panel.season_length)
    if not len(rows) or not period or len(cuts) < 2:
        return out
    index = yearly_index(panel.y_fit[rows], period)
    cols = np.array(cuts)[:, None] + np.arange(h)[None, :]  # (O, h) actual columns
    at_backtest = index_at(index, cols, T - 1)  # (r, O, h)
    future = index_at(index, T - 1 + np.arange(1, h + 1), T - 1)
    Er = E[rows]
    taus = np.array([0.1, 0.9, 0.95])
    loss = np.zeros((len(ERROR_INDEX_POWERS), len(ERROR_WIDTHS)))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for g, gamma in enumerate(ERROR_INDEX_POWERS):
            scale = at_backtest**gamma
            per = nanquantile(Er / scale, taus, axis=2)  # (L, r, O)
            for o in range(len(cuts)):
                q = nanquantile(np.delete(per, o, axis=2), 0.5, axis=2).T  # (r, L)
                for w, width in enumerate(ERROR_WIDTHS):
                    u = Er[:, o, :, None] - width * q[:, None, :] * scale[:, o, :, None]
                    loss[g, w] += float(np.nansum(u * (taus - (u < 0))))
    g, w = np.unravel_index(np.argmin(loss), loss.shape)
    gamma = ERROR_INDEX_POWERS[g]
    E[rows] = Er / at_backtest**gamma
    out[rows] = ERROR_WIDTHS[w] * future**gamma
    return out


def _young_model(class_choice, demand_class, models, failures) -> str:
    """A too-short series' model: its class's default (a combination, or the
    benchmark the class's backtest chose) unless a member failed, else the
    class fallback."""
    pinned = models[0] if models and len(models) == 1 else ""
    own = class_choice if class_choice != ENSEMBLE and not models else pinned
    # (a pinned model forecasts its young series itself)
    if own and not any(failures.get(b) for b in _members(own)):
        return own
    return _fallback_model(demand_class, models, failures)


def _fallback_model(demand_class, models, failures) -> str:
    """The class fallback (or the first requested model) that has not failed."""
    order = [*(models or []), FALLBACK_BY_CLASS[demand_class], "moving_average"]
    order = [m for m in order if m not in COMBINATIONS]
    for m in order:
        if not failures.get(m):
            return m
    return "moving_average"


def _final_forecast(b, panel, rows, h, fut, fitted, failures) -> np.ndarray:
    """(n, h) forecasts of base model ``b`` for ``rows`` (zeros elsewhere)."""
    n, T = panel.y.shape
    out = np.zeros((n, h))
    Y = panel.y_fit[rows]
    X = exog(panel, rows, T, h, fut)
    try:
        model = make_model(b, season_length=panel.season_length, horizon=h)
        if fitted is not None and hasattr(fitted[1], "take"):
            # Re-use parameters estimated in the backtest (statsmodels ETS).
            pos = np.searchsorted(fitted[0], rows)
            model = fitted[1].take(pos).update(Y, X)
        else:
            model.fit(Y, X)
        out[rows] = model.predict_mean(h, X)
        bad = np.asarray(getattr(model, "failed_", np.zeros(len(rows), bool)))
        if bad.any():
            failures[b] = failures.get(b, 0) + int(bad.sum())
    except Exception:
        logger.exception("model %s failed in the final fit; using recent means", b)
        failures[b] = failures.get(b, 0) + len(rows)
        recent = Y[:, -28:]
        with np.errstate(all="ignore"):
            level = np.nan_to_num(np.nanmean(recent, axis=1))
        out[rows] = level[:, None]
    return out


def _selection_table(
    panel, classes, chosen, A, Fc, fallback, reason, zero_share
) -> pd.DataFrame:
    n = len(chosen)
    E = (A - Fc).reshape(n, -1)
    a = A.reshape(n, -1)
    f = Fc.reshape(n, -1)
    s2, s1 = _scale(panel.y, 2), _scale(panel.y, 1)
    with np.errstate(all="ignore"):
        cnt = (~np.isnan(E)).sum(axis=1)
        mse = np.nansum(E**2, axis=1) / cnt
        mae = np.nansum(np.abs(E), axis=1) / cnt
        den = np.nansum(np.abs(np.where(np.isnan(E), np.nan, a)), axis=1)
        ok = ~np.isnan(E)
        rmsse = np.where(s2 > 0, np.sqrt(mse / s2), np.nan)
        mase = np.where(s1 > 0, mae / s1, np.nan)
        wape = np.where(den > 0, np.nansum(np.abs(E), axis=1) / den, np.nan)
        bias = np.where(den > 0, np.where(ok, f - a, 0).sum(axis=1) / den, np.nan)
    cover = loo_coverage(A, Fc, classes, np.sqrt(s2), 0.1, 0.9, zero_share)
    return pd.DataFrame(
        {
            "series_id": panel.ids,
            "demand_class": classes,
            "model": chosen,
            "rmsse": rmsse,
            "mase": mase,
            "wape": wape,
            "bias": bias,
            "cover80": cover,
            "n_obs": panel.n_obs,
            "fallback": fallback,
            "fallback_reason": reason,
        },
        columns=SELECTION_COLUMNS,
    )


def _forecast_frame(panel, mean, Q, levels, h) -> pd.DataFrame:
    n = mean.shape[0]
    data = {
        "series_id": np.repeat(panel.ids, h),
        "date": future_dates(panel, h).reshape(-1),
        "step": np.tile(np.arange(1, h + 1), n),
        "mean": mean.reshape(-1),
    }
    for j, level in enumerate(levels):
        data[quantile_column(level)] = Q[:, :, j].reshape(-1)
    return pd.DataFrame(data)
