"""The event outbox, signed webhook delivery with retries, and URL safety.

Events are rows written in the transaction of the change they describe, one
delivery row per subscribed endpoint; workers claim a delivery with a
conditional UPDATE (a lease), send it, and log the attempt. A delivery that
succeeded is never claimed again, so retries and the relay cannot re-send it.
A delivery whose task is in the broker's queue carries a second lease
(``queued_until``), so the relay, ticking every minute, queues it again only
when that task may be lost, not once a minute while a backlog drains; the
claim ends it (the task has left the queue).
"""

import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import socket
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.errors import InvalidInput

from ..hooks import OrderChanged
from ..models import (
    DeliveryStatus,
    EventType,
    SalesOrder,
    SalesOrderLine,
    StockLevel,
    StockMovement,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

SIGNATURE_HEADER = "Stockwise-Signature"
TIMESTAMP_HEADER = "Stockwise-Timestamp"
EVENT_ID_HEADER = "Stockwise-Event-Id"
EVENT_TYPE_HEADER = "Stockwise-Event-Type"
SIGNATURE_TOLERANCE_SECONDS = 300


# --- signing ------------------------------------------------------------------


def webhook_secret_generate() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value: `t=<unix time>,v1=<hex HMAC-SHA256>`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_signature_verify(
    *,
    secret: str,
    body: bytes,
    header: str,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver runs: the body is authentic and the timestamp is fresh."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    received = [
        f"t={timestamp},v1={v}"
        for k, v in (item.split("=", 1) for item in header.split(","))
        if k == "v1"
    ]
    return any(hmac.compare_digest(expected, candidate) for candidate in received)


# --- URL safety ---------------------------------------------------------------


def webhook_url_check(url: str) -> None:
    """Refuse anything but http(s) to public addresses (every resolved address).

    STOCKWISE_WEBHOOKS_ALLOW_PRIVATE lets development and tests use loopback
    and private addresses.
    """
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise InvalidInput("That is not a valid URL.", field="url") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("Only http(s) URLs with a host are allowed.", field="url")
    if settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, ValueError) as error:
        raise InvalidInput(
            f"The host {parts.hostname!r} does not resolve.", field="url"
        ) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise InvalidInput(
                f"{parts.hostname} resolves to {address}, a private, loopback, "
                "link-local or reserved address.",
                field="url",
            )


def webhook_endpoint_create(
    *, name: str, url: str, events: list[str], shop=None
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint; return it with its secret, to show once."""
    webhook_url_check(url)
    known = set(EventType.values)
    for pattern in events:
        if pattern not in known and not (
            pattern.endswith(".*") and any(t.startswith(pattern[:-1]) for t in known)
        ):
            raise InvalidInput(f"Unknown event type {pattern!r}.", field="events")
    secret = webhook_secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        shop=shop, name=name, url=url, events=list(events), secret=secret
    )
    return endpoint, secret


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    endpoint.secret = webhook_secret_generate()
    endpoint.save(update_fields=["secret"])
    return endpoint.secret


# --- the outbox ---------------------------------------------------------------


def _queue_lease() -> timedelta:
    return timedelta(seconds=settings.STOCKWISE_WEBHOOK_QUEUE_LEASE_SECONDS)


def _enqueue_deliveries(
    delivery_ids: list[int], countdown: float | None = None
) -> None:
    """Hand the deliveries' tasks to the broker (their queue lease is already
    set); if the broker refuses, the leases are dropped so the relay's next
    tick sends them."""
    from ..alert_tasks import webhook_deliver_task

    try:
        for delivery_id in delivery_ids:
            webhook_deliver_task.apply_async((delivery_id,), countdown=countdown)
    except Exception:
        WebhookDelivery.objects.filter(pk__in=delivery_ids).update(queued_until=None)
        raise


def outbox_publish(
    *, events: Iterable[tuple[str, dict]], shop_id: int | None = None
) -> list[WebhookEvent]:
    """Write events and one delivery per subscribed endpoint; send on commit.

    Must run inside the transaction of the change. shop_id limits the events
    to that shop's endpoints and the ops endpoints (for order events).
    """
    events = list(events)
    if not events:
        return []
    endpoints = WebhookEndpoint.objects.filter(is_active=True)
    if shop_id is not None:
        endpoints = endpoints.filter(Q(shop_id=shop_id) | Q(shop__isnull=True))
    endpoints = list(endpoints)
    now = timezone.now()
    # Sent on commit when the database hands the new ids back; else the relay
    # finds them unqueued.
    queued_until = (
        now + _queue_lease()
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
        transaction.on_commit(lambda: _enqueue_deliveries(ids), robust=True)
    # else: the database gave no ids back; the relay sends them within a minute.
    return rows


def webhooks_subscribed() -> bool:
    """Whether any endpoint is listening (else no stock.changed is written)."""
    return WebhookEndpoint.objects.filter(is_active=True).exists()


def outbox_stock_changed(
    *,
    pairs: Iterable[tuple[int, int]],
    movements: list[StockMovement],
    reference_type: str,
    reference_id: str,
    subscribed: bool | None = None,
) -> list[WebhookEvent]:
    """One stock.changed event per changed product x warehouse. `subscribed`
    is webhooks_subscribed() when the caller asked already."""
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
    events = []
    for pair in pairs:
        level = levels[pair]
        moved = [
            {"id": m.pk, "kind": m.kind, "quantity": m.quantity}
            for m in movements
            if (m.product_id, m.warehouse_id) == pair
        ]
        events.append(
            (
                EventType.STOCK_CHANGED,
                {
                    "sku": level.product.sku,
                    "warehouse": level.warehouse.code,
                    "on_hand": level.on_hand,
                    "reserved": level.reserved,
                    "available": level.available,
                    "movements": moved,
                    "reference": {"type": reference_type, "id": reference_id},
                },
            )
        )
    return outbox_publish(events=events)


def _order_lines(order: SalesOrder):
    """The order's lines with their products: the ones already loaded with the
    order when there are (a new order carries them), else one query."""
    if "lines" in getattr(order, "_prefetched_objects_cache", {}):
        lines = order.lines.all()
        if all(SalesOrderLine.product.is_cached(line) for line in lines):
            return lines
    return order.lines.select_related("product")


def order_changed(change: OrderChanged) -> list[WebhookEvent]:
    """Order listener (stock.hooks): the order.* event, in the order's transaction."""
    return outbox_order_event(order=change.order, event_type=change.event)


