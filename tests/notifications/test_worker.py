"""Alerts and webhooks on a real Celery worker (PostgreSQL + Redis)."""

import time

import pytest
from django.core.cache import cache

from config.celery import app
from notifications.models import (
    Alert,
    AlertKind,
    AlertRule,
    AlertStatus,
    DeliveryStatus,
    RuleScope,
    WebhookAttempt,
    WebhookDelivery,
)
from notifications.services.evaluation import evaluation_key
from stock.services.operations import stock_adjust
from tests import factories

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the worker")


def test_a_burst_of_100_shipments_opens_one_alert_and_restocking_resolves_it(
    celery_worker_process, receiver, make_endpoint, product, warehouse
):
    cache.delete(evaluation_key(product.pk, warehouse.pk))
    endpoint = make_endpoint(receiver.url, ["alert.*"])
    AlertRule.objects.create(
        name="low", kind=AlertKind.LOW_STOCK, threshold=60, scope=RuleScope.ALL
    )
    factories.stock(product, warehouse, 150)
    for _ in range(100):  # 150 -> 50, crossing 60 on the way
        stock_adjust(
            product=product,
            warehouse=warehouse,
            quantity=-1,
            reason="shipped by hand",
            actor=None,
        )
    wait_for(lambda: receiver.succeeded("alert.opened"))
    time.sleep(3)  # anything still coalescing would land now
    alert = Alert.objects.get()
    assert (alert.status, alert.value) == (AlertStatus.OPEN, 50)
    assert len(receiver.succeeded("alert.opened")) == 1

    factories.stock(product, warehouse, 100)
    wait_for(lambda: receiver.succeeded("alert.resolved"))
    time.sleep(3)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert Alert.objects.count() == 1
    assert [r.event_type for r in receiver.succeeded()] == [
        "alert.opened",
        "alert.resolved",
    ]
    assert receiver.all_verified(endpoint.secret)


def test_a_receiver_failing_three_times_gets_the_event_once(
    celery_worker_process, receiver, make_endpoint, product, warehouse
):
    receiver.failures = [500, 500, 500]
    endpoint = make_endpoint(receiver.url, ["stock.changed"])
    factories.stock(product, warehouse, 5)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    wait_for(
        lambda: WebhookDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SUCCEEDED
        ).exists()
    )
    time.sleep(1)
    attempts = WebhookAttempt.objects.filter(delivery=delivery)
    assert [a.status_code for a in attempts] == [500, 500, 500, 200]
    assert len(receiver.requests) == 4
    assert len(receiver.succeeded()) == 1
    assert {r.event_id for r in receiver.requests} == {str(delivery.event_id)}
    assert receiver.all_verified(endpoint.secret)


def test_a_message_sent_under_the_name_before_the_move_runs_on_the_worker(
    celery_worker_process,
):
    """An upgrade finds tasks queued by the old code: the worker runs them."""
    result = app.send_task("stock.alert_tasks.webhook_relay_task")
    assert result.get(timeout=60) == {"enqueued": 0}
