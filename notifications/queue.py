"""Hands alert and webhook work to the workers, by task name.

Services enqueue through here and tasks.py registers the tasks under these
names, so services never import the tasks module and the tasks module never
imports this one back for anything but the names: no import circle.
NotificationsConfig.ready() imports tasks.py, so every name is registered in
any process that has set Django up (web, worker, shell, tests); an eager
(embedded) setup runs the task in-process as ``delay`` always does there.
"""

from celery import current_app
from celery.app.task import Task

# runs_inline: whether queued work runs in-process, one answer for the whole
# project (core.enqueue); the services here and in delivery ask it through queue.
from core.enqueue import enqueue, runs_inline  # noqa: F401

# The tasks' stable names (tasks.py: @shared_task(name=...)). Renaming one
# strands messages already queued under the old name: keep an alias a release.
EVALUATE_PAIR = "notifications.tasks.alerts_evaluate_pair_task"
EVALUATE_STOCKTAKE = "notifications.tasks.alerts_evaluate_stocktake_task"
EVALUATE_ALL = "notifications.tasks.alerts_evaluate_all_task"
NOTIFY = "notifications.tasks.alert_notify_task"
DIGEST = "notifications.tasks.alerts_digest_task"
REQUEUE = "notifications.tasks.alerts_requeue_task"
DELIVER = "notifications.tasks.webhook_deliver_task"
RELAY = "notifications.tasks.webhook_relay_task"
LOT_EXPIRY = "notifications.tasks.alerts_lot_expiry_task"


def _task(name: str) -> Task:
    return current_app.tasks[name]


def evaluation_enqueue(product_id: int, warehouse_id: int, *, countdown: float):
    """Evaluate one product x warehouse's stock alerts after `countdown` s."""
    _task(EVALUATE_PAIR).apply_async((product_id, warehouse_id), countdown=countdown)


def stocktake_evaluation_enqueue(stocktake_id: int) -> None:
    """Check a confirmed count's variance against its rules."""
    _task(EVALUATE_STOCKTAKE).delay(stocktake_id)


def notify_enqueue(alert_id: int) -> None:
    """E-mail a newly opened alert to its immediate subscribers."""
    _task(NOTIFY).delay(alert_id)


def delivery_enqueue(delivery_id: int, *, countdown: float | None = None) -> None:
    """Send one webhook delivery (now, or after `countdown` s)."""
    _task(DELIVER).apply_async((delivery_id,), countdown=countdown)


def evaluate_all_enqueue() -> bool:
    """Evaluate every pair against the rules (after a rule changed): off the
    request, in a background thread on the embedded default."""
    return enqueue(_task(EVALUATE_ALL))
