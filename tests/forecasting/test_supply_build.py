"""The suggestion build under real constraints: one plan per warehouse, learned
lead times and single-period products, on forecasts written by hand."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from scipy import stats
from scipy.special import ndtri

from forecasting.models import (
    ForecastRun,
    ReplenishmentSuggestion,
    RunStatus,
    SeriesForecast,
    WarehousePlanning,
)
from forecasting.services.suggestions import suggestions_build
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests import factories

pytestmark = pytest.mark.django_db
LEVELS = (0.1, 0.5, 0.8, 0.9, 0.95, 0.99)
DAILY, SD = 10.0, 3.0


def _forecast(run, product, warehouse, start):
    values = {"mean": [DAILY] * 28}
    for p in LEVELS:
        values[f"q{p:g}"] = [DAILY + SD * float(ndtri(p))] * 28
    SeriesForecast.objects.create(
        run=run,
        product=product,
        warehouse=warehouse,
        model="test",
        start_date=start,
        values=values,
    )


@pytest.fixture
def setup(db):
    """Three products selling 10 a day, none on hand, one supplier (stated lead
    time 5 days, cost 4), a warehouse that holds 100 units."""
    today = timezone.localdate()
    run = ForecastRun.objects.create(status=RunStatus.SUCCEEDED, horizon=28)
    warehouse = factories.warehouse(capacity_units=100)
    supplier = factories.supplier(name="Acme", lead_time_days=5)
    products = [factories.product(unit_cost=Decimal("4.00")) for _ in range(3)]
    for product in products:
        factories.supplier_product(supplier, product, unit_cost=Decimal("4.00"))
        _forecast(run, product, warehouse, today)
    return today, warehouse, supplier, products


def _open():
    return list(ReplenishmentSuggestion.objects.filter(status="open").order_by("pk"))


def test_the_warehouse_capacity_is_shared_and_each_cut_is_explained(setup):
    # Each product wants ~80 (6 days of 10 a day + safety): 240 into 100 free.
    # The old build cut each to the 100 alone and ordered all 240.
    today, *_ = setup
    counts = suggestions_build(today=today)
    suggestions = _open()
    assert counts["suggestions"] + counts["cut_to_zero"] == 3
    assert sum(s.quantity for s in suggestions) <= 100
    assert sum(s.quantity for s in suggestions) >= 99
    for s in suggestions:
        note = s.plan_notes["constraint"]
        assert note["bounds"] == ["capacity"]
        assert note["solver"] == "milp"
        assert note["cut"] == note["wanted"] - s.quantity > 0
        assert s.capacity_capped


def test_the_open_to_buy_budget_left_binds(setup, manager_user):
    today, warehouse, supplier, products = setup
    warehouse.capacity_units = None
    warehouse.save()
    WarehousePlanning.objects.create(
        warehouse=warehouse, budget_per_period=Decimal("500"), period_days=30
    )
    # 50 x 4 = 200 already committed this period: 300 left, 75 units at cost 4.
    purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[PurchaseLineInput(products[0], 50)],
    )
    suggestions_build(today=today)
    suggestions = _open()
    spent = sum(s.quantity * 4 for s in suggestions)
    assert 296 <= spent <= 300
    assert all(s.plan_notes["constraint"]["bounds"] == ["budget"] for s in suggestions)
    assert not any(s.capacity_capped for s in suggestions)


def test_a_single_period_product_gets_the_newsvendor_quantity(setup):
    today, warehouse, _, products = setup
    warehouse.capacity_units = None
    warehouse.save()
    seasonal = products[0]
    seasonal.is_single_period = True
    seasonal.price, seasonal.unit_cost = Decimal("10.00"), Decimal("4.00")
    seasonal.salvage_value, seasonal.season_days = Decimal("1.00"), 30
    seasonal.save()
    suggestions_build(today=today)
    s = ReplenishmentSuggestion.objects.get(status="open", product=seasonal)
    ratio = (10 - 4) / (10 - 1)
    m, v = DAILY * 30, SD * SD * 30
    assert s.plan_notes["critical_ratio"] == round(ratio, 2)
    # Stored as shown: the explanation rounds each figure once, to 0.1.
    assert s.order_up_to == pytest.approx(
        stats.gamma.ppf(ratio, m * m / v, scale=v / m), abs=0.05
    )
    assert s.quantity == int(np.ceil(s.order_up_to))


def test_lead_time_is_learned_from_receipts(setup, staff_user):
    # Stated 5 days; one order took 9: the plan moves 1/(1+3) of the way, to 6.
    today, warehouse, supplier, products = setup
    po = purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[PurchaseLineInput(products[0], 1)],
    )
    purchase_order_send(purchase_order=po)
    po.sent_at = timezone.now() - timedelta(days=9)
    po.save(update_fields=["sent_at"])
    purchase_order_receive(
        purchase_order=po, quantities={po.lines.get().pk: 1}, actor=staff_user
    )
    suggestions_build(today=today)
    s = _open()[0]
    assert s.lead_time_days == pytest.approx(6.0, abs=0.01)
    assert s.plan_notes["lead_time"] == {
        "stated": 5.0,
        "learned": 6.0,
        "sd": 0.0,
        "receipts": 1,
    }


def test_the_queue_shows_the_cut_and_the_newsvendor_in_both_languages(setup, client):
    today, warehouse, _, products = setup
    seasonal = products[1]
    seasonal.is_single_period, seasonal.salvage_value = True, Decimal("1.00")
    seasonal.save()
    suggestions_build(today=today)
    client.force_login(factories.user("manager"))
    body = client.get(reverse("suggestion-queue")).content.decode()
    assert "storage capacity (units) is full" in body
    assert "Newsvendor, critical ratio 0.67" in body
    body = client.get(
        reverse("suggestion-queue"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "报童" in body


def test_single_period_is_set_on_the_product_form_and_shown_on_the_product(client):
    product = factories.product(unit_cost=Decimal("4.00"), price=Decimal("10.00"))
    client.force_login(factories.user("admin"))
    url = reverse("admin:catalog_product_change", args=[product.pk])
    form = client.get(url).content.decode()
    assert 'name="salvage_value"' in form and 'name="is_single_period"' in form
    data = {
        "sku": product.sku,
        "name": product.name,
        "category": product.category_id,
        "unit_of_measure": product.unit_of_measure,
        "unit_cost": "4.00",
        "price": "10.00",
        "pack_size": 1,
        "is_active": "on",
        "is_single_period": "on",
        "salvage_value": "5.00",  # above cost: refused, nothing saved
        "season_days": 30,
        "supplier_products-TOTAL_FORMS": 0,
        "supplier_products-INITIAL_FORMS": 0,
        "barcodes-TOTAL_FORMS": 0,
        "barcodes-INITIAL_FORMS": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "salvage value &lt; cost &lt; price" in response.content.decode()
    product.refresh_from_db()
    assert not product.is_single_period
    data["salvage_value"] = "1.00"
    assert client.post(url, data).status_code == 302
    product.refresh_from_db()
    assert product.is_single_period and product.season_days == 30
    page = client.get(product.get_absolute_url()).content.decode()
    assert "critical ratio 0.67" in page


def test_the_api_gives_the_plan_notes(setup, client):
    today, *_ = setup
    suggestions_build(today=today)
    client.force_login(factories.user("manager"))
    rows = client.get("/api/v1/suggestions/").json()["results"]
    assert rows and all(
        r["plan_notes"]["constraint"]["bounds"] == ["capacity"] for r in rows
    )
