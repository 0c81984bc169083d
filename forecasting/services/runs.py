"""Forecast runs: plan the series into chunks, fit each chunk, close the run.

A run is safe to start twice (a second request joins the one in flight), a
chunk is safe to process twice (it replaces its own rows in one transaction),
and closing a run twice changes nothing. A sweeper re-enqueues the work a lost
worker left behind: stuck chunks, a run whose closing step never came, and the
suggestion build of the newest run.
"""

import json
import logging
import time
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Max, Q, Sum
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
# A chunk started this many times without finishing is failed, not re-queued:
# it dies every time (a hard time limit, memory), so trying again cannot help.
MAX_CHUNK_ATTEMPTS = 6
# All chunks done this long ago and the run still open: its closing step is lost.
FINISH_GRACE = timedelta(minutes=5)


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
    # update() leaves auto_now alone: updated_at is set by hand, since the
    # sweeper reads it as the chunk's last sign of life.
    ForecastChunk.objects.filter(pk=chunk.pk).update(
        status=RunStatus.RUNNING,
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
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
            updated_at=timezone.now(),
        )
    chunk.refresh_from_db()
    return chunk


def forecast_chunk_fail(*, run_id: int, index: int, error: str) -> None:
    ForecastChunk.objects.filter(run_id=run_id, index=index).update(
        status=RunStatus.FAILED, error=error[:2000], updated_at=timezone.now()
    )


def forecast_run_finish(*, run_id: int) -> ForecastRun:
    """Record counts, duration and summary metrics; idempotent."""
    return forecast_run_close(run_id=run_id)[0]


