"""Reads for shops and staff clients: filters, pagination caps, bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.conftest import shop_client, user_client


def test_stock_levels_filter_by_sku_and_warehouse(
    shop_a, product, warehouse, other_warehouse
):
    factories.stock(product, warehouse, 5)
    factories.stock(product, other_warehouse, 2)
    client = shop_client(shop_a[1])
    body = client.get("/api/v1/stock-levels/?sku=MUG-001&warehouse=east").json()
    assert body["count"] == 1
    assert body["results"][0] | {"updated_at": None} == {
        "sku": "MUG-001",
        "warehouse": "east",
        "on_hand": 2,
        "reserved": 0,
        "available": 2,
        "updated_at": None,
    }


def test_products_filter_by_sku_category_active(staff_user):
    cups = factories.category("Cups")
    factories.product(sku="CUP-1", category=cups)
    factories.product(sku="CUP-2", category=cups, is_active=False)
    factories.product(sku="PLATE-1")
    client = user_client(staff_user)
    assert [
        p["sku"] for p in client.get("/api/v1/products/?sku=cup-1").json()["results"]
    ] == ["CUP-1"]
    by_category = client.get(f"/api/v1/products/?category={cups.pk}").json()
    assert by_category["count"] == 2
    active = client.get(f"/api/v1/products/?category={cups.pk}&active=true").json()
    assert [p["sku"] for p in active["results"]] == ["CUP-1"]


@pytest.mark.parametrize("size", ["0", "501", "-1", "many"])
def test_oversized_or_bad_page_size_is_400(staff_user, size):
    response = user_client(staff_user).get(f"/api/v1/products/?page_size={size}")
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


def test_page_past_the_end_is_404(staff_user):
    assert user_client(staff_user).get("/api/v1/products/?page=99").status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/stock-levels/?page_size=500",
        "/api/v1/products/?page_size=500",
        "/api/v1/movements/?page_size=500",
        "/api/v1/orders/?page_size=500",
        "/api/v1/purchase-orders/?page_size=500",
    ],
)
def test_list_queries_do_not_grow_with_rows(manager_user, warehouse, url):
    from stock.services.orders import OrderLineInput, sales_order_create
    from stock.services.purchasing import PurchaseLineInput, purchase_order_create

    client = user_client(manager_user)
    shop = factories.shop()[0]
    supplier = factories.supplier()

    def add(n):
        for _ in range(n):
            p = factories.product()
            factories.stock(p, warehouse, 3)
            sales_order_create(
                shop=shop,
                external_id=p.sku,
                lines=[OrderLineInput(p, 1)],
            )
            purchase_order_create(
                supplier=supplier,
                warehouse=warehouse,
                lines=[PurchaseLineInput(p, 5)],
            )

    add(2)
    few = _queries(client, url)
    add(15)
    assert _queries(client, url) == few
