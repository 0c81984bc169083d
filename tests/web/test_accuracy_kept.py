"""Forecast accuracy kept per run: a refresh reads back the scores of a run
whose week of demand did not change, scores it again when a day of that week
was written, corrected, moved or marked out of stock, and shows categories and
SKUs as they are now. A series is one series across runs."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forecasting.models import DemandDay, SeriesForecast
from forecasting.selectors import forecast_accuracy_get
from tests import factories
from tests.web.test_dashboard import _clear_cache, _run_with_forecast  # noqa: F401

TODAY = date(2026, 3, 1)
START = TODAY - timedelta(days=9)


@pytest.fixture
def scored(warehouse):
    """A run forecasting 10 a day, the week after it: 8, 12, 10, 10, 10, 10, 40."""
    mug = factories.product(sku="MUG-1")
    run = _run_with_forecast(
        mug,
        warehouse,
        history_end=START - timedelta(days=1),
        mean=[10.0] * 7,
        low=[5.0] * 7,
        high=[15.0] * 7,
        wape=0.2,
    )
    for i, quantity in enumerate([8, 12, 10, 10, 10, 10, 40]):
        DemandDay.objects.create(
            product=mug,
            warehouse=warehouse,
            date=START + timedelta(days=i),
            quantity=quantity,
        )
    return run, mug


def _overall() -> dict:
    return forecast_accuracy_get(period_days=30, today=TODAY)["overall"]


def _reads_forecasts() -> bool:
    with CaptureQueriesContext(connection) as queries:
        forecast_accuracy_get(period_days=30, today=TODAY)
    table = SeriesForecast._meta.db_table
    return any(table in q["sql"] for q in queries.captured_queries)


def test_an_unchanged_week_is_read_back_and_a_corrected_day_scored_again(scored):
    run, mug = scored
    assert _overall()["wape"] == pytest.approx(34 / 100)
    assert not _reads_forecasts()  # read back: the run's forecasts not read

    day = DemandDay.objects.get(product=mug, date=START + timedelta(days=6))
    day.quantity = 10  # the spike was a data-entry error
    day.save()
    assert _overall()["wape"] == pytest.approx(4 / 70)

    day.censored = True  # then marked out of stock: not scored
    day.save()
    assert _overall()["actual"] == 60


def test_units_moved_to_another_day_of_the_week_are_scored_again(scored):
    run, mug = scored
    first = forecast_accuracy_get(period_days=30, today=TODAY)
    assert first["anomalies"][0]["date"] == START + timedelta(days=6)
    # the same total, the spike on the first day instead of the last
    DemandDay.objects.filter(product=mug, date=START).update(quantity=40)
    DemandDay.objects.filter(product=mug, date=START + timedelta(days=6)).update(
        quantity=8
    )
    again = forecast_accuracy_get(period_days=30, today=TODAY)
    assert again["overall"]["actual"] == first["overall"]["actual"]
    assert again["anomalies"][0]["date"] == START


def test_a_new_category_and_sku_show_without_scoring_again(scored):
    run, mug = scored
    _overall()
    mugs = factories.category(name="Mugs")
    mug.category, mug.sku = mugs, "MUG-BLUE"
    mug.save()
    result = forecast_accuracy_get(period_days=30, today=TODAY)
    assert [row["name"] for row in result["by_category"]] == ["Mugs"]
    assert result["anomalies"][0]["sku"] == "MUG-BLUE"


def test_a_series_in_two_runs_with_other_warehouses_is_counted_once(
    warehouse, other_warehouse
):
    """Each run coded its series with its own largest warehouse id, so the
    same series had two codes when the runs' warehouses differed."""
    far = factories.warehouse(code="far")
    mug = factories.product(sku="MUG-1")
    for back, warehouses in ((12, [warehouse, far]), (9, [warehouse])):
        run = _run_with_forecast(
            mug,
            warehouse,
            history_end=TODAY - timedelta(days=back),
            mean=[10.0] * 7,
            low=[5.0] * 7,
            high=[15.0] * 7,
            wape=0.2,
        )
        for other in warehouses[1:]:
            SeriesForecast.objects.create(
                run=run,
                product=mug,
                warehouse=other,
                model="naive",
                start_date=run.history_end + timedelta(days=1),
                values={"mean": [1.0] * 7},
            )
    for w in (warehouse, far):
        DemandDay.objects.bulk_create(
            DemandDay(
                product=mug, warehouse=w, date=TODAY - timedelta(days=d), quantity=9
            )
            for d in range(1, 13)
        )
    result = forecast_accuracy_get(period_days=30, today=TODAY)
    assert len(result["runs"]) == 2
    assert result["overall"]["series"] == 2  # mug at main, mug at far
