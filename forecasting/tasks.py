"""Celery tasks for forecasting: a retrain fans its chunks out as a chord."""

import logging

from celery import chord, shared_task

from .services.runs import (
    forecast_chunk_fail,
    forecast_chunk_process,
    forecast_run_close,
    forecast_run_plan,
    forecast_run_start,
    forecast_run_suggestions_build,
    forecast_runs_sweep,
)

logger = logging.getLogger(__name__)
CHUNK_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=CHUNK_RETRIES)
def forecast_chunk_task(self, run_id: int, index: int) -> dict:
    try:
        chunk = forecast_chunk_process(run_id=run_id, index=index)
    except Exception as error:
        if self.request.retries < CHUNK_RETRIES:
            logger.warning("Forecast chunk %s/%s failed, retrying", run_id, index)
            raise self.retry(exc=error, countdown=2**self.request.retries) from error
        logger.exception("Forecast chunk %s/%s failed for good", run_id, index)
        forecast_chunk_fail(run_id=run_id, index=index, error=repr(error))
        return {"index": index, "status": "failed"}
    return {"index": index, "status": chunk.status}


@shared_task(acks_late=True)
def forecast_run_finish_task(run_id: int) -> dict:
    """Close the run; fresh forecasts then rebuild the suggestions.

    The chord callback and the sweeper may both get here: only the call that
    closed the run starts the build.
    """
    run, closed = forecast_run_close(run_id=run_id)
    if closed and run.status == "succeeded":
        suggestions_build_task.delay(run.pk)
        dashboard_refresh_task.delay()  # its forecast accuracy now scores this run
    return {"run": run.pk, "status": run.status, "closed": closed}


@shared_task(acks_late=True)
def suggestions_build_task(run_id: int | None = None) -> dict:
    """Safe to run twice: a run's build commits once, and any build supersedes
    the open suggestions it replaces."""
    return forecast_run_suggestions_build(run_id=run_id)


@shared_task(acks_late=True)
def dashboard_refresh_task(period_days: int | None = None) -> dict:
    """Beat, each closed run, the "Recompute now" button: recompute the manager
    dashboard's snapshot (one period, or all) and store it. Safe to run twice:
    each run stores what it read, a late older one never replaces a newer."""
    from stock.selectors.kpis import PERIODS

    from .selectors import dashboard_snapshot_refresh

    done = dashboard_snapshot_refresh(periods=[period_days] if period_days else PERIODS)
    return {str(p): snap["computed_at"].isoformat() for p, snap in done.items()}


@shared_task(acks_late=True)
def forecast_runs_sweep_task() -> dict:
    """Beat: re-enqueue the chunks, closing steps and builds a lost worker left."""
    return forecast_runs_sweep()


@shared_task(acks_late=True)
def forecast_retrain_task(
    trigger: str = "schedule", user_id: int | None = None, run_id: int | None = None
) -> dict:
    """Start (or join) a retrain and fan its chunks out over the workers."""
    from django.contrib.auth import get_user_model

    from .models import ForecastRun

    if run_id is not None:
        run = ForecastRun.objects.get(pk=run_id)
    else:
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        run, _ = forecast_run_start(trigger=trigger, user=user)
    indexes = forecast_run_plan(run=run)
    if indexes is None:  # someone else is already running it
        return {"run": run.pk, "joined": True}
    finish = forecast_run_finish_task.si(run.pk)
    if not indexes:
        finish.apply_async()
    else:
        chord(forecast_chunk_task.si(run.pk, i) for i in indexes)(finish)
    return {"run": run.pk, "chunks": len(indexes)}
