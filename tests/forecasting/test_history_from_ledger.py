"""A retrain chunk derives its history from the ledger's roll-up: the same
frame, and so the same forecasts, as DemandDay after a full sync."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from django.core.management import call_command

from forecasting.engine import forecast_panel
from forecasting.models import DemandDay, DemandSource, ForecastRun, RunStatus
from forecasting.planning.training import calendar_inputs
from forecasting.services import history as history_service
from forecasting.services.history import (
    demand_frame,
    demand_history_sync,
    history_pairs,
    ledger_demand_frame,
)
from forecasting.services.runs import forecast_run_plan, forecast_run_start
from stock.models import LostSale, MovementKind, ReferenceType
from stock.services.ledger import LedgerLine, ledger_post
from tests import factories

D0 = date(2026, 1, 1)
UNTIL = D0 + timedelta(days=40)


def at(day, hour=12):
    return datetime.combine(D0 + timedelta(days=day), datetime.min.time()).replace(
        hour=hour, tzinfo=UTC
    )


def post(product, warehouse, day, quantity, kind=None):
    kind = kind or (MovementKind.RECEIPT if quantity > 0 else MovementKind.SHIPMENT)
    ledger_post(
        lines=[LedgerLine(product.pk, warehouse.pk, quantity=quantity, kind=kind)],
        reference_type=ReferenceType.MANUAL,
        occurred_at=at(day),
    )


def imported(product, warehouse, day, quantity, price=None, promo=False):
    DemandDay.objects.create(
        product=product,
        warehouse=warehouse,
        date=D0 + timedelta(days=day),
        quantity=quantity,
        price=price,
        promo=promo,
        source=DemandSource.IMPORT,
    )


def refused(product, warehouse, day, quantity, short=True):
    LostSale.objects.create(
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        short=short,
        created_at=at(day, hour=16),
    )


@pytest.fixture
def mixed(warehouse, other_warehouse):
    """Stock-outs, refused sales, imported days before and inside the ledger's
    days, an import-only pair, and neighbours the chunk must not read."""
    for _ in range(8):  # ids past 9: "10:1" sorts before "9:1" as text
        factories.product()
    a, b, c, d, e = (factories.product() for _ in range(5))
    # a: sells out on day 6, out until day 12, refused sales in and out of stock
    post(a, warehouse, 2, 10)
    for day, qty in [(3, -2), (4, -3), (6, -5), (12, 6), (13, -1), (20, -4)]:
        post(a, warehouse, day, qty)
    refused(a, warehouse, 8, 3)
    refused(a, warehouse, 13, 2)
    refused(a, warehouse, 13, 1)
    refused(a, warehouse, 15, 4, short=False)  # not short: not a stock-out
    post(a, other_warehouse, 5, 3)
    post(a, other_warehouse, 9, -3)  # sells out
    # b: imported before its first movement and on some of its ledger days
    imported(b, warehouse, 0, 4, price=Decimal("9.50"), promo=True)
    imported(b, warehouse, 1, 2, price=Decimal("9.90"))
    imported(b, warehouse, 11, 7, price=Decimal("8.00"), promo=True)
    imported(b, warehouse, 15, 1)
    post(b, warehouse, 10, 20)
    post(b, warehouse, 11, -3)
    post(b, warehouse, 30, -2)
    refused(b, other_warehouse, 31, 5)  # a pair outside the chunk
    # c: imported days only
    imported(c, warehouse, 3, 1, price=Decimal("1.25"))
    imported(c, warehouse, 5, 0)
    # d: moves, but is not in the chunk (between its pairs); e: after it
    post(d, warehouse, 1, 5)
    post(d, warehouse, 2, -5)
    post(e, warehouse, 1, 2)
    return [
        (a.pk, warehouse.pk),
        (a.pk, other_warehouse.pk),
        (b.pk, warehouse.pk),
        (c.pk, warehouse.pk),
    ]


def sorted_by_text(frame):
    """The frame as it was built before: a series_id per row, then sorted."""
    frame = frame.drop(columns="series_id")
    frame["series_id"] = (
        frame["product_id"].astype(str) + ":" + frame["warehouse_id"].astype(str)
    )
    return frame.sort_values(["series_id", "date"]).reset_index(drop=True)


def test_a_chunks_history_from_the_ledger_equals_demand_day_after_a_full_sync(
    mixed, monkeypatch
):
    before_any_sync = ledger_demand_frame(mixed, UNTIL)
    demand_history_sync(until=UNTIL, full=True)
    old = demand_frame(mixed)
    assert old["censored"].any() and old["price"].notna().any()
    assert set(old["series_id"]) == {f"{p}:{w}" for p, w in mixed}
    pd.testing.assert_frame_equal(old, sorted_by_text(old))
    new = ledger_demand_frame(mixed, UNTIL)
    pd.testing.assert_frame_equal(new, old)
    pd.testing.assert_frame_equal(before_any_sync, old)
    # scattered pairs (a changed-only run) read by product ids: the same
    monkeypatch.setattr(history_service, "SPARSE", 0)
    pd.testing.assert_frame_equal(ledger_demand_frame(mixed, UNTIL), old)
    for one in mixed:
        pd.testing.assert_frame_equal(
            ledger_demand_frame([one], UNTIL), demand_frame([one])
        )


def test_the_forecasts_from_either_history_are_the_same(mixed):
    demand_history_sync(until=UNTIL, full=True)

    def forecasts(frame):
        frame, future = calendar_inputs(frame, 7)
        result = forecast_panel(
            frame[["series_id", "date", "quantity", "price", "promo", "censored"]],
            horizon=7,
            season_length=7,
            levels=(0.1, 0.5, 0.9),
            future=future,
        )
        return result.forecasts.sort_values(["series_id", "step"]).reset_index(
            drop=True
        )

    pd.testing.assert_frame_equal(
        forecasts(ledger_demand_frame(mixed, UNTIL)), forecasts(demand_frame(mixed))
    )


def test_the_retrain_plans_from_the_ledger_without_the_sync(mixed, warehouse):
    demand_history_sync(until=UNTIL, full=True)
    synced = set(
        DemandDay.objects.filter(product__is_active=True)
        .values_list("product_id", "warehouse_id")
        .distinct()
    )
    pairs, last = history_pairs(UNTIL)
    assert set(pairs) == synced and pairs == sorted(pairs)
    assert last == DemandDay.objects.order_by("-date").values_list("date", flat=True)[0]
    # planning a run writes no DemandDay: the chunks read the roll-up
    DemandDay.objects.filter(source=DemandSource.LEDGER).delete()
    run, _ = forecast_run_start(trigger="test")
    assert forecast_run_plan(run=run) is not None
    assert not DemandDay.objects.filter(source=DemandSource.LEDGER).exists()
    run.refresh_from_db()
    assert run.n_series == len(synced)


def test_a_closed_run_syncs_demand_day_for_its_readers(mixed):
    call_command("forecast_retrain")
    run = ForecastRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED and run.n_series == len(mixed) + 2
    assert run.summary["history_sync"]["rows"] > 0
    yesterday = date.today() - timedelta(days=1)
    assert DemandDay.objects.filter(source=DemandSource.LEDGER, date=yesterday).exists()
