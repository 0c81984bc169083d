"""The dashboard's trend lines: week by week inventory value, turnover and
stock-out rate on a small hand-made ledger, and the page that draws them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from forecasting.models import DemandDay
from forecasting.selectors.trends import stock_trends_get
from stock.models import MovementKind
from tests import factories
from tests.web.test_dashboard import TODAY, move


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_weekly_value_turnover_and_stockout_rate(warehouse):
    mug = factories.product(unit_cost=Decimal("4.00"))
    move(mug, warehouse, 100, MovementKind.RECEIPT, 20)  # week 10 of 12
    move(mug, warehouse, -10, MovementKind.SHIPMENT, 8)  # week 11
    move(mug, warehouse, -20, MovementKind.SHIPMENT, 5)  # week 12
    move(mug, warehouse, 30, MovementKind.RECEIPT, 0)  # today: after the weeks
    for back in range(1, 8):  # the last week: 2 of 7 days out of stock
        DemandDay.objects.create(
            product=mug,
            warehouse=warehouse,
            date=TODAY - timedelta(days=back),
            quantity=1,
            censored=back <= 2,
        )

    trends = stock_trends_get(period_days=30, today=TODAY)

    assert len(trends["weeks"]) == 12
    assert trends["weeks"][-1] == TODAY - timedelta(days=1)
    # closing units: 0 before the receipt, then 100, 90, 70 (x 4.00)
    assert trends["inventory_value"][-4:] == [0.0, 400.0, 360.0, 280.0]
    assert trends["cogs"][-2:] == [40.0, 80.0]
    # the last week shipped 80 at cost over a mean value of (360 + 280) / 2
    assert trends["turnover"][-1] == pytest.approx(80 / 320 * 52, abs=0.01)
    assert trends["turnover"][0] is None  # no stock at all then
    assert trends["stockout_rate"][-1] == pytest.approx(2 / 7)
    assert trends["stockout_rate"][0] is None


def test_dashboard_draws_the_four_trends_with_currency_and_meanings(
    client, warehouse, settings
):
    settings.STOCKWISE_CURRENCY = "EUR"
    mug = factories.product(unit_cost=Decimal("4.00"))
    factories.stock(mug, warehouse, 10)
    client.force_login(factories.user("manager"))
    page = client.get("/dashboard/").content.decode()
    for chart in ("trend-value", "trend-turnover", "trend-stockout"):
        assert f'data-chart="{chart}"' in page
        assert f'id="{chart}"' in page  # its data, for charts.js
    assert "EUR\xa040" in page  # the inventory value, with its currency
    # A fill rate with no order lines is explained, never a bare dash.
    assert 'id="fill-rate-none"' in page and "Not measured" in page
    assert "as of" in page and ".." not in page.split('id="as-of"')[1][:200]
    assert "Units the forecast missed by" in page  # WAPE in plain words