def forecast_run_close(*, run_id: int) -> tuple[ForecastRun, bool]:
    """Close the run; True only for the one caller that closed it.

    The chord callback and the sweeper may both close a run: the conditional
    UPDATE lets exactly one of them start what follows (the suggestion build).
    """
    run = ForecastRun.objects.get(pk=run_id)
    if run.status not in ACTIVE:
        return run, False
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
    reasons = dict(
        run.forecasts.filter(fallback=True)
        .values("fallback_reason")
        .annotate(n=Count("pk"))
        .values_list("fallback_reason", "n")
    )
    run.summary = {
        "series_forecast": stored.pop("series"),
        "mean": {k: _clean(v) for k, v in stored.items()},
        "models": dict(sorted(models.items(), key=lambda kv: (-kv[1], kv[0]))),
        "fallback_reasons": reasons,
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
    fields = ("summary", "n_fallbacks", "n_failures", "status", "error")
    closed = ForecastRun.objects.filter(pk=run.pk, status__in=ACTIVE).update(
        finished_at=run.finished_at,
        started_at=run.started_at,
        **{name: getattr(run, name) for name in fields},
    )
    if not closed:
        run.refresh_from_db()
    return run, bool(closed)


def forecast_run_suggestions_build(*, run_id: int | None = None) -> dict:
    """Rebuild the suggestions from the run's fresh forecasts, once per run.

    The build and the run's record of it commit together, so a build killed
    half-way leaves nothing behind, and one that committed is not repeated.
    Without a run (a build asked for by hand) it simply rebuilds.
    """
    from .suggestions import suggestions_build

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


def forecast_stale_after() -> timedelta:
    """How long a chunk may show no sign of life before it counts as lost.

    Above the tasks' hard time limit: a chunk still "running" after it was
    surely killed by then, so re-queueing it never races a live worker.
    """
    return timedelta(seconds=settings.STOCKWISE_FORECAST_STALE_SECONDS)


def forecast_runs_sweep(
    *, now=None, stale_after: timedelta | None = None
) -> dict[str, list]:
    """Find the work lost with a worker and put it back on the queue.

    With late acknowledgement a task whose worker process died is re-queued by
    the broker, but only once its visibility timeout passes; a chord whose
    chunk was re-queued outside it never calls its callback. So:

    - a chunk of a running run, running or pending with no sign of life for the
      stale limit, is enqueued again (failed once it used up its attempts);
    - a running run whose chunks have all finished, the last of them FINISH_GRACE
      ago, is closed (its chord callback is lost);
    - a run that is pending, or running without chunks, for the stale limit is
      planned again (its retrain task is lost);
    - the newest succeeded run whose suggestion build never committed gets one.

    A chunk (and a build) is claimed by a conditional UPDATE of its time stamp,
    so it is re-queued once per stale period however many sweeps run; closing
    and planning are idempotent, so a repeated one costs nothing.
    """
    from ..tasks import (
        forecast_chunk_task,
        forecast_retrain_task,
        forecast_run_finish_task,
        suggestions_build_task,
    )

    now = now or timezone.now()
    stale_after = stale_after or forecast_stale_after()
    cutoff = now - stale_after
    grace = now - min(stale_after, FINISH_GRACE)
    done: dict[str, list] = {
        key: [] for key in ("chunks", "failed", "finish", "plan", "suggestions")
    }

    with transaction.atomic():
        stuck = ForecastChunk.objects.filter(
            run__status=RunStatus.RUNNING, status__in=ACTIVE, updated_at__lt=cutoff
        ).values_list("pk", "run_id", "index", "attempts", "updated_at")
        for pk, run_id, index, attempts, updated_at in stuck:
            claim = ForecastChunk.objects.filter(
                pk=pk, status__in=ACTIVE, updated_at=updated_at
            )
            if attempts >= MAX_CHUNK_ATTEMPTS:
                if claim.update(
                    status=RunStatus.FAILED,
                    updated_at=now,
                    error=f"Lost with its worker {attempts} times.",
                ):
                    done["failed"].append((run_id, index))
            elif claim.update(updated_at=now):
                done["chunks"].append((run_id, index))

        unclosed = (
            ForecastRun.objects.filter(status=RunStatus.RUNNING)
            .annotate(
                open_chunks=Count("chunks", filter=Q(chunks__status__in=ACTIVE)),
                n=Count("chunks"),
                last=Max("chunks__updated_at"),
            )
            .filter(open_chunks=0, n__gt=0, last__lt=grace)
        )
        done["finish"] = list(unclosed.values_list("pk", flat=True))

        unplanned = (
            ForecastRun.objects.filter(
                Q(status=RunStatus.PENDING, created_at__lt=cutoff)
                | Q(
                    status=RunStatus.RUNNING, started_at__lt=cutoff, chunks__isnull=True
                )
            )
            .values_list("pk", flat=True)
            .distinct()
        )
        for pk in unplanned:
            # Back to pending, so that the re-enqueued retrain may plan it.
            ForecastRun.objects.filter(pk=pk, status=RunStatus.RUNNING).update(
                status=RunStatus.PENDING
            )
            done["plan"].append(pk)

        newest = (
            ForecastRun.objects.filter(status=RunStatus.SUCCEEDED)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        # Locked means its build is running right now: leave it alone.
        newest = (
            ForecastRun.objects.select_for_update(skip_locked=True)
            .filter(pk=newest, finished_at__lt=grace)
            .first()
        )
        if newest and "suggestions" not in newest.summary:
            asked = newest.summary.get("suggestions_requeued_at")
            if not asked or datetime.fromisoformat(asked) < cutoff:
                newest.summary = {
                    **newest.summary,
                    "suggestions_requeued_at": now.isoformat(),
                }
                newest.save(update_fields=["summary"])
                done["suggestions"].append(newest.pk)

        def enqueue():
            for run_id, index in done["chunks"]:
                forecast_chunk_task.delay(run_id, index)
            for run_id in done["finish"]:
                forecast_run_finish_task.delay(run_id)
            for run_id in done["plan"]:
                forecast_retrain_task.delay(run_id=run_id)
            for run_id in done["suggestions"]:
                suggestions_build_task.delay(run_id)

        transaction.on_commit(enqueue)
    for key, items in done.items():
        if items:
            logger.warning("Forecast sweep re-enqueued %s: %s", key, items)
    return done
