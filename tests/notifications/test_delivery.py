"""Signing, URL safety, and delivery with retries, on the embedded default."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import InvalidInput
from notifications.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from notifications.services.delivery import (
    retry_delay,
    webhook_deliver,
    webhook_delivery_resend,
    webhook_relay,
)
from notifications.services.endpoints import webhook_url_check
from notifications.services.signing import webhook_signature, webhook_signature_verify
from stock.services.operations import stock_adjust
from tests import factories

SECRET = "whsec_test"


def test_signature_round_trips_and_rejects_tampering_and_stale_timestamps():
    body = b'{"id":"e1","type":"stock.changed"}'
    now = int(time.time())
    header = webhook_signature(secret=SECRET, timestamp=now, body=body)
    assert header.startswith(f"t={now},v1=")
    assert webhook_signature_verify(secret=SECRET, body=body, header=header)
    assert not webhook_signature_verify(
        secret=SECRET, body=body.replace(b"e1", b"e2"), header=header
    )
    assert not webhook_signature_verify(secret="whsec_other", body=body, header=header)
    stale = webhook_signature(secret=SECRET, timestamp=now - 301, body=body)
    assert not webhook_signature_verify(secret=SECRET, body=body, header=stale)
    assert webhook_signature_verify(
        secret=SECRET, body=body, header=stale, now=now - 301
    )
    # A forged timestamp with the old signature does not verify either.
    forged = f"t={now},{header.split(',')[1]}"
    assert not webhook_signature_verify(secret=SECRET, body=b"{}", header=forged)
    for garbage in ("", "v1=abc", "t=x,v1=abc", "nonsense"):
        assert not webhook_signature_verify(secret=SECRET, body=body, header=garbage)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_loopback_and_link_local_urls_are_refused(settings, url):
    settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(InvalidInput):
        webhook_url_check(url)


def test_only_http_urls_and_public_addresses_pass(settings):
    settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE = False
    for url in ("ftp://93.184.216.34/x", "file:///etc/passwd", "https:///nohost"):
        with pytest.raises(InvalidInput):
            webhook_url_check(url)
    webhook_url_check("https://93.184.216.34/hook")


def test_the_setting_allows_loopback_for_development(settings):
    settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE = True
    webhook_url_check("http://127.0.0.1:8000/hook")
    with pytest.raises(InvalidInput):
        webhook_url_check("gopher://127.0.0.1/")


def test_endpoints_are_refused_when_they_point_inside(settings, make_endpoint):
    settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(InvalidInput):
        make_endpoint("http://127.0.0.1/hook", ["stock.changed"])
    with pytest.raises(InvalidInput):
        make_endpoint("https://93.184.216.34/hook", ["stock.nothing"])


def test_backoff_doubles_up_to_the_cap(settings):
    settings.STOCKWISE_WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.STOCKWISE_WEBHOOK_RETRY_CAP_SECONDS = 60
    delays = [retry_delay(n).total_seconds() for n in range(1, 6)]
    assert delays == [10, 20, 40, 60, 60]


@pytest.fixture
def delivery_to(make_endpoint, product, warehouse):
    """A stock.changed delivery for a receiver, written but not yet sent."""

    def make(receiver):
        endpoint = make_endpoint(receiver.url, ["stock.changed"])
        stock_adjust(
            product=product, warehouse=warehouse, quantity=3, reason="found", actor=None
        )
        return endpoint, WebhookDelivery.objects.get(endpoint=endpoint)

    return make


def make_due(delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_delivery_is_signed_and_carries_the_event_id(
    committed, receiver, make_endpoint, product, warehouse
):
    endpoint = make_endpoint(receiver.url, ["stock.changed"])
    with committed():
        stock_adjust(
            product=product, warehouse=warehouse, quantity=3, reason="found", actor=None
        )
    (received,) = receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert received.event_id == str(delivery.event_id)
    assert received.event_type == "stock.changed"
    assert webhook_signature_verify(
        secret=endpoint.secret, body=received.body, header=received.signature
    )
    document = json.loads(received.body)
    assert document["id"] == str(delivery.event_id)
    assert document["data"]["sku"] == "MUG-001"
    assert document["data"]["on_hand"] == 3


def test_a_failing_receiver_is_retried_with_backoff_and_gets_the_event_once(
    eager, receiver, delivery_to
):
    receiver.failures = [500, 500, 500]
    _, delivery = delivery_to(receiver)
    statuses = []
    for _ in range(4):
        statuses.append(webhook_deliver(delivery_id=delivery.pk))
        # Not due yet: a second task (a duplicate, the relay) sends nothing.
        assert webhook_deliver(delivery_id=delivery.pk) == "skipped"
        make_due(delivery)
    assert statuses == ["pending", "pending", "pending", "succeeded"]
    assert len(receiver.succeeded()) == 1
    assert len({r.event_id for r in receiver.requests}) == 1
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery))
    assert [a.status_code for a in attempts] == [500, 500, 500, 200]
    assert [a.succeeded for a in attempts] == [False, False, False, True]
    assert all(a.duration_ms >= 0 for a in attempts)
    # A delivery that succeeded is never sent again, whatever asks.
    assert webhook_deliver(delivery_id=delivery.pk) == "skipped"
    assert webhook_relay(now=timezone.now() + timedelta(days=1)) == 0
    assert len(receiver.requests) == 4


def test_after_the_last_attempt_it_fails_and_an_admin_can_resend(
    committed, settings, receiver, delivery_to
):
    settings.STOCKWISE_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.failures = [503, 503]
    _, delivery = delivery_to(receiver)
    assert webhook_deliver(delivery_id=delivery.pk) == "pending"
    make_due(delivery)
    assert webhook_deliver(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 503"
    make_due(delivery)
    assert webhook_relay() == 0  # failed deliveries wait for a person
    with committed():
        webhook_delivery_resend(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert len(receiver.succeeded()) == 1
    with pytest.raises(InvalidInput):
        webhook_delivery_resend(delivery=delivery)


def test_the_relay_picks_up_a_delivery_whose_worker_died(eager, receiver, delivery_to):
    _, delivery = delivery_to(receiver)
    # A worker claimed it (taking it off the queue) and died: the lease runs
    # out, then the relay resends.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=1,
        claimed_until=timezone.now() + timedelta(seconds=30),
        queued_until=None,
    )
    assert webhook_relay() == 0
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert webhook_relay() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert len(receiver.succeeded()) == 1


def test_a_refused_url_and_a_dead_port_are_logged_as_failed_attempts(
    eager, settings, receiver, delivery_to
):
    endpoint, delivery = delivery_to(receiver)
    settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE = False
    assert webhook_deliver(delivery_id=delivery.pk) == "pending"
    attempt = WebhookAttempt.objects.get()
    assert "private" in attempt.error and attempt.status_code is None
    assert receiver.requests == []
    settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE = True
    receiver.stop()
    make_due(delivery)
    assert webhook_deliver(delivery_id=delivery.pk) == "pending"
    assert "ConnectError" in WebhookAttempt.objects.last().error
    receiver.__post_init__()  # the fixture's teardown stops it again


def test_the_delivery_page_shows_failures_and_only_admins_resend(
    client, committed, settings, receiver, delivery_to, manager_user, staff_user
):
    settings.STOCKWISE_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.failures = [500]
    _, delivery = delivery_to(receiver)
    webhook_deliver(delivery_id=delivery.pk)
    client.force_login(staff_user)
    assert client.get("/webhooks/deliveries/").status_code == 403
    client.force_login(manager_user)
    page = client.get("/webhooks/deliveries/")
    assert page.status_code == 200
    assert "HTTP 500" in page.content.decode()
    resend = f"/webhooks/deliveries/{delivery.pk}/resend/"
    assert client.post(resend).status_code == 403
    client.force_login(factories.user("admin"))
    with committed():
        assert client.post(resend).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED


def test_the_relay_queues_a_waiting_delivery_once_not_every_tick(
    settings, committed, receiver, make_endpoint, product, warehouse
):
    """Workers behind a backlog: the delivery's task waits in the broker's queue
    while the relay ticks every minute. It is queued once; only after the queue
    lease (the task may have been lost with a worker) does the relay send it
    again, once."""
    from celery.signals import before_task_publish

    from config.celery import app

    published = []

    def count(sender=None, body=None, **kwargs):
        if sender == "notifications.tasks.webhook_deliver_task":
            published.append(body[0][0])

    endpoint = make_endpoint(receiver.url, ["stock.changed"])
    before_task_publish.connect(count)
    app.conf.task_always_eager = False  # a broker and busy workers, as deployed
    try:
        with committed():
            stock_adjust(
                product=product,
                warehouse=warehouse,
                quantity=3,
                reason="found",
                actor=None,
            )
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert published == [delivery.pk]
        start = timezone.now()
        for minute in range(1, 5):
            assert webhook_relay(now=start + timedelta(minutes=minute)) == 0
        assert published == [delivery.pk]
        lease = timedelta(seconds=settings.STOCKWISE_WEBHOOK_QUEUE_LEASE_SECONDS)
        assert webhook_relay(now=start + lease + timedelta(seconds=1)) == 1
        assert webhook_relay(now=start + lease + timedelta(minutes=1)) == 0
        assert published == [delivery.pk, delivery.pk]
    finally:
        app.control.purge()  # no worker is to find this test's tasks later
        app.conf.task_always_eager = True
        before_task_publish.disconnect(count)
    assert receiver.requests == []  # nothing ran here: the tasks are queued
    # When the first copy runs it sends the event; the second finds it sent.
    assert webhook_deliver(delivery_id=delivery.pk) == DeliveryStatus.SUCCEEDED
    assert webhook_deliver(delivery_id=delivery.pk) == "skipped"
    assert len(receiver.succeeded()) == 1
