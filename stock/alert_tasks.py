"""Celery tasks for alerts and webhooks; each takes ids and is safe to run twice."""

from celery import shared_task
from django.core.cache import cache

from .services import alerts, webhooks


@shared_task(acks_late=True)
def alerts_evaluate_pair_task(product_id: int, warehouse_id: int) -> None:
    # Delete the key first: a write committed after this point schedules a new
    # evaluation, and every write before it is seen by the read below.
    cache.delete(alerts.evaluation_key(product_id, warehouse_id))
    alerts.alerts_evaluate_pair(product_id=product_id, warehouse_id=warehouse_id)


@shared_task(acks_late=True)
def alerts_evaluate_stocktake_task(stocktake_id: int) -> None:
    alerts.alerts_evaluate_stocktake(stocktake_id=stocktake_id)
    # Checked: beat's sweeper leaves this count alone (alerts_requeue).
    cache.set(alerts.stocktake_evaluated_key(stocktake_id), 1, timeout=2 * 86400)


@shared_task(acks_late=True)
def alerts_evaluate_all_task() -> dict:
    return {"pairs": alerts.alerts_evaluate_all()}


@shared_task(acks_late=True)
def alert_notify_task(alert_id: int) -> dict:
    return {"recipients": alerts.alert_notify(alert_id=alert_id)}


@shared_task(acks_late=True)
def alerts_digest_task() -> dict:
    return {"sent": alerts.alerts_digest_send()}


@shared_task(acks_late=True)
def webhook_deliver_task(delivery_id: int) -> str:
    return webhooks.webhook_deliver(delivery_id=delivery_id)


@shared_task(acks_late=True)
def webhook_relay_task() -> dict:
    return {"enqueued": webhooks.webhook_relay()}


@shared_task(acks_late=True)
def alerts_requeue_task() -> dict:
    """Beat: queue again the notifications and count checks a lost enqueue
    left undone."""
    return alerts.alerts_requeue()
