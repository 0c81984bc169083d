"""Forecast runs: plan the series into chunks, fit each chunk, close the run.

A run is safe to start twice (a second request joins the one in flight), a
chunk is safe to process twice (it replaces its own rows in one transaction),
and closing a run twice changes nothing. What a lost worker leaves behind is
found by forecasting.services.sweeper.
"""

import json
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone

from ..engine import forecast_panel
from ..models import ForecastChunk, ForecastRun, RunStatus, SeriesForecast
from ..planning.training import calendar_inputs
from .history import (
    demand_history_sync,
    history_changed_pairs,
    history_pairs,
    ledger_demand_frame,
)
from .suggestions import suggestions_build

DEFAULT_HORIZON = 28
SEASON_LENGTH = 7
# 0.1-0.9 is the 80% band, 0.025-0.975 the 95% band; the upper ones feed safety stock.
LEVELS = (0.025, 0.1, 0.5, 0.8, 0.9, 0.95, 0.975, 0.99)
STALE_AFTER = timedelta(hours=6)
ACTIVE = (RunStatus.PENDING, RunStatus.RUNNING)
ENGINE_COLUMNS = ["series_id", "date", "quantity", "price", "promo", "censored"]
CALENDAR_COLUMNS = ["event"]  # present when the calendar has events


