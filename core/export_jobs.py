"""Exports as worker jobs: the list page's export link starts one, the page
shows its progress bar, then a download link only its starter can use.

The worker rebuilds the rows by calling the same list view again, for the
same user with the same query string (``request.export_sink`` set): the
view's own filters, sorting and permission decide what the file holds, and
``core.exports.export_response`` writes the rows to Django's default storage
instead of answering. Files older than EXPORT_RETENTION are removed when the
next export starts (and by the beat task ``core.tasks.exports_prune_task``).
"""

import logging
import re
import tempfile
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .enqueue import enqueue
from .exports import (
    FORMATS,
    XLSX_CONTENT_TYPE,
    Column,
    rows_count,
    write_csv,
    write_xlsx,
)
from .jobs import DONE, FAILED, job_finish, job_get, job_start, job_update

logger = logging.getLogger(__name__)

EXPORT_DIR = "exports"
EXPORT_RETENTION = timedelta(hours=24)
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_CONTENT_TYPE}
# Hidden from the page's own links: the job being shown, the download asked for.
JOB_PARAM = "export_job"


class ExportSink:
    """Where the worker's call of a list view leaves the file it wrote."""

    def __init__(self, job_id: str):
        self.job_id = job_id
        self.name = ""
        self.filename = ""
        self.rows = 0


def export_response(
    request,
    *,
    rows: Iterable[Any],
    columns: list[Column],
    filename: str,
    fmt: str,
):
    """In a web request: start the export job and go back to the page (its
    progress bar). In the worker's call of the view: write the file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-.") or "export"
    stamped = f"{safe_name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    sink = getattr(request, "export_sink", None)
    if sink is None:
        return export_start(request, fmt=fmt)
    return export_write(
        sink, rows=rows, columns=columns, filename=stamped, sheet=safe_name, fmt=fmt
    )


def export_start(request, *, fmt: str):
    """Queue the export of this page (its query, its user) and send the
    person back to the page, where ?export_job=<id> shows the progress."""
    query = request.GET.copy()
    query.pop(JOB_PARAM, None)
    query.pop("page", None)
    job_id = job_start(
        user_id=request.user.pk, stage=gettext_noop("Waiting for a worker")
    )
    queued = enqueue(
        export_run_task,
        job_id=job_id,
        path=request.path_info,
        query=query.urlencode(),
        user_id=request.user.pk,
        language=translation.get_language(),
    )
    query.pop("export", None)
    if not queued:
        messages.error(request, _("The task queue is unreachable; try again later."))
    else:
        query[JOB_PARAM] = job_id
    return redirect(f"{request.path}?{query.urlencode()}")


def export_run(*, job_id: str, path: str, query: str, user_id: int, language: str):
    """Rebuild the page's rows in the worker and write the file (the task's body)."""
    exports_prune()
    sink = ExportSink(job_id)
    request = _worker_request(path, query, user_id, sink)
    try:
        match = resolve(path)
        if request is not None:
            with translation.override(language):
                match.func(request, *match.args, **match.kwargs)
    except (Resolver404, PermissionDenied, Http404):
        # the page is gone, or the person may no longer see it (a role taken away)
        sink.name = ""
    if not sink.name:
        job_finish(job_id, state=FAILED, message=gettext_noop("The export failed."))
        return
    job_finish(
        job_id,
        message=gettext_noop("The file is ready (rows: %(rows)s)."),
        rows=sink.rows,
        file=sink.name,
        filename=sink.filename,
        download=reverse("export-download", args=[job_id]),
    )


def _worker_request(path, query, user_id, sink) -> HttpRequest | None:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(query)
    request.user = user
    request.export_sink = sink
    return request


def export_write(sink: ExportSink, *, rows, columns, filename, sheet, fmt):
    """Write the rows to storage with the job's progress (rows done / total)."""
    total = rows_count(rows) or 0
    step = max(1, total // 20)
    stage = gettext_noop("Writing rows: %(done)s of %(total)s")
    job_update(sink.job_id, percent=1, stage=stage, done=0, total=total)

    def progress(done: int) -> None:
        sink.rows = done
        if done % step == 0:
            percent = min(99, 1 + 98 * done // max(total, 1))
            job_update(
                sink.job_id, percent=percent, stage=stage, done=done, total=total
            )

    with tempfile.TemporaryFile() as output:
        if fmt == "csv":
            write_csv(rows, columns, output, progress)
        else:
            write_xlsx(rows, columns, output, sheet=sheet, progress=progress)
        output.seek(0)
        sink.name = default_storage.save(
            f"{EXPORT_DIR}/{sink.job_id}/{filename}", File(output, name=filename)
        )
    sink.filename = filename
    return HttpResponse(status=204)


def exports_prune(now=None) -> int:
    """Remove the export files older than EXPORT_RETENTION; how many."""
    cutoff = (now or timezone.now()) - EXPORT_RETENTION
    try:
        folders, _files = default_storage.listdir(EXPORT_DIR)
    except FileNotFoundError:
        return 0
    removed = 0
    for folder in folders:
        _dirs, names = default_storage.listdir(f"{EXPORT_DIR}/{folder}")
        for name in names:
            path = f"{EXPORT_DIR}/{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
    return removed


@login_required
def export_download(request, job_id: str):
    """The finished file, for the person who started the export only."""
    job = job_get(job_id) if job_id.isalnum() else None
    if job is None or job.get("user_id") != request.user.pk or job["state"] != DONE:
        raise Http404
    params = job.get("params") or {}
    name = params.get("file", "")
    if not name or not default_storage.exists(name):
        raise Http404
    fmt = name.rsplit(".", 1)[-1]
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=params.get("filename") or name.rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES.get(fmt, "application/octet-stream"),
    )


@shared_task(name="core.export_run")
def export_run_task(*, job_id, path, query, user_id, language):
    """Write one list export to storage; a failure marks the job failed."""
    try:
        export_run(
            job_id=job_id, path=path, query=query, user_id=user_id, language=language
        )
    except Exception:
        logger.exception("Export %s failed", job_id)
        job_finish(job_id, state=FAILED, message=gettext_noop("The export failed."))
        raise


@shared_task(name="core.exports_prune")
def exports_prune_task():
    """Beat: remove export files past their retention."""
    return exports_prune()