def outbox_order_event(*, order: SalesOrder, event_type: str) -> list[WebhookEvent]:
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
    return outbox_publish(events=[(event_type, payload)], shop_id=order.shop_id)


# --- delivery -----------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the given number of failed attempts, capped."""
    base = settings.STOCKWISE_WEBHOOK_RETRY_BASE_SECONDS
    cap = settings.STOCKWISE_WEBHOOK_RETRY_CAP_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def webhook_body(event: WebhookEvent) -> bytes:
    document = {
        "id": str(event.id),
        "type": event.type,
        "created": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _claim(delivery_id: int, now: datetime) -> bool:
    lease = timedelta(seconds=settings.STOCKWISE_WEBHOOK_TIMEOUT_SECONDS + 30)
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claimed_until=now + lease, attempts=F("attempts") + 1, queued_until=None
        )
    )


_client: tuple[int, httpx.Client] | None = None


def _http_client() -> httpx.Client:
    """One HTTP client per worker process, kept: it pools connections to the
    receivers, and building a client (its TLS context) per delivery cost more
    CPU than sending it, capping a worker at a few deliveries a second. Made
    after the fork, so prefork children never share a parent's sockets."""
    global _client
    if _client is None or _client[0] != os.getpid():
        _client = (os.getpid(), httpx.Client(follow_redirects=False))
    return _client[1]


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    endpoint = delivery.endpoint
    try:
        webhook_url_check(endpoint.url)
    except InvalidInput as error:
        return None, str(error)
    body = webhook_body(delivery.event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Stockwise-Webhooks/1",
        SIGNATURE_HEADER: webhook_signature(
            secret=endpoint.secret, timestamp=timestamp, body=body
        ),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_ID_HEADER: str(delivery.event_id),
        EVENT_TYPE_HEADER: delivery.event.type,
    }
    try:
        # Streamed and never read: only the status matters, whatever the size
        # of the body the receiver answers with.
        with _http_client().stream(
            "POST",
            endpoint.url,
            content=body,
            headers=headers,
            timeout=settings.STOCKWISE_WEBHOOK_TIMEOUT_SECONDS,
        ) as response:
            status_code = response.status_code
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    if 200 <= status_code < 300:
        return status_code, ""
    return status_code, f"HTTP {status_code}"


def webhook_deliver(*, delivery_id: int) -> str:
    """Send one delivery if it is due and nobody else is sending it.

    Returns the delivery's status afterwards, or "skipped" when it was not
    claimed (already sent, failed for good, not due, or being sent).
    Schedules the retry itself after a failure.
    """
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(
        pk=delivery_id
    )
    started = time.monotonic()
    status_code, error = (None, "The endpoint is disabled.")
    if delivery.endpoint.is_active:
        status_code, error = _send(delivery)
    duration_ms = int((time.monotonic() - started) * 1000)
    finished = timezone.now()
    succeeded = not error
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=status_code,
        error=error,
        duration_ms=duration_ms,
        succeeded=succeeded,
    )
    fields = {"claimed_until": None, "last_error": error}
    if succeeded:
        fields.update(status=DeliveryStatus.SUCCEEDED, delivered_at=finished)
    elif delivery.attempts >= settings.STOCKWISE_WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=DeliveryStatus.FAILED)
    else:
        delay = retry_delay(delivery.attempts)
        fields.update(next_attempt_at=finished + delay)
        # Eager runs ignore countdown; there the relay picks the retry up.
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            fields.update(queued_until=finished + delay + _queue_lease())
    WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
    status = fields.get("status", DeliveryStatus.PENDING)
    if fields.get("queued_until"):
        _enqueue_deliveries([delivery_id], countdown=delay.total_seconds())
    return status


def webhook_relay(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queue deliveries that are due, unclaimed and not in the queue already
    (their task never reached the broker, or it was lost with a worker)."""
    now = now or timezone.now()
    lost = (
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(queued_until__isnull=True) | Q(queued_until__lte=now))
    )
    ids = list(lost.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    # Only what this tick leased is sent: a second relay running alongside
    # (or a claim in between) does not queue it twice.
    until = now + _queue_lease()
    if lost.filter(pk__in=ids).update(queued_until=until) != len(ids):
        ids = list(
            WebhookDelivery.objects.filter(pk__in=ids, queued_until=until).values_list(
                "pk", flat=True
            )
        )
    _enqueue_deliveries(ids)
    return len(ids)


def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Give a failed delivery a fresh series of attempts (never a sent one)."""
    now = timezone.now()
    changed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.FAILED
    ).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        claimed_until=None,
        queued_until=now + _queue_lease(),
    )
    if not changed:
        raise InvalidInput("Only a failed delivery can be sent again.")
    transaction.on_commit(lambda: _enqueue_deliveries([delivery.pk]), robust=True)
    delivery.refresh_from_db()
    return delivery
