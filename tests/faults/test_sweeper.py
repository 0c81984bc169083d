"""The forecast sweeper and the Celery settings it relies on (no worker needed)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from config.celery import app
from forecasting.models import ForecastChunk, ForecastRun, RunStatus, SeriesForecast
from forecasting.services.runs import (
    forecast_chunk_process,
    forecast_run_close,
    forecast_run_plan,
    forecast_run_start,
)
from forecasting.services.sweeper import (
    FINISH_GRACE,
    MAX_CHUNK_ATTEMPTS,
    forecast_stale_after,
)
from forecasting.tasks import forecast_run_finish_task, forecast_runs_requeue
from tests.forecasting.test_runs import history  # noqa: F401  (fixture)


def test_celery_settings_hold_together():
    """A task is acknowledged when done and re-queued when its worker is lost;
    the hard limit ends it before the broker would hand it out again, and the
    sweeper waits for longer than that before it re-queues a chunk."""
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit < visibility
    stale = forecast_stale_after().total_seconds()
    assert conf.task_time_limit < stale
    sweep = settings.CELERY_BEAT_SCHEDULE["forecast-runs-sweep"]
    assert sweep["task"] == "forecasting.tasks.forecast_runs_sweep_task"
    assert sweep["schedule"].total_seconds() < stale
    # A webhook send ends (its HTTP timeout) long before any time limit.
    assert conf.task_soft_time_limit > settings.STOCKWISE_WEBHOOK_TIMEOUT_SECONDS


def sweep(capture, **kwargs):
    with capture(execute=True):  # what the sweep claims is enqueued on commit
        return forecast_runs_requeue(**kwargs)


def test_a_chunk_lost_with_its_worker_is_requeued_and_the_run_closed(
    history,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.STOCKWISE_FORECAST_CHUNK_SIZE = 3  # chunks of 3 and 2 series
    run, _ = forecast_run_start()
    forecast_run_plan(run=run)
    forecast_chunk_process(run_id=run.pk, index=0)
    long_ago = timezone.now() - forecast_stale_after() - timedelta(seconds=1)
    ForecastChunk.objects.filter(run=run, index=1).update(
        status=RunStatus.RUNNING, attempts=1, updated_at=long_ago
    )

    done = sweep(django_capture_on_commit_callbacks)
    assert done["chunks"] == [(run.pk, 1)] and not done["finish"]
    assert SeriesForecast.objects.filter(run=run).count() == 5
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING  # its chord callback is lost too

    later = timezone.now() + FINISH_GRACE + timedelta(seconds=1)
    done = sweep(django_capture_on_commit_callbacks, now=later)
    assert done["finish"] == [run.pk] and not done["chunks"]
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert run.summary["series_forecast"] == 5
    assert "suggestions" in run.summary  # the closing step started the build

    assert not any(sweep(django_capture_on_commit_callbacks, now=later).values())


def test_live_chunks_are_left_alone_and_a_chunk_that_always_dies_fails(
    history,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.STOCKWISE_FORECAST_CHUNK_SIZE = 3
    run, _ = forecast_run_start()
    forecast_run_plan(run=run)
    ForecastChunk.objects.filter(run=run, index=0).update(
        status=RunStatus.RUNNING, attempts=1, updated_at=timezone.now()
    )
    assert not any(sweep(django_capture_on_commit_callbacks).values())

    long_ago = timezone.now() - forecast_stale_after() - timedelta(seconds=1)
    ForecastChunk.objects.filter(run=run).update(
        status=RunStatus.RUNNING, attempts=MAX_CHUNK_ATTEMPTS, updated_at=long_ago
    )
    done = sweep(django_capture_on_commit_callbacks)
    assert done["failed"] == [(run.pk, 0), (run.pk, 1)] and not done["chunks"]
    later = timezone.now() + FINISH_GRACE + timedelta(seconds=1)
    assert sweep(django_capture_on_commit_callbacks, now=later)["finish"] == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "2 chunk(s) failed after retries."


def test_a_run_is_closed_once_and_builds_its_suggestions_once(db):
    run = ForecastRun.objects.create(
        status=RunStatus.RUNNING, horizon=28, started_at=timezone.now()
    )
    first = forecast_run_finish_task.delay(run.pk).get()
    second = forecast_run_finish_task.delay(run.pk).get()
    assert (first["closed"], second["closed"]) == (True, False)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and "suggestions" in run.summary
    assert forecast_run_close(run_id=run.pk) == (run, False)


def test_a_run_whose_retrain_task_was_lost_is_planned_again(
    history,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    run, _ = forecast_run_start()
    long_ago = timezone.now() - forecast_stale_after() - timedelta(seconds=1)
    ForecastRun.objects.filter(pk=run.pk).update(created_at=long_ago)
    done = sweep(django_capture_on_commit_callbacks)
    assert done["plan"] == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert SeriesForecast.objects.filter(run=run).count() == 5


def _chunk_writes_refused():
    """A real database failure inside the plan: a trigger that refuses every
    new chunk row (dropped with the test's transaction)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION stockwise_test_refuse() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'refused by the test'; END $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER stockwise_test_refuse BEFORE INSERT ON "
                "forecasting_forecastchunk FOR EACH ROW "
                "EXECUTE FUNCTION stockwise_test_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER stockwise_test_refuse BEFORE INSERT ON "
                "forecasting_forecastchunk BEGIN "
                "SELECT RAISE(ABORT, 'refused by the test'); END"
            )


