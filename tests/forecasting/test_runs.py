"""Forecast retrains: chunked, stored with backtest metrics, safe to run twice."""

from datetime import date, timedelta

import numpy as np
import pytest
from django.core.management import call_command

from forecasting.glossary import term_label
from forecasting.models import (
    DemandDay,
    DemandSource,
    ForecastChunk,
    ForecastRun,
    RunStatus,
    SeriesForecast,
)
from forecasting.services import runs
from forecasting.services.runs import (
    forecast_chunk_process,
    forecast_run_start,
)
from tests import factories
from tests.conftest import shop_client, user_client


@pytest.fixture
def history(db, warehouse):
    """Five products with 120 days of history: smooth, weekly, intermittent."""
    rng = np.random.default_rng(3)
    end = date.today() - timedelta(days=1)
    products = []
    for n in range(5):
        product = factories.product(sku=f"FC-{n}")
        products.append(product)
        rate = [5, 2, 0.3, 8, 0.1][n]
        weekly = 1 + 0.5 * np.sin(np.arange(120) * 2 * np.pi / 7)
        counts = rng.poisson(rate * weekly)
        DemandDay.objects.bulk_create(
            DemandDay(
                product=product,
                warehouse=warehouse,
                date=end - timedelta(days=119 - i),
                quantity=int(q),
                source=DemandSource.IMPORT,
            )
            for i, q in enumerate(counts)
        )
    return products


def test_retrain_stores_one_forecast_per_series_with_metrics(history, settings):
    settings.STOCKWISE_FORECAST_CHUNK_SIZE = 2  # three chunks for five series
    call_command("forecast_retrain")
    run = ForecastRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED
    assert (run.n_series, run.n_chunks) == (5, 3)
    assert run.summary["series_forecast"] == 5
    assert run.finished_at >= run.started_at
    forecasts = SeriesForecast.objects.filter(run=run)
    assert forecasts.count() == 5
    for forecast in forecasts:
        values = forecast.values
        assert len(values["mean"]) == run.horizon == 28
        assert forecast.start_date == date.today()
        assert forecast.model and forecast.demand_class
        assert forecast.rmsse is not None and forecast.rmsse >= 0
        for step in range(28):
            column = [values[k][step] for k in ("q0.025", "q0.1", "q0.5", "q0.9")]
            assert column == sorted(column) and column[0] >= 0


def test_a_second_request_joins_the_run_in_flight(history):
    first, created = forecast_run_start(trigger="manual")
    second, created_again = forecast_run_start(trigger="manual")
    assert created and not created_again and first.pk == second.pk


def test_a_chunk_run_twice_does_not_duplicate_forecasts(history):
    run, _ = forecast_run_start()
    runs.forecast_run_plan(run=run)
    forecast_chunk_process(run_id=run.pk, index=0)
    ForecastChunk.objects.filter(run=run).update(status=RunStatus.PENDING)
    forecast_chunk_process(run_id=run.pk, index=0)
    assert SeriesForecast.objects.filter(run=run).count() == 5


def test_forecast_api_gives_the_newest_forecast_to_managers_and_shops(
    history, manager_user, shop_a
):
    call_command("forecast_retrain")
    call_command("forecast_retrain")
    newest = ForecastRun.objects.order_by("-pk").first()
    for client in (user_client(manager_user), shop_client(shop_a[1])):
        body = client.get("/api/v1/forecasts/?sku=FC-0&warehouse=main").json()
        assert body["count"] == 1
        item = body["results"][0]
        assert item["run"] == newest.pk
        assert len(item["points"]) == 28
        first = item["points"][0]
        assert first["quantiles"]["0.1"] <= first["mean"] or first["mean"] >= 0
        assert set(first["quantiles"]) >= {"0.1", "0.5", "0.9", "0.95", "0.99"}


def test_manager_retrains_from_the_runs_page_and_sees_the_chart(
    client, history, manager_user, staff_user
):
    client.force_login(staff_user)
    assert client.get("/forecasts/runs/").status_code == 403
    assert client.post("/forecasts/retrain/").status_code == 403
    assert not ForecastRun.objects.exists()
    client.force_login(manager_user)
    response = client.post("/forecasts/retrain/", follow=True)
    assert response.status_code == 200
    run = ForecastRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED  # in-process on the embedded default
    assert f"#{run.pk}" in response.content.decode()
    page = client.get("/products/FC-0/").content.decode()
    forecast = SeriesForecast.objects.get(run=run, product__sku="FC-0")
    assert "data-chart=" in page and "80% band" in page
    # the model by its name in words, its meaning on hover (forecasting.glossary)
    assert f">{term_label(forecast.model)}</abbr>" in page


def test_runs_page_shows_why_series_fell_back_and_which_models_won(
    client, history, warehouse, manager_user
):
    """A new product (ten days of history) and one that never sold are counted
    as fallbacks with their reasons, stored on the run and shown on its row."""
    end = date.today() - timedelta(days=1)
    young = factories.product(sku="FC-NEW")
    idle = factories.product(sku="FC-IDLE")
    rows = [
        DemandDay(
            product=young,
            warehouse=warehouse,
            date=end - timedelta(days=9 - i),
            quantity=3,
            source=DemandSource.IMPORT,
        )
        for i in range(10)
    ]
    rows += [
        DemandDay(
            product=idle,
            warehouse=warehouse,
            date=end - timedelta(days=119 - i),
            quantity=0,
            source=DemandSource.IMPORT,
        )
        for i in range(120)
    ]
    DemandDay.objects.bulk_create(rows)
    call_command("forecast_retrain")
    run = ForecastRun.objects.get()
    assert run.n_fallbacks == 2
    assert run.summary["fallback_reasons"] == {"too_short": 1, "all_zero": 1}
    stored = {
        f.product.sku: (f.fallback_reason, f.model)
        for f in SeriesForecast.objects.filter(run=run, fallback=True)
    }
    assert stored["FC-NEW"][0] == "too_short"
    assert stored["FC-IDLE"] == ("all_zero", "zero")
    client.force_login(manager_user)
    page = client.get("/forecasts/runs/").content.decode()
    assert "too short: 1" in page and "never sold: 1" in page
    for model, n in run.summary["models"].items():
        assert f">{term_label(model)}</abbr>: {n}" in page
