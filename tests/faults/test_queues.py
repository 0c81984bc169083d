"""Two queues, one worker each (the production layout, docs/deployment.md): work
waiting on the forecasting queue never holds an alert back, and each worker
takes only its own queue's tasks.

The workers use this module's own broker keys (tests/faults/conftest.py), so
the session's solo worker, which consumes every queue, never takes them.
"""

import os

import pytest
from django.db import connection

from config.celery import app
from forecasting.models import ForecastRun
from forecasting.tasks import forecast_retrain_task
from notifications.models import AlertKind, AlertRule, RuleScope
from notifications.services.endpoints import webhook_endpoint_create
from stock.services.operations import stock_adjust
from tests import factories
from tests.faults.conftest import KEY_PREFIX, STALE_SECONDS, Worker, wait_for
from tests.notifications.receiver import Receiver

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def queue_workers(faults_broker, django_db_setup, django_db_blocker, tmp_path_factory):
    """(realtime, forecasting): a worker for each queue, not yet started."""
    with django_db_blocker.unblock():
        db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
            f"{db['PORT']}/{db['NAME']}"
        ),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": faults_broker,
        "CELERY_RESULT_BACKEND": faults_broker,
        "FAULTS_KEY_PREFIX": KEY_PREFIX,
        "STOCKWISE_FORECAST_STALE_SECONDS": str(STALE_SECONDS),
        "STOCKWISE_WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    workers = tuple(
        Worker(env, tmp_path_factory.mktemp(queue), queue=queue, label=queue)
        for queue in ("realtime", "forecasting")
    )
    yield workers
    for worker in workers:
        worker.stop()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def waiting(queue: str) -> int:
    """Messages in ``queue`` no worker has taken yet."""
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(queue)


def ran(worker) -> dict[str, int]:
    """The tasks ``worker`` has run, by name, and how many times."""
    stats = app.control.inspect(destination=[worker.name], timeout=2.0).stats()
    return stats[worker.name]["total"]


def test_an_alert_is_delivered_while_the_forecasting_queue_waits(
    queue_workers, receiver, product, warehouse
):
    realtime, forecasting = queue_workers
    realtime.start()  # nobody consumes "forecasting" yet: a busy retrain
    retrain = forecast_retrain_task.delay(trigger="queues-test")
    endpoint, secret = webhook_endpoint_create(
        name="ops", url=receiver.url, events=["alert.*"]
    )
    AlertRule.objects.create(
        name="low", kind=AlertKind.LOW_STOCK, threshold=5, scope=RuleScope.ALL
    )
    factories.stock(product, warehouse, 8)
    stock_adjust(
        product=product, warehouse=warehouse, quantity=-4, reason="damaged", actor=None
    )
    wait_for(
        lambda: receiver.succeeded("alert.opened"), 60, f"the alert\n{realtime.tail()}"
    )
    assert receiver.all_verified(secret)
    # The retrain is still where it was put: in the forecasting queue, untouched.
    assert waiting("forecasting") == 1
    assert retrain.state == "PENDING" and not ForecastRun.objects.exists()

    forecasting.start()
    assert retrain.get(timeout=120)["run"] == ForecastRun.objects.get().pk
    wait_for(lambda: waiting("forecasting") == 0, 60, "the forecasting queue")
    assert {
        "notifications.tasks.alerts_evaluate_pair_task",
        "notifications.tasks.webhook_deliver_task",
    } <= set(ran(realtime))
    assert all(name.startswith("notifications.") for name in ran(realtime))
    assert "forecasting.tasks.forecast_retrain_task" in ran(forecasting)
    assert all(name.startswith("forecasting.") for name in ran(forecasting))
