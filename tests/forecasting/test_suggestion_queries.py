"""The suggestion build at catalogue scale: its queries do not grow with the
product x warehouse pairs it plans (issue 19: 100,000 pairs), and the queue
page and its export read them in a number of queries that does not grow with
the rows either."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forecasting.models import (
    ForecastOverride,
    ForecastRun,
    ReplenishmentSuggestion,
    RunStatus,
    SeriesForecast,
)
from forecasting.services.suggestions import suggestions_build
from stock.services.lots import LotInput
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests import factories

pytestmark = pytest.mark.django_db
LEVELS = (0.1, 0.5, 0.8, 0.9, 0.95, 0.99)


@pytest.fixture
def catalogue(warehouse, manager_user):
    """Adds ``n`` planned pairs with every kind of input the build reads: a
    forecast (some with an override), supplier terms (some with a second
    supplier), stock (some in a lot that expires), open purchase orders."""
    today = timezone.localdate()
    run = ForecastRun.objects.create(status=RunStatus.SUCCEEDED, horizon=28)
    main = factories.supplier(name="Main", lead_time_days=6)
    spare = factories.supplier(name="Spare", lead_time_days=9)
    second = factories.warehouse(code="second")
    made = {"n": 0}

    def add(n: int) -> None:
        for _ in range(n):
            k = made["n"] = made["n"] + 1
            product = factories.product(unit_cost=Decimal("3.00"))
            factories.supplier_product(main, product, min_order_quantity=6)
            if k % 5 == 0:
                factories.supplier_product(spare, product, is_preferred=False)
            where = second if k % 2 else warehouse
            values = {"mean": [4.0 + k % 7] * 28}
            for p in LEVELS:
                values[f"q{p:g}"] = [(4.0 + k % 7) * (0.5 + p)] * 28
            SeriesForecast.objects.create(
                run=run,
                product=product,
                warehouse=where,
                model="test",
                start_date=today - timedelta(days=k % 3),
                values=values,
            )
            if k % 4 == 0:  # stock in a lot that expires within the month
                po = purchase_order_create(
                    supplier=main,
                    warehouse=where,
                    lines=[PurchaseLineInput(product, 5)],
                )
                purchase_order_send(purchase_order=po)
                line = po.lines.get()
                purchase_order_receive(
                    purchase_order=po,
                    quantities={line.pk: 5},
                    actor=manager_user,
                    lots={line.pk: LotInput(f"L{k}", today + timedelta(days=3))},
                )
            else:
                factories.stock(product, where, k % 3)
            if k % 3 == 0:  # an open order on its way
                po = purchase_order_create(
                    supplier=main,
                    warehouse=where,
                    lines=[PurchaseLineInput(product, 12)],
                    expected_date=today + timedelta(days=4),
                )
                purchase_order_send(purchase_order=po)
            if k % 6 == 0:
                ForecastOverride.objects.create(
                    product=product,
                    warehouse=where,
                    kind="percent",
                    value=50,
                    starts_on=today,
                    ends_on=today + timedelta(days=10),
                    reason="promotion",
                    created_by=manager_user,
                )

    return add


def build_queries() -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        counts = suggestions_build(today=timezone.localdate())
    return len(queries), counts


def test_a_build_for_three_times_the_pairs_runs_the_same_queries(catalogue):
    catalogue(40)
    few, counts = build_queries()
    assert counts["items"] == 40 and counts["suggestions"] >= 35
    catalogue(80)
    many, counts = build_queries()
    assert counts["items"] == 120 and counts["suggestions"] >= 105
    assert counts["superseded"] >= 35
    assert many == few
    # SQLite took 33 rows a statement through bulk_create: 4 inserts at 120
    assert (
        ReplenishmentSuggestion.objects.filter(status="open").count()
        == (counts["suggestions"])
    )


def page_queries(client, **params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("suggestion-queue"), params)
    assert response.status_code == 200
    return len(queries), len(response.context["page"].object_list)


def test_the_queue_page_shows_three_times_the_rows_in_the_same_queries(
    catalogue, client, manager_user
):
    client.force_login(manager_user)
    catalogue(30)
    suggestions_build(today=timezone.localdate())
    few, shown_few = page_queries(client, per_page=100)
    catalogue(60)
    suggestions_build(today=timezone.localdate())
    many, shown_many = page_queries(client, per_page=100)
    assert shown_few >= 25 and shown_many >= 3 * 25
    assert many == few
