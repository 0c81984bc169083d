"""Scheduled stock housekeeping."""

import logging

from celery import shared_task

from .selectors import stock_reconcile
from .services.idempotency import idempotency_purge

logger = logging.getLogger(__name__)


@shared_task
def stock_reconcile_task() -> dict:
    differences = stock_reconcile()
    for difference in differences:
        logger.error("Ledger difference: %s", difference)
    return {"differences": len(differences)}


@shared_task
def idempotency_purge_task() -> dict:
    return {"purged": idempotency_purge()}
