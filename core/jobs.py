"""Progress of long work that has no record of its own (a suggestion rebuild):
a small status in the cache that the worker updates and a page polls.

The texts are stored untranslated (marked with gettext_noop where they are
written) with their parameters, and translated when read, in the language of
whoever asks. A status lives JOB_TTL seconds; a cache that is away reads as
no status (the page's poller asks again later).
"""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.utils.translation import gettext

JOB_TTL = 24 * 3600
RUNNING, DONE, FAILED = "running", "done", "failed"


def _key(job_id: str) -> str:
    return f"stockwise:job:{job_id}"


def job_start(*, user_id: int | None, stage: str) -> str:
    """A new job's id; its status says `stage`, 0%."""
    job_id = uuid.uuid4().hex
    _store(job_id, user_id=user_id, state=RUNNING, percent=0, stage=stage)
    return job_id


def job_update(job_id: str, *, percent: int, stage: str, **params) -> None:
    job = cache.get(_key(job_id))
    if job is not None:
        _store(job_id, **{**job, "percent": percent, "stage": stage, "params": params})


def job_finish(job_id: str, *, message: str, state: str = DONE, **params) -> None:
    """Done (or FAILED) with a message for the person who started it."""
    job = cache.get(_key(job_id)) or {"user_id": None}
    _store(
        job_id,
        user_id=job["user_id"],
        state=state,
        percent=100,
        stage="Done" if state == DONE else "Failed",  # msgids the catalog has
        message=message,
        params=params,
    )


def _store(job_id: str, **status) -> None:
    status.setdefault("params", {})
    status.setdefault("message", "")
    cache.set(_key(job_id), status, JOB_TTL)


def job_get(job_id: str) -> dict | None:
    return cache.get(_key(job_id))


def job_status_for(job: dict, job_id: str) -> dict:
    """What the progress bar shows, translated for the current language."""
    params = job.get("params") or {}
    message = gettext(job["message"]) % params if job.get("message") else ""
    return {
        "job": job_id,
        "state": job["state"],
        "percent": job["percent"],
        "stage": gettext(job["stage"]) % params if params else gettext(job["stage"]),
        "message": message,
        # a file to fetch when done (an export): its download URL
        "download": params.get("download", ""),
    }


@login_required
def job_status(request, job_id: str):
    """JSON for the progress bar; only the person who started the job sees it."""
    job = job_get(job_id)
    if job is None or job.get("user_id") != request.user.pk:
        raise Http404
    return JsonResponse(job_status_for(job, job_id))
