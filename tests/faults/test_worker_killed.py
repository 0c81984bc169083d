"""A worker SIGKILLed mid-task: the work completes after a restart, once.

Two ways to die. "pool": the pool process running the task is killed, the main
process sees the loss and, with acks_late + reject_on_worker_lost, puts the task
back on the queue at once. "whole": the whole worker is killed; Redis keeps
the task unacked until its visibility timeout (an hour), so the forecast
sweeper and the webhook relay, ticked here as beat would, bring it back.
"""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.db.models import Count
from django.utils import timezone

from catalog.models import Category, Product
from config.celery import app
from forecasting.models import (
    DemandDay,
    DemandSource,
    ForecastChunk,
    ForecastRun,
    ReplenishmentSuggestion,
    RunStatus,
    SeriesForecast,
    SuggestionStatus,
)
from forecasting.services.runs import LEVELS, forecast_run_start
from forecasting.services.sweeper import forecast_runs_sweep
from forecasting.tasks import (
    forecast_retrain_task,
    forecast_runs_sweep_task,
    suggestions_build_task,
)
from notifications.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from notifications.services.endpoints import webhook_endpoint_create
from notifications.tasks import webhook_relay_task
from stock.models import StockLevel
from tests import factories
from tests.faults.conftest import STALE_SECONDS, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

KILLS = ["pool", "whole"]
STALE = timedelta(seconds=STALE_SECONDS)


def kill(worker, how: str) -> None:
    if how == "pool":
        worker.kill_pool_process()
    else:
        worker.kill()
        worker.start()


def sweep():
    forecast_runs_sweep_task.delay()


def relay():
    return webhook_relay_task.delay()


# --- (a) a forecast chunk -----------------------------------------------------


def demand_history(warehouse, n_series: int, days: int) -> list[Product]:
    rng = np.random.default_rng(7)
    end = date.today() - timedelta(days=1)
    products = [factories.product(sku=f"KF-{n}") for n in range(n_series)]
    weekly = 1 + 0.5 * np.sin(np.arange(days) * 2 * np.pi / 7)
    DemandDay.objects.bulk_create(
        DemandDay(
            product=product,
            warehouse=warehouse,
            date=end - timedelta(days=days - 1 - i),
            quantity=int(q),
            source=DemandSource.IMPORT,
        )
        for n, product in enumerate(products)
        for i, q in enumerate(rng.poisson([5, 2, 0.4, 8][n % 4] * weekly))
    )
    return products


@pytest.mark.parametrize("how", KILLS)
def test_a_forecast_chunk_killed_midway_completes_once(worker, warehouse, how):
    # 200 series x a year: the one chunk's fit takes ~4 s even on an idle
    # machine with warm imports (4 x 180 took 1.4 s, and the kill came too late).
    products = demand_history(warehouse, n_series=200, days=365)
    run, _ = forecast_run_start(trigger="manual")
    forecast_retrain_task.delay(run_id=run.pk)

    chunk = wait_for(
        lambda: ForecastChunk.objects.filter(run=run, status=RunStatus.RUNNING).first(),
        120,
        "the chunk to start",
    )
    # The worker holds the chunk's task: the kill lands inside it.
    wait_for(
        lambda: "forecasting.tasks.forecast_chunk_task" in (worker.tasks() or []),
        30,
        "the worker to hold the chunk",
    )
    kill(worker, how)
    chunk.refresh_from_db()
    assert not SeriesForecast.objects.filter(run=run).exists(), worker.tail()
    if how == "whole":  # nothing brings it back by itself
        wait_for(worker.idle, 30, "the new worker to be up and idle")
        chunk.refresh_from_db()
        assert (chunk.status, chunk.attempts) == (RunStatus.RUNNING, 1)

    # pool: re-queued by the worker itself, no sweeper needed;
    # whole: only the sweeper brings it back before the visibility timeout.
    tick = sweep if how == "whole" else None
    wait_for(
        lambda: ForecastRun.objects.filter(
            pk=run.pk, status=RunStatus.SUCCEEDED, summary__has_key="suggestions"
        ).exists(),
        180,
        f"the run to complete\n{worker.tail()}",
        every=tick,
        interval=2.0,
    )
    run.refresh_from_db()
    chunk.refresh_from_db()
    assert (chunk.status, chunk.attempts) == (RunStatus.SUCCEEDED, 2)
    stored = SeriesForecast.objects.filter(run=run)
    assert stored.count() == len(products) == run.summary["series_forecast"]
    assert stored.values("product_id", "warehouse_id").distinct().count() == len(
        products
    )
    # The build ran once: nothing it wrote was superseded by a second build.
    assert not ReplenishmentSuggestion.objects.filter(
        status=SuggestionStatus.SUPERSEDED
    ).exists()


# --- (b) a suggestion build ---------------------------------------------------


