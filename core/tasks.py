"""Core's worker tasks: list exports (core/export_jobs.py)."""

import logging

from celery import shared_task
from django.utils.translation import gettext_noop

from .jobs import FAILED, job_finish

logger = logging.getLogger(__name__)


@shared_task(name="core.export_run")
def export_run_task(*, job_id, path, query, user_id, language):
    """Write one list export to storage; a failure marks the job failed."""
    from .export_jobs import export_run

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
    from .export_jobs import exports_prune

    return exports_prune()
