"""Settings for more than one machine (docs/deployment.md): which queue each
task goes to (bulk work on "forecasting", what someone waits for on
"realtime"), and pgbouncer's switch."""

import pytest

from config.celery import app
from stock.tasks import stock_reconcile_task

FORECASTING = "forecasting"
REALTIME = "realtime"

# Every task the project registers, and its queue. A new task fails this test
# until someone decides where it runs.
EXPECTED = {
    "core.export_run": FORECASTING,
    "core.exports_prune": FORECASTING,
    "forecasting.tasks.dashboard_refresh_task": FORECASTING,
    "forecasting.tasks.demand_history_sync_task": FORECASTING,
    "forecasting.tasks.forecast_chunk_task": FORECASTING,
    "forecasting.tasks.forecast_retrain_task": FORECASTING,
    "forecasting.tasks.forecast_run_finish_task": FORECASTING,
    "forecasting.tasks.outliers_detect_task": FORECASTING,
    "forecasting.tasks.sales_import_task": FORECASTING,
    "forecasting.tasks.suggestions_build_task": FORECASTING,
    "forecasting.tasks.transfer_suggestions_build_task": FORECASTING,
    "returns.tasks.classifier_retrain_task": FORECASTING,
    "stock.tasks.idempotency_purge_task": FORECASTING,
    "stock.tasks.lots_write_off_expired_task": FORECASTING,
    "stock.tasks.stock_reconcile_task": FORECASTING,
    # the sweeper only re-queues lost work: it must not wait behind a retrain
    "forecasting.tasks.forecast_runs_sweep_task": REALTIME,
    "notifications.tasks.alert_notify_task": REALTIME,
    "notifications.tasks.alerts_digest_task": REALTIME,
    "notifications.tasks.alerts_evaluate_all_task": REALTIME,
    "notifications.tasks.alerts_evaluate_pair_task": REALTIME,
    "notifications.tasks.alerts_evaluate_stocktake_task": REALTIME,
    "notifications.tasks.alerts_lot_expiry_task": REALTIME,
    "notifications.tasks.alerts_requeue_task": REALTIME,
    "notifications.tasks.webhook_deliver_task": REALTIME,
    "notifications.tasks.webhook_relay_task": REALTIME,
    "returns.tasks.return_classifications_requeue_task": REALTIME,
    "returns.tasks.return_classify_task": REALTIME,
    "stock.alert_tasks.alert_notify_task": REALTIME,
    "stock.alert_tasks.alerts_digest_task": REALTIME,
    "stock.alert_tasks.alerts_evaluate_all_task": REALTIME,
    "stock.alert_tasks.alerts_evaluate_pair_task": REALTIME,
    "stock.alert_tasks.alerts_evaluate_stocktake_task": REALTIME,
    "stock.alert_tasks.alerts_requeue_task": REALTIME,
    "stock.alert_tasks.webhook_deliver_task": REALTIME,
    "stock.alert_tasks.webhook_relay_task": REALTIME,
}


def queue_of(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


def test_every_task_goes_to_its_queue():
    app.loader.import_default_modules()
    registered = {name for name in app.tasks if not name.startswith("celery.")}
    assert {name: queue_of(name) for name in registered} == EXPECTED


def test_every_task_is_routed_on_purpose_not_by_the_default():
    from django.conf import settings

    routed = set(settings.FORECASTING_QUEUE_TASKS) | set(settings.REALTIME_QUEUE_TASKS)
    for name in EXPECTED:
        family = name.rsplit(".", 1)[0] + ".*"
        assert name in routed or family in routed, name


def test_a_worker_without_q_consumes_both_queues():
    # What a plain `celery -A config worker` (tests, an old deploy) listens to.
    assert sorted(app.amqp.queues) == [FORECASTING, REALTIME]
    assert {q.routing_key for q in app.amqp.queues.values()} == {FORECASTING, REALTIME}


@pytest.mark.django_db
def test_the_embedded_default_still_runs_a_routed_task_in_process():
    assert app.conf.task_always_eager
    assert stock_reconcile_task.delay().get(timeout=5) == {"differences": 0}


def test_pgbouncer_and_health_checks_are_switched_by_the_environment(monkeypatch):
    # docs/deployment.md: transaction pooling and a cursor held across
    # transactions (an export's iterator()) do not mix.
    import runpy
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "config" / "settings.py"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db-host:6432/stockwise")
    assert not runpy.run_path(str(path))["DATABASES"]["default"][
        "DISABLE_SERVER_SIDE_CURSORS"
    ]
    monkeypatch.setenv("PGBOUNCER", "1")
    monkeypatch.setenv("CONN_HEALTH_CHECKS", "1")
    database = runpy.run_path(str(path))["DATABASES"]["default"]
    assert database["DISABLE_SERVER_SIDE_CURSORS"] and database["CONN_HEALTH_CHECKS"]
