"""Celery tasks for returns: classify after intake, retrain on new labels; and the
runners of returns.jobs, through which the services start them."""

import logging

from celery import shared_task
from django.db import transaction

from . import jobs
from .services.classification import (
    classifier_retrain,
    return_classification_fail,
    return_classifications_requeue,
    return_classify,
)

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=3)
def return_classify_task(self, request_id: int) -> dict:
    try:
        request = return_classify(request_id=request_id)
    except Exception as error:
        if self.request.retries < 3 and not self.request.is_eager:
            raise self.retry(exc=error, countdown=2**self.request.retries) from error
        logger.exception("Classifying return %s failed", request_id)
        return_classification_fail(request_id=request_id, error=repr(error)[:200])
        return {"request": request_id, "status": "failed"}
    return {"request": request.pk, "category": request.predicted_category}


@shared_task(acks_late=True)
def classifier_retrain_task(force: bool = False) -> dict:
    """Retrain on staff labels: nightly on beat, and queued by a review once
    enough new labels came in. Promotes the candidate only if not worse."""
    version = classifier_retrain(force=force)
    if version is None:
        return {"retrained": False}
    return {
        "retrained": True,
        "version": version.version,
        "macro_f1": version.macro_f1,
        "promoted": version.is_active,
    }


@shared_task(acks_late=True)
def return_classifications_requeue_task() -> dict:
    """Beat: queue again the classifications whose enqueue was lost."""
    return {"queued": return_classifications_requeue()}


def return_classify_start(request_id: int) -> None:
    """Start a new return's classification. Where Celery runs tasks in-process
    (eager: the embedded default) it runs at once, inside the caller's
    transaction, so the answer to the request that opened the return shows it.
    Otherwise it is queued once the return commits; robust, so a broker that is
    away costs the return nothing (the error is logged and beat's sweeper queues
    the classification again)."""
    if return_classify_task.app.conf.task_always_eager:
        return_classify_task.apply(args=[request_id])
    else:
        transaction.on_commit(
            lambda: return_classify_task.delay(request_id), robust=True
        )


jobs.classify_new_return.plug(return_classify_start)
jobs.classify_queue.plug(return_classify_task.delay)
jobs.retrain_queue.plug(classifier_retrain_task.delay)
