"""The hot order write: its statements are pinned, and the stock row an order
reserves is the last thing it writes, so a hot SKU's lock is held from that
UPDATE to the COMMIT only (issue 19: hot-SKU writes)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from stock.models import IdempotencyRecord, ShopWarehousePriority
from tests import factories
from tests.api.test_orders_api import available, post_order
from tests.conftest import shop_client

# A new order naming its warehouse. In production (profiled, bench/order_profile.py)
# 11 statements: the ShopApiKey and shop, the product, the warehouse, the key's
# INSERT, SAVEPOINT, the order, its line, the webhook endpoints, the key's
# answer UPDATE, whether any endpoint listens, the stock UPDATE; here 2 more,
# the SAVEPOINT and RELEASE that the test's own transaction makes of BEGIN and
# COMMIT. The code before issue 19's write path was trimmed took 14 here: a
# RELEASE SAVEPOINT more, while the hot stock row was locked.
NAMED_WAREHOUSE_ORDER_QUERIES = 13


def _body(external_id, sku, quantity=1, warehouse="main"):
    return {
        "external_id": external_id,
        "warehouse": warehouse,
        "lines": [{"sku": sku, "quantity": quantity}],
    }


def test_an_order_naming_its_warehouse_costs_pinned_queries(
    shop_a, product, warehouse, django_assert_num_queries
):
    factories.stock(product, warehouse, 10)
    client = shop_client(shop_a[1])
    post_order(client, _body("WARM", product.sku), key="warm")  # auth caches
    with django_assert_num_queries(NAMED_WAREHOUSE_ORDER_QUERIES):
        response = post_order(client, _body("EXT-1", product.sku), key="k-1")
    assert response.status_code == 201


def test_the_stock_update_is_the_last_statement_before_the_commit(
    shop_a, product, warehouse
):
    factories.stock(product, warehouse, 10)
    client = shop_client(shop_a[1])
    post_order(client, _body("WARM", product.sku), key="warm")
    with CaptureQueriesContext(connection) as queries:
        response = post_order(client, _body("EXT-1", product.sku), key="k-1")
    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    # The request's transaction is a savepoint of the test's: its RELEASE is
    # where production COMMITs. Just before it, the stock row's UPDATE.
    first_savepoint = next(s for s in statements if s.startswith("SAVEPOINT"))
    assert statements[-1] == "RELEASE " + first_savepoint, statements
    stock_update = statements[-2]
    assert stock_update.startswith("UPDATE") and "stock_stocklevel" in stock_update
    # The answer stored for a replay is the one the shop got.
    record = IdempotencyRecord.objects.get(key="k-1")
    assert (record.status_code, record.response_body) == (201, response.json())
    assert available(product) == 8


def test_an_answer_stored_before_a_short_warehouse_is_replaced_by_the_next(
    shop_a, product, warehouse, other_warehouse
):
    """The first warehouse tried (the shop's ranked one) is short: the answer
    written before its refusal is rolled back with it, and the replay gives
    the order the next warehouse took."""
    ShopWarehousePriority.objects.create(
        shop=shop_a[0], warehouse=warehouse, priority=1
    )
    factories.stock(product, warehouse, 1)
    factories.stock(product, other_warehouse, 5)
    client = shop_client(shop_a[1])
    body = {"external_id": "EXT-2", "lines": [{"sku": product.sku, "quantity": 3}]}
    first = post_order(client, body, key="k-2")
    assert first.status_code == 201, first.json()
    assert first.json()["warehouse"] == other_warehouse.code
    replay = post_order(client, body, key="k-2")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert IdempotencyRecord.objects.get(key="k-2").response_body == first.json()


def test_a_short_order_naming_its_warehouse_stores_nothing_under_its_key(
    shop_a, product, warehouse
):
    factories.stock(product, warehouse, 1)
    client = shop_client(shop_a[1])
    response = post_order(client, _body("EXT-3", product.sku, quantity=2), key="k-3")
    assert response.status_code == 409
    assert response.json()["errors"].keys() == {"lines"}
    assert not IdempotencyRecord.objects.filter(key="k-3").exists()
    # The corrected request may use the same key.
    again = post_order(client, _body("EXT-3", product.sku, quantity=1), key="k-3")
    assert again.status_code == 201


def test_a_409_names_a_product_never_stocked_there_with_nothing_available(
    shop_a, product, warehouse, other_warehouse
):
    """One short pair has a level row, the other none: both are named."""
    other = factories.product(sku="TEA-002")
    factories.stock(product, warehouse, 1)
    body = {
        "external_id": "EXT-4",
        "warehouse": warehouse.code,
        "lines": [
            {"sku": product.sku, "quantity": 2},
            {"sku": other.sku, "quantity": 1},
        ],
    }
    response = post_order(shop_client(shop_a[1]), body, key="k-4")
    assert response.status_code == 409
    shortages = {s["sku"]: s for s in response.json()["shortages"]}
    assert shortages[product.sku]["available"] == 1
    assert shortages[other.sku]["available"] == 0
    assert {s["warehouse"] for s in shortages.values()} == {warehouse.code}
