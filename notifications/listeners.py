"""What notifications does when stock announces (stock.hooks): subscribed in
NotificationsConfig.ready().

Both listeners run inside the poster's transaction: outbox rows commit or roll
back with the change; alert evaluations are queued on commit, robustly (a
broker that is down never fails the committed change; the scheduled sweeps
catch up).
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from stock.hooks import LedgerPosted, OrderChanged
from stock.models import ReferenceType

from . import queue
from .models import WebhookEvent
from .services.evaluation import alerts_evaluate_pair, evaluation_key
from .services.outbox import outbox_order_event, outbox_stock_changed


def ledger_posted(posted: LedgerPosted, subscribed: bool | None) -> None:
    """Ledger listener: stock.changed outbox rows now, alert evaluation of the
    changed pairs (and of a confirmed count's variance) on commit.
    `subscribed` is webhooks_subscribed(), asked before the ledger took its
    locks."""
    pairs = list(posted.pairs)
    reference_type, reference_id = posted.reference_type, posted.reference_id
    outbox_stock_changed(
        pairs=pairs,
        movements=list(posted.movements),
        reference_type=reference_type,
        reference_id=reference_id,
        subscribed=subscribed,
    )
    # robust: the change is committed whatever happens here; a failed
    # evaluation is logged and the scheduled evaluate-all catches up.
    if pairs:
        transaction.on_commit(
            lambda: alerts_evaluation_enqueue(pairs=pairs), robust=True
        )
    if reference_type == ReferenceType.STOCKTAKE and reference_id:
        stocktake_id = int(reference_id)
        transaction.on_commit(
            lambda: queue.stocktake_evaluation_enqueue(stocktake_id), robust=True
        )


def order_changed(change: OrderChanged) -> list[WebhookEvent]:
    """Order listener: the order.* event, in the order's transaction."""
    return outbox_order_event(order=change.order, event_type=change.event)


def alerts_evaluation_enqueue(*, pairs: Iterable[tuple[int, int]]) -> None:
    """Evaluate each pair soon, once per burst: the first write of a burst sets
    a cache key and schedules the task STOCKWISE_ALERTS_COALESCE_SECONDS later;
    later writes find the key and skip. Eager (embedded): evaluated now."""
    if queue.runs_inline():
        for product_id, warehouse_id in pairs:
            alerts_evaluate_pair(product_id=product_id, warehouse_id=warehouse_id)
        return
    window = settings.STOCKWISE_ALERTS_COALESCE_SECONDS
    for product_id, warehouse_id in pairs:
        if cache.add(evaluation_key(product_id, warehouse_id), 1, timeout=window * 10):
            queue.evaluation_enqueue(product_id, warehouse_id, countdown=window)