def forecast_run_start(
    *,
    trigger: str = "manual",
    user=None,
    horizon: int = DEFAULT_HORIZON,
    changed_only: bool = False,
) -> tuple[ForecastRun, bool]:
    """A new pending run, or the one already in flight (created=False).

    changed_only limits the run to the series whose history changed since the
    newest succeeded run began (every series when there is none).

    A run in flight longer than STALE_AFTER is taken as crashed and failed, so
    it can never block retraining for good.
    """
    stale = timezone.now() - STALE_AFTER
    ForecastRun.objects.filter(status__in=ACTIVE, created_at__lt=stale).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error="Abandoned: no progress within the time limit.",
    )
    active = ForecastRun.objects.filter(status__in=ACTIVE).first()
    if active:
        return active, False
    try:
        with transaction.atomic():
            run = ForecastRun.objects.create(
                trigger=trigger,
                horizon=horizon,
                changed_only=changed_only,
                requested_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        return ForecastRun.objects.filter(status__in=ACTIVE).first(), False
    return run, True


def forecast_run_plan(
    *, run: ForecastRun, chunk_size: int | None = None
) -> list[int] | None:
    """Split the series with history into chunks.

    Only the caller that moves the run from pending to running plans it; any
    other gets None. Returns the indexes of the chunks to process (none when
    there is no history). Chunks are runs of consecutive (product, warehouse)
    pairs, so each reads its history as one range of the index.
    """
    # The claim and the plan commit together: a plan that fails (in the
    # embedded default, a table another thread holds) takes the claim back
    # with it, so the task's retry or the sweeper plans the run again. A
    # separate write giving the run back could meet the same lock and leave it
    # "running" with no chunk for good (CI: a retrain stuck at 5 %).
    with transaction.atomic():
        claimed = ForecastRun.objects.filter(
            pk=run.pk, status=RunStatus.PENDING
        ).update(status=RunStatus.RUNNING, started_at=timezone.now())
        if not claimed:
            return None
        return _plan(run, chunk_size)


def _history_until(run: ForecastRun) -> date:
    """The last day of ledger history a run reads: the day before it began."""
    started = timezone.localdate(run.started_at) if run.started_at else date.today()
    return started - timedelta(days=1)


def _plan(run: ForecastRun, chunk_size: int | None) -> list[int]:
    # history up to yesterday, read by the chunks from the ledger's roll-up
    # (DemandDay's dense copy is synced after the run, for its readers)
    run.refresh_from_db(fields=["started_at"])
    pairs, last = history_pairs(_history_until(run))
    if run.changed_only:
        pairs = _changed(run, pairs)
    chunk_size = chunk_size or settings.STOCKWISE_FORECAST_CHUNK_SIZE
    chunks = [pairs[i : i + chunk_size] for i in range(0, len(pairs), chunk_size)]
    with transaction.atomic():
        ForecastChunk.objects.bulk_create(
            [
                ForecastChunk(run=run, index=i, pairs=[list(p) for p in chunk])
                for i, chunk in enumerate(chunks)
            ],
            ignore_conflicts=True,
        )
        ForecastRun.objects.filter(pk=run.pk).update(
            n_series=len(pairs),
            n_chunks=len(chunks),
            history_end=last,
        )
    return list(range(len(chunks)))


def _changed(run: ForecastRun, pairs: list[tuple[int, int]]):
    """The pairs whose history changed since the newest succeeded run began."""
    previous = (
        ForecastRun.objects.filter(status=RunStatus.SUCCEEDED, started_at__isnull=False)
        .exclude(pk=run.pk)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if previous is None:
        return pairs
    changed = history_changed_pairs(previous)
    return [pair for pair in pairs if pair in changed]


def _finite_or_none(value) -> float | None:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    return float(value)


def forecast_chunk_process(*, run_id: int, index: int) -> ForecastChunk:
    """Fit, backtest and store one chunk; a chunk already done is left alone.

    Processing a chunk again replaces its series' rows of the run, in the same
    transaction that marks it succeeded; a series the engine could not
    forecast counts as a failure of the chunk, not an error.
    """
    chunk = ForecastChunk.objects.select_related("run").get(run_id=run_id, index=index)
    if chunk.status == RunStatus.SUCCEEDED:
        return chunk
    _chunk_claim(chunk)
    started = time.perf_counter()
    pairs = [tuple(p) for p in chunk.pairs]
    rows = _chunk_forecasts(
        run_id=run_id,
        pairs=pairs,
        horizon=chunk.run.horizon,
        until=_history_until(chunk.run),
    )
    _chunk_store(chunk, pairs, rows, seconds=time.perf_counter() - started)
    chunk.refresh_from_db()
    return chunk


def _chunk_claim(chunk: ForecastChunk) -> None:
    """Mark the chunk running and count the attempt.

    update() leaves auto_now alone: updated_at is set by hand, since the
    sweeper reads it as the chunk's last sign of life.
    """
    ForecastChunk.objects.filter(pk=chunk.pk).update(
        status=RunStatus.RUNNING,
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )


def _chunk_forecasts(
    *, run_id: int, pairs: list[tuple[int, int]], horizon: int, until: date
) -> list[SeriesForecast]:
    """Run the engine over the pairs' history: one unsaved row per series it
    forecast, with the chosen model, its backtest scores and the daily path."""
    # The calendar (promotions, events) and approved outlier decisions: an
    # overlay on the history, and the covariates known for the horizon.
    frame, future = calendar_inputs(ledger_demand_frame(pairs, until), horizon)
    columns = ENGINE_COLUMNS + [c for c in CALENDAR_COLUMNS if c in frame]
    result = forecast_panel(
        frame[columns],
        horizon=horizon,
        season_length=SEASON_LENGTH,
        levels=LEVELS,
        future=future,
    )
    return _forecast_rows(run_id, result)


def _forecast_rows(run_id: int, result) -> list[SeriesForecast]:
    """The engine's result as one unsaved SeriesForecast per series: each
    series' block of the sorted forecasts by position, not a DataFrame each."""
    forecasts = result.forecasts.sort_values(["series_id", "step"])
    value_columns = [c for c in forecasts.columns if c == "mean" or c.startswith("q")]
    values = forecasts[value_columns].to_numpy(dtype=float)
    dates = forecasts["date"].to_numpy()
    positions = forecasts.groupby("series_id", sort=False).indices
    rows = []
    for sel in result.selection.itertuples(index=False):
        at = positions.get(sel.series_id)
        if at is not None:
            rows.append(
                _series_forecast(run_id, sel, dates[at[0]], values[at], value_columns)
            )
    return rows


def _series_forecast(
    run_id: int, sel, start, values: np.ndarray, value_columns
) -> SeriesForecast:
    """One engine selection row and its forecast path (a row per step, a
    column per value column) as a SeriesForecast."""
    product_id, warehouse_id = (int(x) for x in str(sel.series_id).split(":"))
    return SeriesForecast(
        run_id=run_id,
        product_id=product_id,
        warehouse_id=warehouse_id,
        model=str(sel.model),
        demand_class=str(getattr(sel, "demand_class", "") or ""),
        rmsse=_finite_or_none(getattr(sel, "rmsse", None)),
        mase=_finite_or_none(getattr(sel, "mase", None)),
        wape=_finite_or_none(getattr(sel, "wape", None)),
        bias=_finite_or_none(getattr(sel, "bias", None)),
        cover80=_finite_or_none(getattr(sel, "cover80", None)),
        n_obs=int(getattr(sel, "n_obs", 0) or 0),
        fallback=bool(getattr(sel, "fallback", False)),
        fallback_reason=str(getattr(sel, "fallback_reason", "") or "")[:200],
        start_date=pd.Timestamp(start).date(),
        values={
            column: [round(v, 4) for v in values[:, i].tolist()]
            for i, column in enumerate(value_columns)
        },
    )


def _chunk_store(chunk: ForecastChunk, pairs, rows, *, seconds: float) -> None:
    """Replace the chunk's rows of the run and mark it succeeded, atomically."""
    with transaction.atomic():
        SeriesForecast.objects.filter(
            run_id=chunk.run_id,
            product_id__in={p for p, _ in pairs},
            warehouse_id__in={w for _, w in pairs},
        ).delete()
        SeriesForecast.objects.bulk_create(rows, batch_size=2000)
        ForecastChunk.objects.filter(pk=chunk.pk).update(
            status=RunStatus.SUCCEEDED,
            seconds=seconds,
            n_fallbacks=sum(r.fallback for r in rows),
            n_failures=len(pairs) - len(rows),
            error="",
            updated_at=timezone.now(),
        )


def forecast_chunk_fail(*, run_id: int, index: int, error: str) -> None:
    """Mark the chunk failed for good, keeping the (truncated) error."""
    ForecastChunk.objects.filter(run_id=run_id, index=index).update(
        status=RunStatus.FAILED, error=error[:2000], updated_at=timezone.now()
    )


def forecast_run_close(*, run_id: int) -> tuple[ForecastRun, bool]:
    """Record counts, duration and summary metrics; True only for the one
    caller that closed the run.

    The chord callback and the sweeper may both close a run: the conditional
    UPDATE lets exactly one of them start what follows (the suggestion build).
    A run with a chunk that did not succeed closes as failed.
    """
    run = ForecastRun.objects.get(pk=run_id)
    if run.status not in ACTIVE:
        return run, False
    chunks = run.chunks.aggregate(
        failed=Count("pk", filter=~Q(status=RunStatus.SUCCEEDED)),
        fallbacks=Sum("n_fallbacks"),
        failures=Sum("n_failures"),
    )
    run.summary = _run_summary(run, chunks_failed=chunks["failed"])
    run.n_fallbacks = chunks["fallbacks"] or 0
    run.n_failures = (chunks["failures"] or 0) + sum(
        len(c.pairs) for c in run.chunks.exclude(status=RunStatus.SUCCEEDED)
    )
    run.status = RunStatus.FAILED if chunks["failed"] else RunStatus.SUCCEEDED
    if chunks["failed"]:
        run.error = f"{chunks['failed']} chunk(s) failed after retries."
    run.finished_at = timezone.now()
    run.started_at = run.started_at or run.finished_at
    fields = ("summary", "n_fallbacks", "n_failures", "status", "error")
    closed = ForecastRun.objects.filter(pk=run.pk, status__in=ACTIVE).update(
        finished_at=run.finished_at,
        started_at=run.started_at,
        **{name: getattr(run, name) for name in fields},
    )
    if not closed:
        run.refresh_from_db()
    return run, bool(closed)


def _run_summary(run: ForecastRun, *, chunks_failed: int) -> dict:
    """The run's stored forecasts summed up: how many, their mean backtest
    scores, the models chosen (most used first) and why series fell back."""
    stored = run.forecasts.aggregate(
        series=Count("pk"),
        rmsse=Avg("rmsse"),
        mase=Avg("mase"),
        wape=Avg("wape"),
        bias=Avg("bias"),
        cover80=Avg("cover80"),
    )
    models = dict(
        run.forecasts.values("model").annotate(n=Count("pk")).values_list("model", "n")
    )
    reasons = dict(
        run.forecasts.filter(fallback=True)
        .values("fallback_reason")
        .annotate(n=Count("pk"))
        .values_list("fallback_reason", "n")
    )
    return {
        "series_forecast": stored.pop("series"),
        "mean": {k: _finite_or_none(v) for k, v in stored.items()},
        "models": dict(sorted(models.items(), key=lambda kv: (-kv[1], kv[0]))),
        "fallback_reasons": reasons,
        "chunks_failed": chunks_failed,
    }


def forecast_run_history_sync(*, run_id: int | None = None) -> dict:
    """Sync DemandDay with the ledger (demand_history_sync) and, for a run,
    note in its summary how many days were written and how long it took."""
    started = time.perf_counter()
    result = {"rows": demand_history_sync()}
    result["seconds"] = round(time.perf_counter() - started, 1)
    if run_id is not None:
        with transaction.atomic():
            run = ForecastRun.objects.select_for_update().get(pk=run_id)
            run.summary = {**run.summary, "history_sync": result}
            run.save(update_fields=["summary"])
    return result


def forecast_run_suggestions_build(*, run_id: int | None = None) -> dict:
    """Rebuild the suggestions from the run's fresh forecasts, once per run.

    The build and the run's record of it commit together, so a build killed
    half-way leaves nothing behind, and one that committed is not repeated.
    Without a run (a build asked for by hand) it simply rebuilds.
    """
    if run_id is None:
        return suggestions_build()
    with transaction.atomic():
        run = ForecastRun.objects.select_for_update().get(pk=run_id)
        if "suggestions" in run.summary:
            return {**run.summary["suggestions"], "repeated": True}
        result = suggestions_build()
        # Plain JSON whatever the build returns (numpy counts included).
        result = json.loads(json.dumps(result, default=_plain))
        run.summary = {**run.summary, "suggestions": result}
        run.save(update_fields=["summary"])
    return result


def _plain(value):
    return value.item() if hasattr(value, "item") else str(value)
