"""Celery tasks for forecasting: a retrain fans its chunks out as a chord.

The tasks are the only place that enqueues forecasting work: the services
they call return what to do next and never import this module.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from celery import chord, shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_noop

from core.jobs import FAILED, job_finish, job_update
from stock.selectors.kpis import PERIODS

from .models import ForecastRun
from .planning.cleaning import outliers_detect
from .selectors import dashboard_snapshot_refresh
from .services.rebalancing import transfer_suggestions_build
from .services.runs import (
    forecast_chunk_fail,
    forecast_chunk_process,
    forecast_run_close,
    forecast_run_history_sync,
    forecast_run_plan,
    forecast_run_start,
    forecast_run_suggestions_build,
)
from .services.sweeper import forecast_runs_sweep

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
    if closed:
        # DemandDay's copy of the history for its readers (the chunks read the
        # ledger's roll-up); the dashboard after it
        demand_history_sync_task.delay(run.pk)
    return {"run": run.pk, "status": run.status, "closed": closed}


@shared_task(acks_late=True)
def suggestions_build_task(
    run_id: int | None = None, job_id: str | None = None
) -> dict:
    """Safe to run twice: a run's build commits once, and any build supersedes
    the open suggestions it replaces. `job_id`: the progress a page shows
    (core.jobs), for a rebuild a manager asked for."""
    if job_id is None:
        return forecast_run_suggestions_build(run_id=run_id)
    job_update(
        job_id, percent=10, stage=gettext_noop("Building the replenishment suggestions")
    )
    try:
        result = forecast_run_suggestions_build(run_id=run_id)
    except Exception:
        job_finish(
            job_id, state=FAILED, message=gettext_noop("The rebuild failed; try again.")
        )
        raise
    job_finish(
        job_id,
        message=gettext_noop("%(n)s suggestion(s) from %(items)s item(s)."),
        n=result.get("suggestions", 0),
        items=result.get("items", 0),
    )
    return result


@shared_task(acks_late=True)
def demand_history_sync_task(run_id: int | None = None) -> dict:
    """After each closed run: bring DemandDay up to the ledger (what the
    dashboard, accuracy, product and launch pages read), then refresh the
    dashboard, whose accuracy now scores the run. Safe to run twice."""
    result = forecast_run_history_sync(run_id=run_id)
    dashboard_refresh_task.delay()
    return result


@shared_task(acks_late=True)
def dashboard_refresh_task(period_days: int | None = None) -> dict:
    """Beat, each closed run, the "Recompute now" button: recompute the manager
    dashboard's snapshot (one period, or all) and store it. Safe to run twice:
    each run stores what it read, a late older one never replaces a newer."""
    done = dashboard_snapshot_refresh(periods=[period_days] if period_days else PERIODS)
    return {str(p): snap["computed_at"].isoformat() for p, snap in done.items()}


def forecast_runs_requeue(
    *, now: datetime | None = None, stale_after: timedelta | None = None
) -> dict[str, list]:
    """Sweep (forecasting.services.sweeper.forecast_runs_sweep) and enqueue
    what it claimed once its claims commit: a rolled-back sweep enqueues
    nothing. Returns what the sweep found."""
    found = forecast_runs_sweep(now=now, stale_after=stale_after)
    transaction.on_commit(partial(_swept_work_enqueue, found))
    return found


def _swept_work_enqueue(found: dict[str, list]) -> None:
    for run_id, index in found["chunks"]:
        forecast_chunk_task.delay(run_id, index)
    for run_id in found["finish"]:
        forecast_run_finish_task.delay(run_id)
    for run_id in found["plan"]:
        forecast_retrain_task.delay(run_id=run_id)
    for run_id in found["suggestions"]:
        suggestions_build_task.delay(run_id)


@shared_task(acks_late=True)
def forecast_runs_sweep_task() -> dict:
    """Beat: re-enqueue the chunks, closing steps and builds a lost worker left."""
    return forecast_runs_requeue()


@shared_task(acks_late=True)
def forecast_retrain_task(
    trigger: str = "schedule",
    user_id: int | None = None,
    run_id: int | None = None,
    changed_only: bool = False,
) -> dict:
    """Start (or join) a retrain and fan its chunks out over the workers;
    changed_only: only the series whose history changed since the last run."""
    if run_id is not None:
        run = ForecastRun.objects.get(pk=run_id)
    else:
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        run, _ = forecast_run_start(
            trigger=trigger, user=user, changed_only=changed_only
        )
    indexes = forecast_run_plan(run=run)
    if indexes is None:  # someone else is already running it
        return {"run": run.pk, "joined": True}
    finish = forecast_run_finish_task.si(run.pk)
    if not indexes:
        finish.apply_async()
    else:
        chord(forecast_chunk_task.si(run.pk, i) for i in indexes)(finish)
    return {"run": run.pk, "chunks": len(indexes)}


@shared_task(acks_late=True)
def outliers_detect_task() -> int:
    """Flag new outliers in demand history (pending until a manager decides)."""
    return outliers_detect()


@shared_task(acks_late=True)
def transfer_suggestions_build_task() -> dict:
    """Beat and the "Rebuild now" button: rebuild the transfer suggestions.
    Safe to run twice: a build supersedes the open ones it replaces."""
    return transfer_suggestions_build()


@shared_task(acks_late=True)
def sales_import_task(*, job_id: str, name: str) -> dict:
    """A sales-history CSV uploaded on the import page (in storage as
    ``name``): written through the import service with the job's progress;
    the upload is removed afterwards."""
    from django.core.files.storage import default_storage

    from .services.imports import UnusableFile, sales_import

    stage = gettext_noop("Writing days: %(done)s of %(total)s")
    written = {"done": 0}

    def progress(rows: int, total: int) -> None:
        written["done"] += rows
        percent = min(99, 5 + 94 * written["done"] // max(total, 1))
        job_update(job_id, percent=percent, stage=stage, total=total, **written)

    job_update(job_id, percent=2, stage=gettext_noop("Checking the file"))
    try:
        with default_storage.open(name, "rb") as upload:
            report = sales_import(path=upload, progress=progress)
    except UnusableFile:
        report = None
    except Exception:
        job_finish(job_id, state=FAILED, message=gettext_noop("The import failed."))
        raise
    finally:
        default_storage.delete(name)
    if report is None or report.errors:
        job_finish(
            job_id,
            state=FAILED,
            message=gettext_noop(
                "The file no longer passes the checks; nothing was imported."
            ),
        )
        return {"written": 0}
    job_finish(
        job_id,
        message=gettext_noop(
            "%(rows)s row(s) read: %(written)s day(s) written, %(present)s already "
            "present, %(duplicates)s repeated in the file."
        ),
        rows=report.rows,
        written=report.written,
        present=report.already_present,
        duplicates=report.duplicates_in_file,
    )
    return {"written": report.written}
