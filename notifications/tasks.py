"""Celery tasks for alerts and webhooks; each takes ids and is safe to run twice.

Names: each task is registered under the explicit, stable name queue.py sends
it by (``notifications.tasks.<function>``), which the beat schedule uses too.
Until this release they were ``stock.alert_tasks.<function>``: each is also
registered under that old name (LEGACY_NAMES), so messages already queued
before an upgrade still run. The aliases are kept for one release.
"""

from celery import shared_task
from celery.app.task import Task
from django.core.cache import cache

from . import queue
from .services.delivery import webhook_deliver, webhook_relay
from .services.digest import alerts_digest_send
from .services.evaluation import (
    alerts_evaluate_all,
    alerts_evaluate_pair,
    alerts_evaluate_stocktake,
    evaluation_key,
)
from .services.expiry import lots_expiry_evaluate
from .services.notify import alert_notify
from .services.requeue import alerts_requeue, stocktake_evaluated_key


@shared_task(name=queue.EVALUATE_PAIR, acks_late=True)
def alerts_evaluate_pair_task(product_id: int, warehouse_id: int) -> None:
    # Delete the key first: a write committed after this point schedules a new
    # evaluation, and every write before it is seen by the read below.
    cache.delete(evaluation_key(product_id, warehouse_id))
    alerts_evaluate_pair(product_id=product_id, warehouse_id=warehouse_id)


@shared_task(name=queue.EVALUATE_STOCKTAKE, acks_late=True)
def alerts_evaluate_stocktake_task(stocktake_id: int) -> None:
    alerts_evaluate_stocktake(stocktake_id=stocktake_id)
    # Checked: beat's sweeper leaves this count alone (alerts_requeue).
    cache.set(stocktake_evaluated_key(stocktake_id), 1, timeout=2 * 86400)


@shared_task(name=queue.EVALUATE_ALL, acks_late=True)
def alerts_evaluate_all_task() -> dict:
    return {"pairs": alerts_evaluate_all()}


@shared_task(name=queue.LOT_EXPIRY, acks_late=True)
def alerts_lot_expiry_task() -> dict:
    """Beat: open lot expiry alerts (once per rule, lot and warehouse)."""
    return lots_expiry_evaluate()


@shared_task(name=queue.NOTIFY, acks_late=True)
def alert_notify_task(alert_id: int) -> dict:
    return {"recipients": alert_notify(alert_id=alert_id)}


@shared_task(name=queue.DIGEST, acks_late=True)
def alerts_digest_task() -> dict:
    return {"sent": alerts_digest_send()}


@shared_task(name=queue.DELIVER, acks_late=True)
def webhook_deliver_task(delivery_id: int) -> str:
    return webhook_deliver(delivery_id=delivery_id)


@shared_task(name=queue.RELAY, acks_late=True)
def webhook_relay_task() -> dict:
    return {"enqueued": webhook_relay()}


@shared_task(name=queue.REQUEUE, acks_late=True)
def alerts_requeue_task() -> dict:
    """Beat: queue again the notifications and count checks a lost enqueue
    left undone."""
    return alerts_requeue()


# --- the names these tasks had before they moved out of stock -----------------

LEGACY_NAMES = {
    "stock.alert_tasks.alerts_evaluate_pair_task": alerts_evaluate_pair_task,
    "stock.alert_tasks.alerts_evaluate_stocktake_task": alerts_evaluate_stocktake_task,
    "stock.alert_tasks.alerts_evaluate_all_task": alerts_evaluate_all_task,
    "stock.alert_tasks.alert_notify_task": alert_notify_task,
    "stock.alert_tasks.alerts_digest_task": alerts_digest_task,
    "stock.alert_tasks.webhook_deliver_task": webhook_deliver_task,
    "stock.alert_tasks.webhook_relay_task": webhook_relay_task,
    "stock.alert_tasks.alerts_requeue_task": alerts_requeue_task,
}


def _legacy_alias(old_name: str, task: Task) -> Task:
    """Register `task` under `old_name` too: a message queued under the old
    name runs the same code with the same options."""

    def run(*args, **kwargs):
        return task(*args, **kwargs)

    return shared_task(name=old_name, acks_late=True)(run)


LEGACY_ALIASES = [_legacy_alias(name, task) for name, task in LEGACY_NAMES.items()]
