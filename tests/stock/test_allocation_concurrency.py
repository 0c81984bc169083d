"""Real threads on PostgreSQL: split orders never reserve more than is there."""

from collections import defaultdict

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from stock.models import SalesOrder, SalesOrderAllocation, StockLevel
from stock.selectors import stock_reconcile
from tests import factories
from tests.stock.test_concurrency import run_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_split_orders_reserve_exactly_what_they_promise(shop_a):
    warehouses = [factories.warehouse(code=f"c{n}") for n in range(3)]
    mug, tea = factories.product(sku="MUG-C"), factories.product(sku="TEA-C")
    for warehouse in warehouses:
        factories.stock(mug, warehouse, 10)
        factories.stock(tea, warehouse, 5)
    key = shop_a[1]

    def order(n):
        def call():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
            response = client.post(
                "/api/v1/orders/",
                {
                    "external_id": f"P-{n}",
                    "lines": [
                        {"sku": "MUG-C", "quantity": 7},
                        {"sku": "TEA-C", "quantity": 3},
                    ],
                },
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"pk-{n}",
            )
            return response.status_code, response.json()

        return call

    answers = run_threads([order(n) for n in range(24)])
    created = [body for status, body in answers if status == 201]
    assert {status for status, _ in answers} <= {201, 409}
    # 30 mugs and 15 teas in all: at most 4 orders of 7 mugs fit.
    assert 1 <= len(created) <= 4
    assert SalesOrder.objects.count() == len(created)
    assert any(len(body["shipments"]) > 1 for body in created)
    promised: dict[tuple[str, str], int] = defaultdict(int)
    for body in created:
        # Each order reserves exactly its lines, over however many warehouses.
        per_sku: dict[str, int] = defaultdict(int)
        for shipment in body["shipments"]:
            for line in shipment["lines"]:
                per_sku[line["sku"]] += line["quantity"]
                promised[(line["sku"], shipment["warehouse"])] += line["quantity"]
        assert dict(per_sku) == {"MUG-C": 7, "TEA-C": 3}
    for level in StockLevel.objects.select_related("product", "warehouse"):
        # What the levels hold is exactly what the answers promised.
        assert level.reserved == promised[(level.product.sku, level.warehouse.code)]
        assert 0 <= level.reserved <= level.on_hand
    assert StockLevel.objects.filter(product=mug).aggregate(r=Sum("reserved"))[
        "r"
    ] == 7 * len(created)
    split = SalesOrder.objects.filter(is_split=True)
    assert SalesOrderAllocation.objects.filter(order__in=split).exists()
    assert stock_reconcile() == []