def _chunk_writes_allowed():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER stockwise_test_refuse"
            + (
                " ON forecasting_forecastchunk"
                if connection.vendor == "postgresql"
                else ""
            )
        )


def test_a_plan_that_fails_after_its_claim_gives_the_run_back(product, warehouse):
    """When the plan fails after its claim (writing its chunks; in the
    embedded default: a table another thread holds), the task's retry must
    plan the run, not find it "already running" and leave it so forever (CI:
    a retrain stuck at "running")."""
    _plan_fails_then_is_planned_again(product, warehouse)


def _plan_fails_then_is_planned_again(product, warehouse, *, no_give_back=False):
    """A series with history; its run's first plan meets a database refusal
    (and, with `no_give_back`, so does any write setting the run back to
    pending): the run is left pending, and the next plan plans it."""
    from datetime import UTC, datetime

    from stock.models import MovementKind, ReferenceType
    from stock.services.ledger import LedgerLine, ledger_post

    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    for quantity, kind in ((5, MovementKind.RECEIPT), (-2, MovementKind.SHIPMENT)):
        ledger_post(
            lines=[LedgerLine(product.pk, warehouse.pk, quantity=quantity, kind=kind)],
            reference_type=ReferenceType.MANUAL,
            occurred_at=three_days_ago,
        )
    run, _ = forecast_run_start()
    _chunk_writes_refused()
    if no_give_back:
        _run_give_back_refused()
    try:
        forecast_run_plan(run=run)
    except Exception as error:
        assert "refused by the test" in str(error)
    else:
        raise AssertionError("the plan should have met the refusing trigger")
    run.refresh_from_db()
    assert (run.status, run.started_at, run.n_chunks) == (RunStatus.PENDING, None, 0)

    _chunk_writes_allowed()
    assert forecast_run_plan(run=run) == [0]
    run.refresh_from_db()
    assert (run.status, run.n_series) == (RunStatus.RUNNING, 1)


def _run_give_back_refused():
    """The write that would set a claimed run back to pending fails as well:
    in CI the table lock that broke the plan also refused that UPDATE."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION stockwise_test_refuse_back() RETURNS trigger AS $$ "
                "BEGIN IF NEW.status = 'pending' AND OLD.status = 'running' THEN "
                "RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER stockwise_test_refuse_back BEFORE UPDATE ON "
                "forecasting_forecastrun FOR EACH ROW "
                "EXECUTE FUNCTION stockwise_test_refuse_back()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER stockwise_test_refuse_back BEFORE UPDATE OF status "
                "ON forecasting_forecastrun WHEN NEW.status = 'pending' "
                "AND OLD.status = 'running' BEGIN "
                "SELECT RAISE(ABORT, 'refused by the test'); END"
            )


def test_a_plan_that_fails_is_never_left_running_even_when_no_write_can_follow(
    product, warehouse
):
    """CI (session 17): the plan met a table held by the page's poll, and so
    did the write meant to give the run back; the run stayed "running" with
    no chunk ("Reading the sales history", 5 %) and every retry "joined" it.
    The claim now commits with the plan, so a failed plan leaves it pending
    without another write, and the retry plans it."""
    _plan_fails_then_is_planned_again(product, warehouse, no_give_back=True)
