"""The forecast sweeper: find the work a lost worker left behind and claim it.

With late acknowledgement a task whose worker process died is re-queued by the
broker, but only once its visibility timeout passes; a chord whose chunk was
re-queued outside it never calls its callback. The sweeper finds stuck chunks,
runs whose closing step or retrain task never came, and the suggestion build
of the newest run. It claims them here; forecasting.tasks enqueues them.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from ..models import ForecastChunk, ForecastRun, RunStatus
from .runs import ACTIVE

logger = logging.getLogger(__name__)

# A chunk started this many times without finishing is failed, not re-queued:
# it dies every time (a hard time limit, memory), so trying again cannot help.
MAX_CHUNK_ATTEMPTS = 6
# All chunks done this long ago and the run still open: its closing step is lost.
FINISH_GRACE = timedelta(minutes=5)
SWEEP_KEYS = ("chunks", "failed", "finish", "plan", "suggestions")


def forecast_stale_after() -> timedelta:
    """How long a chunk may show no sign of life before it counts as lost.

    Above the tasks' hard time limit: a chunk still "running" after it was
    surely killed by then, so re-queueing it never races a live worker.
    """
    return timedelta(seconds=settings.STOCKWISE_FORECAST_STALE_SECONDS)


def forecast_runs_sweep(
    *, now: datetime | None = None, stale_after: timedelta | None = None
) -> dict[str, list]:
    """Claim the work lost with a worker, in one transaction; the caller must
    enqueue what it returns once that commits (forecast_runs_sweep_task does).

    Returns, under each key, what to do again:

    - "chunks": (run id, index) of each chunk of a running run, running or
      pending with no sign of life for the stale limit, to enqueue again;
      "failed": the same for a chunk that used up its attempts, now failed;
    - "finish": each running run whose chunks have all finished, the last of
      them FINISH_GRACE ago (its chord callback is lost), to close;
    - "plan": each run pending, or running without chunks, for the stale
      limit (its retrain task is lost), set back to pending, to plan again;
    - "suggestions": the newest succeeded run whose suggestion build never
      committed, to build.

    A chunk (and a build) is claimed by a conditional UPDATE of its time stamp,
    so it is returned once per stale period however many sweeps run; closing
    and planning are idempotent, so a repeated one costs nothing.
    """
    now = now or timezone.now()
    stale_after = stale_after or forecast_stale_after()
    cutoff = now - stale_after
    grace = now - min(stale_after, FINISH_GRACE)
    done: dict[str, list] = {key: [] for key in SWEEP_KEYS}
    with transaction.atomic():
        done["chunks"], done["failed"] = _stuck_chunks_claim(now=now, cutoff=cutoff)
        done["finish"] = _unclosed_runs(grace=grace)
        done["plan"] = _unplanned_runs_reset(cutoff=cutoff)
        done["suggestions"] = _unbuilt_suggestions_claim(
            now=now, cutoff=cutoff, grace=grace
        )
    for key, items in done.items():
        if items:
            logger.warning("Forecast sweep re-enqueued %s: %s", key, items)
    return done


def _stuck_chunks_claim(*, now: datetime, cutoff: datetime) -> tuple[list, list]:
    """Chunks of running runs with no sign of life since ``cutoff``: (to
    re-queue, failed for good). Each is claimed by moving its time stamp to
    ``now``, so a concurrent sweep that read the old stamp claims nothing."""
    requeue, failed = [], []
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
                failed.append((run_id, index))
        elif claim.update(updated_at=now):
            requeue.append((run_id, index))
    return requeue, failed


def _unclosed_runs(*, grace: datetime) -> list[int]:
    """Running runs whose chunks all finished, the last before ``grace``."""
    unclosed = (
        ForecastRun.objects.filter(status=RunStatus.RUNNING)
        .annotate(
            open_chunks=Count("chunks", filter=Q(chunks__status__in=ACTIVE)),
            n=Count("chunks"),
            last=Max("chunks__updated_at"),
        )
        .filter(open_chunks=0, n__gt=0, last__lt=grace)
    )
    return list(unclosed.values_list("pk", flat=True))


def _unplanned_runs_reset(*, cutoff: datetime) -> list[int]:
    """Runs pending since before ``cutoff``, or running since then without a
    chunk: set back to pending, so that a re-enqueued retrain may plan them."""
    unplanned = (
        ForecastRun.objects.filter(
            Q(status=RunStatus.PENDING, created_at__lt=cutoff)
            | Q(status=RunStatus.RUNNING, started_at__lt=cutoff, chunks__isnull=True)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    found = []
    for pk in unplanned:
        ForecastRun.objects.filter(pk=pk, status=RunStatus.RUNNING).update(
            status=RunStatus.PENDING
        )
        found.append(pk)
    return found


def _unbuilt_suggestions_claim(
    *, now: datetime, cutoff: datetime, grace: datetime
) -> list[int]:
    """The newest succeeded run, finished before ``grace``, whose suggestion
    build never committed and was not asked for since ``cutoff``: claimed by
    recording ``now`` as when it was asked for. A run whose row is locked has
    its build running right now and is left alone."""
    newest = (
        ForecastRun.objects.filter(status=RunStatus.SUCCEEDED)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    newest = (
        ForecastRun.objects.select_for_update(skip_locked=True)
        .filter(pk=newest, finished_at__lt=grace)
        .first()
    )
    if not newest or "suggestions" in newest.summary:
        return []
    asked = newest.summary.get("suggestions_requeued_at")
    if asked and datetime.fromisoformat(asked) >= cutoff:
        return []
    newest.summary = {**newest.summary, "suggestions_requeued_at": now.isoformat()}
    newest.save(update_fields=["summary"])
    return [newest.pk]
