"""The shop order API: reservations, idempotency, errors that change nothing."""

import json

import pytest

from stock.models import IdempotencyRecord, SalesOrder, StockLevel
from tests import factories
from tests.conftest import shop_client


@pytest.fixture
def stocked(product, warehouse):
    factories.stock(product, warehouse, 10)
    return product


def post_order(client, body, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/orders/", body, format="json", **headers)


def order_body(external_id="EXT-1", sku="MUG-001", quantity=2, **extra):
    return {"external_id": external_id, "lines": [{"sku": sku, "quantity": quantity}]}


def available(product):
    level = StockLevel.objects.get(product=product)
    return level.on_hand - level.reserved


def test_shop_creates_an_order_and_reads_it_back(shop_a, stocked):
    client = shop_client(shop_a[1])
    response = post_order(client, order_body())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "reserved"
    assert body["lines"] == [{"sku": "MUG-001", "quantity": 2, "unit_price": None}]
    assert available(stocked) == 8
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["external_id"] == "EXT-1"


def test_the_created_order_answer_is_what_reading_the_order_answers(
    shop_a, stocked, warehouse
):
    """The POST answer is built without the serializer (it is written while the
    stock row is locked); it must be exactly what GET /orders/{id}/ says."""
    from stock.services.orders import sales_order_ship

    other = factories.product()
    factories.stock(other, warehouse, 5)
    client = shop_client(shop_a[1])
    body = {
        "external_id": "EXT-PRICED",
        "warehouse": warehouse.code,
        "lines": [
            {"sku": "MUG-001", "quantity": 1, "unit_price": "12.5"},
            {"sku": other.sku, "quantity": 2},
        ],
    }
    created = post_order(client, body, key="k-priced")
    assert created.status_code == 201, created.json()
    read = client.get(f"/api/v1/orders/{created.json()['id']}/").json()
    assert created.json() == read
    assert read["lines"][0]["unit_price"] == "12.50"

    sales_order_ship(order=SalesOrder.objects.get(pk=read["id"]), actor=None)
    resent = post_order(client, body, key="k-priced-again")
    assert resent.status_code == 200
    assert resent.json() == client.get(f"/api/v1/orders/{read['id']}/").json()
    assert resent.json()["shipped_at"] is not None


def test_replay_with_same_key_returns_first_response_and_writes_nothing(
    shop_a, stocked
):
    client = shop_client(shop_a[1])
    first = post_order(client, order_body())
    replay = post_order(client, order_body())
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert SalesOrder.objects.count() == 1
    assert available(stocked) == 8


def test_same_key_with_a_different_body_is_422(shop_a, stocked):
    client = shop_client(shop_a[1])
    post_order(client, order_body())
    response = post_order(client, order_body(quantity=3))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert available(stocked) == 8


def test_keys_are_scoped_per_shop(shop_a, shop_b, stocked):
    post_order(shop_client(shop_a[1]), order_body(), key="same")
    response = post_order(shop_client(shop_b[1]), order_body(quantity=1), key="same")
    assert response.status_code == 201
    assert available(stocked) == 7


def test_expired_key_is_treated_as_new(shop_a, stocked):
    from datetime import timedelta

    from django.utils import timezone

    client = shop_client(shop_a[1])
    post_order(client, order_body())
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = post_order(client, order_body(external_id="EXT-2", quantity=1))
    assert response.status_code == 201
    assert available(stocked) == 7


def test_order_resent_under_new_key_is_recognised(shop_a, stocked):
    client = shop_client(shop_a[1])
    first = post_order(client, order_body(), key="k-1")
    again = post_order(client, order_body(), key="k-2")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert available(stocked) == 8


def test_missing_idempotency_key_is_400(shop_a, stocked):
    response = post_order(shop_client(shop_a[1]), order_body(), key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not SalesOrder.objects.exists()


def test_short_stock_is_409_naming_the_skus_and_reserves_nothing(
    shop_a, stocked, warehouse
):
    other = factories.product(sku="TEA-002")
    factories.stock(other, warehouse, 1)
    body = {
        "external_id": "EXT-9",
        "lines": [
            {"sku": "MUG-001", "quantity": 11},
            {"sku": "TEA-002", "quantity": 1},
        ],
    }
    response = post_order(shop_client(shop_a[1]), body)
    assert response.status_code == 409
    assert response.json()["short_skus"] == ["MUG-001"]
    assert available(stocked) == 10 and available(other) == 1
    assert not SalesOrder.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"sku": "MUG-001", "quantity": 1}]}, "external_id"),
        ({"external_id": "X", "lines": []}, "lines"),
        ({"external_id": "X", "lines": [{"sku": "NOPE", "quantity": 1}]}, "lines"),
        ({"external_id": "X", "lines": [{"sku": "MUG-001", "quantity": 0}]}, "lines"),
        ({"external_id": "X", "lines": [{"sku": "MUG-001", "quantity": -3}]}, "lines"),
        (
            {"external_id": "X", "lines": [{"sku": "MUG-001", "quantity": 10**12}]},
            "lines",
        ),
        (
            {"external_id": "X", "lines": [{"sku": "MUG-001", "quantity": "two"}]},
            "lines",
        ),
        ({"external_id": "X", "warehouse": "nowhere", "lines": []}, "lines"),
        (
            {
                "external_id": "X",
                "warehouse": "nowhere",
                "lines": [{"sku": "MUG-001", "quantity": 1}],
            },
            "warehouse",
        ),
        ({"external_id": "X", "lines": "not a list"}, "lines"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(
    shop_a, stocked, body, field
):
    response = post_order(shop_client(shop_a[1]), body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not SalesOrder.objects.exists()
    assert not IdempotencyRecord.objects.exists()
    assert available(stocked) == 10


def test_too_many_lines_is_400(shop_a, stocked, settings):
    body = {
        "external_id": "X",
        "lines": [{"sku": "MUG-001", "quantity": 1}] * 501,
    }
    response = post_order(shop_client(shop_a[1]), body)
    assert response.status_code == 400
    assert "lines" in response.json()["errors"]


def test_malformed_json_is_400(shop_a, stocked):
    response = shop_client(shop_a[1]).post(
        "/api/v1/orders/",
        data="{not json",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_oversized_body_is_413(shop_a, stocked, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"external_id": "X" * 2000, "lines": [{"sku": "MUG-001", "quantity": 1}]}
    response = shop_client(shop_a[1]).post(
        "/api/v1/orders/",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 413
    assert not SalesOrder.objects.exists()


def test_shop_cancels_its_order_and_gets_stock_back(shop_a, stocked):
    client = shop_client(shop_a[1])
    order_id = post_order(client, order_body()).json()["id"]
    response = client.post(
        f"/api/v1/orders/{order_id}/cancel/", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert available(stocked) == 10
    again = client.post(
        f"/api/v1/orders/{order_id}/cancel/", HTTP_IDEMPOTENCY_KEY="c-2"
    )
    assert again.status_code == 409
    assert available(stocked) == 10


def test_another_shops_order_is_404(shop_a, shop_b, stocked):
    order_id = post_order(shop_client(shop_a[1]), order_body()).json()["id"]
    other = shop_client(shop_b[1])
    assert other.get(f"/api/v1/orders/{order_id}/").status_code == 404
    assert (
        other.post(
            f"/api/v1/orders/{order_id}/cancel/", HTTP_IDEMPOTENCY_KEY="x"
        ).status_code
        == 404
    )
    assert other.get("/api/v1/orders/").json()["count"] == 0
    assert available(stocked) == 8


def test_revoked_or_expired_key_is_401(shop_a, stocked):
    from datetime import timedelta

    from django.utils import timezone

    from catalog.models import ShopApiKey

    client = shop_client(shop_a[1])
    assert client.get("/api/v1/stock-levels/").status_code == 200
    ShopApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/stock-levels/").status_code == 401
    ShopApiKey.objects.update(expires_at=None, revoked_at=timezone.now())
    assert client.get("/api/v1/stock-levels/").status_code == 401
    assert shop_client("sw_nope_nope").get("/api/v1/products/").status_code == 401