def forecasts_for(n_products: int, warehouses) -> ForecastRun:
    """A succeeded run with a forecast per pair and no stock: every pair orders."""
    category = Category.objects.create(name="Kill test")
    Product.objects.bulk_create(
        Product(
            sku=f"KS-{i:05d}",
            name=f"Kill test {i}",
            category=category,
            unit_cost=Decimal("4.00"),
            price=Decimal("10.00"),
        )
        for i in range(n_products)
    )
    products = list(Product.objects.filter(category=category))
    run = ForecastRun.objects.create(
        status=RunStatus.SUCCEEDED,
        horizon=28,
        trigger="manual",
        finished_at=timezone.now() - timedelta(minutes=1),
    )
    rng = np.random.default_rng(5)
    rows, levels = [], []
    for product in products:
        for wh in warehouses:
            mean = rng.uniform(0.5, 6) * np.ones(28)
            values = {"mean": list(mean.round(3))}
            for level in LEVELS:
                values[f"q{level:g}"] = list((mean * (0.4 + level)).round(3))
            rows.append(
                SeriesForecast(
                    run=run,
                    product=product,
                    warehouse=wh,
                    model="ses",
                    demand_class="smooth",
                    start_date=date.today(),
                    values=values,
                )
            )
            levels.append(StockLevel(product=product, warehouse=wh, on_hand=0))
    SeriesForecast.objects.bulk_create(rows, batch_size=2000)
    StockLevel.objects.bulk_create(levels, batch_size=2000)
    return run


def build_is_running(worker) -> bool:
    active = app.control.inspect(destination=[worker.name], timeout=1.0).active()
    return any(
        task["name"] == "forecasting.tasks.suggestions_build_task"
        for tasks in (active or {}).values()
        for task in tasks
    )


@pytest.mark.parametrize("how", KILLS)
def test_a_suggestion_build_killed_midway_leaves_one_suggestion_per_pair(
    worker, warehouse, other_warehouse, how
):
    # 10,000 pairs: ~3 s of build on an idle machine, so the kill lands inside
    # it even after inspect()'s round trip (3,000 pairs took ~1 s: too close).
    run = forecasts_for(5000, [warehouse, other_warehouse])
    pairs = SeriesForecast.objects.filter(run=run).count()
    suggestions_build_task.delay(run.pk)
    wait_for(lambda: build_is_running(worker), 60, "the build to start")
    kill(worker, how)
    assert not ReplenishmentSuggestion.objects.exists(), "the build had finished"
    run.refresh_from_db()
    assert "suggestions" not in run.summary

    tick = sweep if how == "whole" else None
    wait_for(
        lambda: ForecastRun.objects.filter(
            pk=run.pk, summary__has_key="suggestions"
        ).exists(),
        120,
        f"the build to complete\n{worker.tail()}",
        every=tick,
        interval=2.0,
    )
    # A further sweep finds nothing left to do.
    assert not any(forecast_runs_sweep(stale_after=STALE).values())
    suggestions = ReplenishmentSuggestion.objects.all()
    assert suggestions.count() == pairs
    assert set(suggestions.values_list("status", flat=True)) == {SuggestionStatus.OPEN}
    assert not (
        suggestions.values("product_id", "warehouse_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )


# --- (c) a webhook delivery ---------------------------------------------------


@pytest.mark.parametrize("how", KILLS)
def test_a_webhook_delivery_killed_midway_is_sent_again_after_its_lease(
    worker, slow_receiver, product, warehouse, how
):
    endpoint, _ = webhook_endpoint_create(
        name="slow shop", url=slow_receiver.url, events=["stock.changed"]
    )
    factories.stock(product, warehouse, 5)  # commits: one event, one delivery
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert slow_receiver.arrived.wait(60), worker.tail()
    kill(worker, how)  # while the receiver still holds its answer
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1 and delivery.claimed_until > timezone.now()
    assert not WebhookAttempt.objects.filter(delivery=delivery).exists()

    # Within the lease nothing re-sends it: not the relay, and not the task
    # the worker re-queued itself (pool), which finds the delivery leased.
    if how == "pool":
        wait_for(
            lambda: (
                "webhook_deliver_task" in worker.log_text()
                and "'skipped'" in worker.log_text()
            ),
            20,
            f"the re-queued task to skip\n{worker.tail()}",
        )
    assert relay().get(timeout=60) == {"enqueued": 0}
    wait_for(worker.idle, 30, "the worker to be idle")
    assert len(slow_receiver.event_ids()) == 1
    wait_for(
        lambda: WebhookDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SUCCEEDED
        ).exists(),
        120,
        f"the redelivery\n{worker.tail()}",
        every=relay,
        interval=2.0,
    )
    # Nothing left to send it again: the relay finds nothing due, the worker
    # holds no task.
    assert relay().get(timeout=60) == {"enqueued": 0}
    wait_for(worker.idle, 30, "the worker to be idle")
    delivery.refresh_from_db()
    first, second = (t for _, t in slow_receiver.requests)
    assert slow_receiver.event_ids() == [str(delivery.event_id)] * 2
    assert second - first >= 30  # only once the 35 s lease ran out
    assert delivery.attempts == 2
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery))
    assert [(a.status_code, a.succeeded) for a in attempts] == [(200, True)]
