"""Forecast runs: plan the series into chunks, fit each chunk, close the run.

A run is safe to start twice (a second request joins the one in flight), a
chunk is safe to process twice (it replaces its own rows in one transaction),
and closing a run twice changes nothing.
"""

import logging
import time
from datetime import timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from ..engine import forecast_panel
from ..models import DemandDay, ForecastChunk, ForecastRun, RunStatus, SeriesForecast
from .history import demand_frame, demand_history_sync

logger = logging.getLogger(__name__)

DEFAULT_HORIZON = 28
SEASON_LENGTH = 7
# 0.1-0.9 is the 80% band, 0.025-0.975 the 95% band; the upper ones feed safety stock.
LEVELS = (0.025, 0.1, 0.5, 0.8, 0.9, 0.95, 0.975, 0.99)
STALE_AFTER = timedelta(hours=6)
ACTIVE = (RunStatus.PENDING, RunStatus.RUNNING)


def forecast_run_start(
    *, trigger: str = "manual", user=None, horizon: int = DEFAULT_HORIZON
) -> tuple[ForecastRun, bool]:
    """A new pending run, or the one already in flight (created=False).

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
                requested_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        return ForecastRun.objects.filter(status__in=ACTIVE).first(), False
    return run, True


def forecast_run_plan(
    *, run: ForecastRun, chunk_size: int | None = None
) -> list[int] | None:
    """Sync history from the ledger and split the series into chunks.

    Only the caller that moves the run from pending to running plans it; any
    other gets None.
    """
    claimed = ForecastRun.objects.filter(pk=run.pk, status=RunStatus.PENDING).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    demand_history_sync()
    pairs = list(
        DemandDay.objects.filter(product__is_active=True)
        .values_list("product_id", "warehouse_id")
        .distinct()
        .order_by("product_id", "warehouse_id")
    )
    last = DemandDay.objects.order_by("-date").values_list("date", flat=True).first()
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


def _clean(value) -> float | None:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    return float(value)


def forecast_chunk_process(*, run_id: int, index: int) -> ForecastChunk:
    """Fit, backtest and store one chunk; a chunk already done is left alone."""
    chunk = ForecastChunk.objects.select_related("run").get(run_id=run_id, index=index)
    if chunk.status == RunStatus.SUCCEEDED:
        return chunk
    ForecastChunk.objects.filter(pk=chunk.pk).update(
        status=RunStatus.RUNNING, attempts=chunk.attempts + 1
    )
    started = time.perf_counter()
    pairs = [tuple(p) for p in chunk.pairs]
    frame = demand_frame(pairs)
    result = forecast_panel(
        frame[["series_id", "date", "quantity", "price", "promo", "censored"]],
        horizon=chunk.run.horizon,
        season_length=SEASON_LENGTH,
        levels=LEVELS,
    )
    forecasts = result.forecasts.sort_values(["series_id", "step"])
    value_columns = [c for c in forecasts.columns if c == "mean" or c.startswith("q")]
    by_series = {sid: group for sid, group in forecasts.groupby("series_id")}
    rows = []
    for sel in result.selection.itertuples(index=False):
        group = by_series.get(sel.series_id)
        if group is None:
            continue
        product_id, warehouse_id = (int(x) for x in str(sel.series_id).split(":"))
        rows.append(
            SeriesForecast(
                run_id=run_id,
                product_id=product_id,
                warehouse_id=warehouse_id,
                model=str(sel.model),
                demand_class=str(getattr(sel, "demand_class", "") or ""),
                rmsse=_clean(getattr(sel, "rmsse", None)),
                mase=_clean(getattr(sel, "mase", None)),
                wape=_clean(getattr(sel, "wape", None)),
                bias=_clean(getattr(sel, "bias", None)),
                cover80=_clean(getattr(sel, "cover80", None)),
                n_obs=int(getattr(sel, "n_obs", 0) or 0),
                fallback=bool(getattr(sel, "fallback", False)),
                fallback_reason=str(getattr(sel, "fallback_reason", "") or "")[:200],
                start_date=pd.Timestamp(group["date"].iloc[0]).date(),
                values={
                    column: [round(float(v), 4) for v in group[column]]
                    for column in value_columns
                },
            )
        )
    with transaction.atomic():
        SeriesForecast.objects.filter(
            run_id=run_id,
            product_id__in={p for p, _ in pairs},
            warehouse_id__in={w for _, w in pairs},
        ).delete()
        SeriesForecast.objects.bulk_create(rows, batch_size=2000)
        ForecastChunk.objects.filter(pk=chunk.pk).update(
            status=RunStatus.SUCCEEDED,
            seconds=time.perf_counter() - started,
            n_fallbacks=sum(r.fallback for r in rows),
            n_failures=len(pairs) - len(rows),
            error="",
        )
    chunk.refresh_from_db()
    return chunk


def forecast_chunk_fail(*, run_id: int, index: int, error: str) -> None:
    ForecastChunk.objects.filter(run_id=run_id, index=index).update(
        status=RunStatus.FAILED, error=error[:2000]
    )


def forecast_run_finish(*, run_id: int) -> ForecastRun:
    """Record counts, duration and summary metrics; idempotent."""
    run = ForecastRun.objects.get(pk=run_id)
    if run.status not in ACTIVE:
        return run
    chunks = run.chunks.aggregate(
        failed=Count("pk", filter=~Q(status=RunStatus.SUCCEEDED)),
        fallbacks=Sum("n_fallbacks"),
        failures=Sum("n_failures"),
    )
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
    run.summary = {
        "series_forecast": stored.pop("series"),
        "mean": {k: _clean(v) for k, v in stored.items()},
        "models": models,
        "chunks_failed": chunks["failed"],
    }
    run.n_fallbacks = chunks["fallbacks"] or 0
    run.n_failures = (chunks["failures"] or 0) + sum(
        len(c.pairs) for c in run.chunks.exclude(status=RunStatus.SUCCEEDED)
    )
    run.status = RunStatus.FAILED if chunks["failed"] else RunStatus.SUCCEEDED
    if chunks["failed"]:
        run.error = f"{chunks['failed']} chunk(s) failed after retries."
    run.finished_at = timezone.now()
    run.started_at = run.started_at or run.finished_at
    run.save()
    return run
