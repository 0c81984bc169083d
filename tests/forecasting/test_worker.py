"""A retrain on a real Celery worker: the chord fans out over Redis, the closing
step records the run, and the suggestion build it starts writes suggestions."""

import time

import pytest
from django.core.management import call_command

from forecasting.models import (
    ForecastRun,
    ReplenishmentSuggestion,
    RunStatus,
    SeriesForecast,
)
from tests import factories
from tests.forecasting.test_runs import history  # noqa: F401  (fixture)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_retrain_on_the_worker_stores_forecasts_and_builds_suggestions(
    celery_worker_process,
    history,  # noqa: F811
    warehouse,
):
    supplier = factories.supplier(lead_time_days=5)
    for product in history:
        factories.supplier_product(supplier, product)
        factories.stock(product, warehouse, 1)

    call_command("forecast_retrain", timeout=240)  # waits for the worker

    run = ForecastRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED
    assert SeriesForecast.objects.filter(run=run).count() == 5
    deadline = time.monotonic() + 60
    while (
        not ReplenishmentSuggestion.objects.filter(status="open").exists()
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
    assert ReplenishmentSuggestion.objects.filter(status="open").exists()
