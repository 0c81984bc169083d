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
    body = client.get("/api/v1/stock-levels/?sku=mug-001&warehouse=EAST").json()
    assert len(body["results"]) == 1 and body["next"] is None
    assert body["results"][0] | {"updated_at": None} == {
        "sku": "MUG-001",
        "warehouse": "east",
        "on_hand": 2,
        "reserved": 0,
        "available": 2,
        "updated_at": None,
    }


def test_stock_level_feed_walks_every_active_level_once(shop_a, warehouse):
    """A shop syncing availability follows `next` to the end: every level of an
    active product exactly once, in the same order as the ORM's queryset, and a
    level that changes meanwhile is neither skipped nor repeated."""
    from stock.api.stock import StockLevelListApi

    other = factories.warehouse("west")
    products = [factories.product() for _ in range(7)]
    for n, p in enumerate(products):
        factories.stock(p, warehouse, n + 1)
        if n % 2:
            factories.stock(p, other, 1)
    products[3].is_active = False
    products[3].save()
    client = shop_client(shop_a[1])

    seen, url = [], "/api/v1/stock-levels/?page_size=3&cursor="
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 3
        seen += [(row["sku"], row["warehouse"]) for row in body["results"]]
        if len(seen) == 3:  # a level changes while the shop is mid-way
            factories.stock(products[0], warehouse, 5)
        url = body["next"]

    expected = [
        (sku, code)
        for sku, code in StockLevelListApi.queryset.values_list(
            "product__sku", "warehouse__code"
        )
    ]
    assert seen == expected
    assert products[3].sku not in {sku for sku, _ in seen}
    assert len(seen) == 7 + 3 - 2  # both levels of the inactive product are hidden


@pytest.mark.parametrize(
    "cursor", ["garbage", "MC4w", "%00", "0.5", "-1.2", "7", "1.2.3", "9" * 19 + ".1"]
)
def test_stock_level_feed_refuses_a_made_up_cursor(shop_a, cursor):
    response = shop_client(shop_a[1]).get(f"/api/v1/stock-levels/?cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


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
