"""Signed webhook delivery with retries, and the relay that re-sends what a
lost task left behind.

Workers claim a delivery with a conditional UPDATE (a lease), send it, and log
the attempt. A delivery that succeeded is never claimed again, so retries and
the relay cannot re-send it. A delivery whose task is in the broker's queue
carries a second lease (``queued_until``), so the relay, ticking every minute,
queues it again only when that task may be lost, not once a minute while a
backlog drains; the claim ends it (the task has left the queue).
"""

import json
import os
import time
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.errors import InvalidInput

from .. import queue
from ..models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEvent
from .endpoints import webhook_url_check
from .signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    webhook_signature,
)


def queue_lease() -> timedelta:
    """How long a delivery handed to the broker is left to its task."""
    return timedelta(seconds=settings.STOCKWISE_WEBHOOK_QUEUE_LEASE_SECONDS)


def deliveries_enqueue(delivery_ids: list[int], countdown: float | None = None) -> None:
    """Hand the deliveries' tasks to the broker (their queue lease is already
    set); if the broker refuses, the leases are dropped so the relay's next
    tick sends them, and the error is raised."""
    try:
        for delivery_id in delivery_ids:
            queue.delivery_enqueue(delivery_id, countdown=countdown)
    except Exception:
        WebhookDelivery.objects.filter(pk__in=delivery_ids).update(queued_until=None)
        raise


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the given number of failed attempts, capped."""
    base = settings.STOCKWISE_WEBHOOK_RETRY_BASE_SECONDS
    cap = settings.STOCKWISE_WEBHOOK_RETRY_CAP_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def webhook_body(event: WebhookEvent) -> bytes:
    """The request body: compact JSON with sorted keys, byte for byte what is
    signed."""
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


def _signed_headers(delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": "Stockwise-Webhooks/1",
        SIGNATURE_HEADER: webhook_signature(
            secret=delivery.endpoint.secret, timestamp=timestamp, body=body
        ),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_ID_HEADER: str(delivery.event_id),
        EVENT_TYPE_HEADER: delivery.event.type,
    }


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the delivery once: (HTTP status or None, error or "" on a 2xx)."""
    endpoint = delivery.endpoint
    try:
        webhook_url_check(endpoint.url)
    except InvalidInput as error:
        return None, str(error)
    body = webhook_body(delivery.event)
    try:
        # Streamed and never read: only the status matters, whatever the size
        # of the body the receiver answers with.
        with _http_client().stream(
            "POST",
            endpoint.url,
            content=body,
            headers=_signed_headers(delivery, body),
            timeout=settings.STOCKWISE_WEBHOOK_TIMEOUT_SECONDS,
        ) as response:
            status_code = response.status_code
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    if 200 <= status_code < 300:
        return status_code, ""
    return status_code, f"HTTP {status_code}"


def _outcome(delivery: WebhookDelivery, error: str, finished: datetime) -> dict:
    """The delivery's fields after an attempt: sent, failed for good after
    STOCKWISE_WEBHOOK_MAX_ATTEMPTS, or pending until its retry."""
    fields = {"claimed_until": None, "last_error": error}
    if not error:
        fields.update(status=DeliveryStatus.SUCCEEDED, delivered_at=finished)
    elif delivery.attempts >= settings.STOCKWISE_WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=DeliveryStatus.FAILED)
    else:
        delay = retry_delay(delivery.attempts)
        fields.update(next_attempt_at=finished + delay)
        # Eager runs ignore countdown; there the relay picks the retry up.
        if not queue.runs_inline():
            fields.update(queued_until=finished + delay + queue_lease())
    return fields


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
    finished = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=status_code,
        error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
        succeeded=not error,
    )
    fields = _outcome(delivery, error, finished)
    WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
    if fields.get("queued_until"):
        countdown = (fields["next_attempt_at"] - finished).total_seconds()
        deliveries_enqueue([delivery_id], countdown=countdown)
    return fields.get("status", DeliveryStatus.PENDING)


def webhook_relay(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queue deliveries that are due, unclaimed and not in the queue already
    (their task never reached the broker, or it was lost with a worker).
    Returns how many this tick queued."""
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
    until = now + queue_lease()
    if lost.filter(pk__in=ids).update(queued_until=until) != len(ids):
        ids = list(
            WebhookDelivery.objects.filter(pk__in=ids, queued_until=until).values_list(
                "pk", flat=True
            )
        )
    deliveries_enqueue(ids)
    return len(ids)


def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Give a failed delivery a fresh series of attempts (never a sent one:
    InvalidInput)."""
    now = timezone.now()
    changed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.FAILED
    ).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        claimed_until=None,
        queued_until=now + queue_lease(),
    )
    if not changed:
        raise InvalidInput("Only a failed delivery can be sent again.")
    transaction.on_commit(lambda: deliveries_enqueue([delivery.pk]), robust=True)
    delivery.refresh_from_db()
    return delivery
