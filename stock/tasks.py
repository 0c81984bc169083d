"""Scheduled stock housekeeping."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from .selectors import stock_reconcile
from .services.idempotency import idempotency_purge
from .services.lots import lots_write_off_expired

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


@shared_task(acks_late=True)
def lots_write_off_expired_task(actor_id: int | None = None) -> dict:
    """Write off every expired lot not held for an order (safe to run twice:
    what was written off holds nothing more)."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return {"units": lots_write_off_expired(actor=actor)}
