"""The engine's entry point: classify, backtest, select and forecast a panel of series.

    forecast_panel(df, horizon, *, season_length=None, freq=None,
                   levels=DEFAULT_LEVELS, n_origins=4, models=None, future=None,
                   margin=0.25, ensemble_k=0) -> EngineResult

Input ``df``: long frame with ``series_id, date, quantity`` and optionally
``price``, ``promo`` (0/1), ``event`` (0/1: a holiday or shopping festival) and
``censored`` (bool: a stock-out period, imputed for fitting and skipped in
scoring); date grid rules in ``panel``. ``freq`` is inferred from the dates when
omitted and ``season_length`` from the frequency. ``future`` (optional) gives
``price``/``promo``/``event`` for the forecast dates; without it price stays at
its last value and there is no promotion or event. ``models`` pins the
candidates to those names for every series (and turns the stop rule off);
``n_origins`` backtest windows of ``horizon`` periods judge the candidates;
``margin`` is how much lower a challenger's backtest MSE must be;
``ensemble_k`` > 1 adds a per-series mean of the k best candidates as default.

Stages, one module each: ``plan`` (candidates per series), ``backtest``
(rolling origins), ``choice`` (the selection rule and reasoned fallbacks),
``final`` (fits on the whole history), ``intervals`` (calibrated bands) and
``result`` (the ``EngineResult`` contract). A series whose demand has stopped
(``classify.stopped_selling``) is forecast as nothing and labelled "stopped".

Guarantees: an empty frame gives an empty result; ``horizon`` < 1 raises
``ValueError``; a model failure never escapes (logged, counted, the series uses
the remaining candidates or its class fallback); forecasts are >= 0, never NaN,
with ordered quantiles. Every step is per series except those that pool a
chunk's series (the global learners' training, the per-class choices of
defaults and challengers, the per-class and recency choices and level factors
of sparse series, the bands' class pools): a subset of series gets the
same means for the per-series steps. BLAS/OpenMP run one thread: scale by
processes (chunks).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .backtest import backtest_candidates
from .base import DEFAULT_LEVELS
from .choice import choose
from .classify import classify, stopped_selling
from .final import final_mean
from .intervals import forecast_quantiles
from .panel import build_panel, future_exog
from .plan import candidate_plan
from .result import (
    EngineResult,
    all_levels,
    empty_result,
    forecast_frame,
    selection_table,
)

STOPPED = "stopped"  # the selection's model for a series whose demand has stopped


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
        return empty_result(levels)
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
    df,
    horizon,
    *,
    season_length,
    freq,
    levels,
    n_origins,
    models,
    future,
    margin,
    ensemble_k,
) -> EngineResult:
    """The stages in order, each timed; arguments as ``forecast_panel``."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    h = int(horizon)
    if h < 1:
        raise ValueError("horizon must be >= 1")
    levels = all_levels(levels)
    panel = build_panel(df, freq=freq, season_length=season_length)
    classes = classify(panel.y)
    # The stop rule is part of the automatic choice: a pinned model list runs as is.
    stopped = (
        stopped_selling(panel.y, h) if not models else np.zeros(len(classes), bool)
    )
    fut = future_exog(panel, future, h)
    timings["prepare"] = time.perf_counter() - clock

    clock = time.perf_counter()
    plan = candidate_plan(panel, classes, models)
    bt = backtest_candidates(panel, plan, h, n_origins, fut, stop_rule=not models)
    timings.update(bt.timings)
    timings["backtest"] = time.perf_counter() - clock

    clock = time.perf_counter()
    choice = choose(
        panel, classes, plan, bt, models=models, margin=margin, ensemble_k=ensemble_k
    )
    # A stopped series is forecast as nothing: no model needs a final fit for it.
    stopped &= ~choice.fallback
    series_members = [
        () if s else ms for s, ms in zip(stopped, choice.members, strict=True)
    ]
    timings["select"] = time.perf_counter() - clock

    clock = time.perf_counter()
    mean = final_mean(
        panel, series_members, plan.base_rows, h, fut, bt.fitted, bt.failures
    )
    mean *= choice.factor[:, None]
    timings["final_fit"] = time.perf_counter() - clock

    clock = time.perf_counter()
    # The bands calibrate on what the product would have forecast (factors in).
    scaled = choice.scaled_backtest(bt)
    bands = forecast_quantiles(
        panel, classes, choice.chosen, scaled, mean, levels, n_origins, h
    )
    label = np.where(stopped, STOPPED, choice.chosen).astype(object)
    selection = selection_table(
        panel, classes, label, bt.A, bands.Fc, choice.reason, bands.zero_share
    )
    forecasts = forecast_frame(panel, mean, bands.Q, levels, h)
    timings["quantiles"] = time.perf_counter() - clock
    return _result(panel, choice, bt, selection, forecasts, timings)


def _result(panel, choice, bt, selection, forecasts, timings) -> EngineResult:
    timings["total"] = sum(
        v for k, v in timings.items() if not k.startswith("backtest_")
    )
    mse = choice.mse
    scores = pd.DataFrame(np.where(np.isfinite(mse), mse, np.nan), columns=choice.names)
    scores.insert(0, "series_id", panel.ids)
    return EngineResult(
        selection=selection,
        forecasts=forecasts,
        n_series=len(choice.chosen),
        n_fallbacks=int(choice.fallback.sum()),
        n_failures=int(sum(bt.failures.values())),
        failures=bt.failures,
        timings=timings,
        freq=panel.freq,
        season_length=panel.season_length,
        backtest_scores=scores,
    )
