"""A return whose classification was never queued (Redis away at its commit)
is classified once beat's sweeper runs with Redis back: the sweeper alone on
the embedded default, and the whole story on a real worker and a Redis of the
test's own, stopped while the return is posted."""

import os
import subprocess
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from returns.models import ClassificationStatus, ReturnRequest
from returns.services.classification import (
    requeue_lease_key,
    return_classifications_requeue,
)
from returns.services.intake import ReturnLineInput, return_create
from tests.conftest import (
    solo_worker_argv,
    tasks_not_eager,
    user_client,
    worker_database_url,
)
from tests.outage import cache_settings, celery_on, own_redis  # noqa: F401
from tests.returns.test_returns_flow import shipped  # noqa: F401  (fixture)

REASON = "box was crushed by the courier, cup broken 快递压坏了"


@pytest.fixture
def later(settings):
    """A sweep's clock once the grace has passed."""
    grace = settings.STOCKWISE_REQUEUE_GRACE_SECONDS
    return timezone.now() + timedelta(seconds=grace + 1)


def lost_enqueue_return(shop, product, settings) -> ReturnRequest:
    """A return saved with its classification queued on commit, a commit this
    test transaction never reaches: the enqueue is lost."""
    with tasks_not_eager(settings):
        request, _ = return_create(
            shop=shop,
            order_reference="ORD-1",
            lines=[ReturnLineInput(product, 1)],
            reason_text=REASON,
        )
    cache.delete(requeue_lease_key(request.pk))  # a lease of another run's id
    return request


def test_a_pending_return_is_classified_once_the_sweeper_runs(
    shop_a,
    shipped,  # noqa: F811
    product,
    settings,
    later,
):
    request = lost_enqueue_return(shop_a[0], product, settings)
    assert request.classification_status == ClassificationStatus.PENDING

    # Within the grace its task may still wait in the queue: left alone.
    assert return_classifications_requeue() == []
    assert return_classifications_requeue(now=later) == [request.pk]
    request.refresh_from_db()
    assert request.classification_status == ClassificationStatus.DONE
    assert request.predicted_category == "damaged_in_transit"
    assert return_classifications_requeue(now=later) == []


def test_a_queued_classification_is_queued_again_only_after_its_lease(
    shop_a,
    shipped,  # noqa: F811
    product,
    settings,
    later,
):
    request = lost_enqueue_return(shop_a[0], product, settings)
    # A broker with no worker: the task waits in the queue.
    with celery_on("memory://", settings, backend="cache+memory://"):
        assert return_classifications_requeue(now=later) == [request.pk]
        assert return_classifications_requeue(now=later) == []
        cache.delete(requeue_lease_key(request.pk))  # the lease ran out
        assert return_classifications_requeue(now=later) == [request.pk]
    request.refresh_from_db()
    assert request.classification_status == ClassificationStatus.PENDING


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def start_worker(redis_url: str, log_path) -> tuple[subprocess.Popen, str]:
    from config.celery import app

    database_url = worker_database_url()
    name = f"redis-down-{os.getpid()}@localhost"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
    }
    worker = subprocess.Popen(
        solo_worker_argv(name),
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_for(
        lambda: (
            worker.poll() is None and app.control.ping(destination=[name], timeout=1.0)
        ),
        60,
        "the worker to answer a ping",
    )
    return worker, name


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_redis_stopped_a_staff_return_is_201_and_classified_once_redis_is_back(
    own_redis,  # noqa: F811
    shipped,  # noqa: F811
    staff_user,
    settings,
    tmp_path,
):
    from config.celery import app

    settings.CACHES = cache_settings(own_redis.url)
    with celery_on(own_redis.url, settings):
        worker, name = start_worker(own_redis.url, tmp_path / "worker.log")
        try:
            own_redis.stop()
            started = time.monotonic()
            response = user_client(staff_user).post(
                "/api/v1/returns/",
                {
                    "order_reference": "ORD-1",
                    "reason_text": REASON,
                    "lines": [{"sku": "MUG-001", "quantity": 1}],
                },
                format="json",
            )
            assert response.status_code == 201, response.content
            assert time.monotonic() - started < 5
            request = ReturnRequest.objects.get(pk=response.json()["id"])
            assert request.classification_status == ClassificationStatus.PENDING

            own_redis.start()  # empty: the lost enqueue is nowhere in it
            wait_for(
                lambda: app.control.ping(destination=[name], timeout=1.0),
                90,
                "the worker to reconnect",
            )
            later = timezone.now() + timedelta(
                seconds=settings.STOCKWISE_REQUEUE_GRACE_SECONDS + 1
            )

            def beat_tick() -> bool:
                try:
                    return request.pk in return_classifications_requeue(now=later)
                except Exception:  # Redis not answering this process yet
                    return False

            wait_for(beat_tick, 60, "the sweeper to queue the classification")
            wait_for(
                lambda: (
                    ReturnRequest.objects.get(pk=request.pk).classification_status
                    == ClassificationStatus.DONE
                ),
                90,
                "the worker to classify the return",
            )
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
    request.refresh_from_db()
    assert request.predicted_category == "damaged_in_transit"
    assert request.model_version


def test_beat_runs_both_sweepers_within_their_lease(settings):
    """The production path: beat's entries name registered tasks, and each
    sweep comes round before a lost piece's lease would run out twice."""
    from config.celery import app

    app.loader.import_default_modules()  # what a worker and beat do at start
    for entry in ("returns-classifications-requeue", "alerts-requeue"):
        scheduled = settings.CELERY_BEAT_SCHEDULE[entry]
        assert scheduled["task"] in app.tasks
        every = scheduled["schedule"].total_seconds()
        assert every < settings.STOCKWISE_REQUEUE_LEASE_SECONDS
