"""The event outbox: events written in the transaction of the change they
describe, one delivery row per subscribed endpoint, handed to the workers on
commit.

What a receiver gets is `{"id", "type", "created", "data"}` (delivery.webhook_body);
the builders here make `data` for stock.changed and order.*; alerts.alert_payload
makes it for alert.*.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from stock.models import SalesOrder, SalesOrderLine, StockLevel, StockMovement

from ..events import EventType
from ..models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .delivery import deliveries_enqueue, queue_lease


def outbox_publish(
    *, events: Iterable[tuple[str, dict]], shop_id: int | None = None
) -> list[WebhookEvent]:
    """Write events and one delivery per subscribed endpoint; send on commit.

    Must run inside the transaction of the change. shop_id limits the events
    to that shop's endpoints and the ops endpoints (for order events). An event
    no endpoint wants is not written. Returns the events written.
    """
    events = list(events)
    if not events:
        return []
    # Written out (each order's event asks): the active endpoints, by name.
    mine, params = "", []
    if shop_id is not None:
        mine, params = " AND (shop_id = %s OR shop_id IS NULL)", [shop_id]
    endpoints = list(
        WebhookEndpoint.objects.raw(
            f"SELECT * FROM {WebhookEndpoint._meta.db_table}"
            f" WHERE is_active{mine} ORDER BY name",
            params,
        )
    )
    now = timezone.now()
    # Sent on commit when the database hands the new ids back; else the relay
    # finds them unqueued.
    queued_until = (
        now + queue_lease()
        if connection.features.can_return_rows_from_bulk_insert
        else None
    )
    rows, deliveries = [], []
    for event_type, payload in events:
        subscribers = [e for e in endpoints if e.wants(event_type)]
        if not subscribers:
            continue
        event = WebhookEvent(type=event_type, payload=payload, created_at=now)
        rows.append(event)
        deliveries += [
            WebhookDelivery(
                event=event,
                endpoint=e,
                next_attempt_at=now,
                queued_until=queued_until,
                created_at=now,
            )
            for e in subscribers
        ]
    if not rows:
        return []
    WebhookEvent.objects.bulk_create(rows)
    created = WebhookDelivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in created]
    if all(ids):
        # robust: a broker that is down must not fail the committed change;
        # the relay sends what was not enqueued.
        transaction.on_commit(lambda: deliveries_enqueue(ids), robust=True)
    # else: the database gave no ids back; the relay sends them within a minute.
    return rows


def webhooks_subscribed() -> bool:
    """Whether any endpoint is listening (else no stock.changed is written).
    Written out: every ledger post asks, a hot SKU's orders too."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {WebhookEndpoint._meta.db_table} WHERE is_active LIMIT 1"
        )
        return cursor.fetchone() is not None


def _stock_changed_payload(
    level: StockLevel,
    movements: list[StockMovement],
    reference_type: str,
    reference_id: str,
) -> dict:
    pair = (level.product_id, level.warehouse_id)
    return {
        "sku": level.product.sku,
        "warehouse": level.warehouse.code,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.available,
        "movements": [
            {"id": m.pk, "kind": m.kind, "quantity": m.quantity}
            for m in movements
            if (m.product_id, m.warehouse_id) == pair
        ],
        "reference": {"type": reference_type, "id": reference_id},
    }


def outbox_stock_changed(
    *,
    pairs: Iterable[tuple[int, int]],
    movements: list[StockMovement],
    reference_type: str,
    reference_id: str,
    subscribed: bool | None = None,
) -> list[WebhookEvent]:
    """One stock.changed event per changed product x warehouse, with its
    balance after the change and the movements that made it. `subscribed` is
    webhooks_subscribed() when the caller asked already (None: ask here)."""
    pairs = sorted(set(pairs))
    if subscribed is None:
        subscribed = bool(pairs) and webhooks_subscribed()
    if not pairs or not subscribed:
        return []
    levels = {
        (lv.product_id, lv.warehouse_id): lv
        for lv in StockLevel.objects.select_related("product", "warehouse").filter(
            product_id__in={p for p, _ in pairs},
            warehouse_id__in={w for _, w in pairs},
        )
    }
    events = [
        (
            EventType.STOCK_CHANGED,
            _stock_changed_payload(
                levels[pair], movements, reference_type, reference_id
            ),
        )
        for pair in pairs
    ]
    return outbox_publish(events=events)


def _order_lines(order: SalesOrder):
    """The order's lines with their products: the ones already loaded with the
    order when there are (a new order carries them), else one query."""
    if "lines" in getattr(order, "_prefetched_objects_cache", {}):
        lines = order.lines.all()
        if all(SalesOrderLine.product.is_cached(line) for line in lines):
            return lines
    return order.lines.select_related("product")


def outbox_order_event(*, order: SalesOrder, event_type: str) -> list[WebhookEvent]:
    """An order.* event (`event_type`, one of stock.hooks.ORDER_*) for the
    order's shop's endpoints and the ops endpoints."""
    payload = {
        "id": order.pk,
        "external_id": order.external_id,
        "shop": order.shop.code,
        "warehouse": order.warehouse.code,
        "status": order.status,
        "lines": [
            {"sku": line.product.sku, "quantity": line.quantity}
            for line in _order_lines(order)
        ],
    }
    payload["shipments"] = _order_shipments(order, payload["lines"])
    return outbox_publish(events=[(event_type, payload)], shop_id=order.shop_id)


def _order_shipments(order: SalesOrder, lines: list[dict]) -> list[dict]:
    """What ships from which warehouse: the order's warehouse with every line,
    or, for a split order, one entry per warehouse (by code, lines by SKU)."""
    if not order.is_split:
        return [{"warehouse": order.warehouse.code, "lines": lines}]
    allocations = order.allocations.all()
    if "allocations" not in getattr(order, "_prefetched_objects_cache", {}):
        allocations = allocations.select_related("product", "warehouse")
    by_warehouse: dict[str, list[dict]] = {}
    for allocation in allocations:
        by_warehouse.setdefault(allocation.warehouse.code, []).append(
            {"sku": allocation.product.sku, "quantity": allocation.quantity}
        )
    return [
        {"warehouse": code, "lines": sorted(rows, key=lambda row: row["sku"])}
        for code, rows in sorted(by_warehouse.items())
    ]
