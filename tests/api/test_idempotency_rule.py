"""One Idempotency-Key rule for every refusal: a request refused for its input
(the serializer's or the service's own checks) or for the state it met stores
nothing under the key, so the corrected request may use the same key."""

import pytest

from returns.models import ReturnRequest
from stock.models import IdempotencyRecord, SalesOrder
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories
from tests.conftest import shop_client


@pytest.fixture
def shipped(shop_a, product, warehouse, staff_user):
    factories.stock(product, warehouse, 10)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="ORD-1", lines=[OrderLineInput(product, 3)]
    )
    sales_order_ship(order=order, actor=staff_user)
    return order


def post(client, path, body, key="same-key"):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


RETURN = {"order_reference": "ORD-1", "lines": [{"sku": "MUG-001", "quantity": 1}]}


@pytest.mark.parametrize(
    ("path", "wrong", "right", "field"),
    [
        # The serializer refuses it.
        ("/api/v1/returns/", {**RETURN, "lines": []}, RETURN, "lines"),
        # The service refuses it: no such order for this shop.
        (
            "/api/v1/returns/",
            {**RETURN, "order_reference": "ORD-404"},
            RETURN,
            "order_reference",
        ),
        # The service refuses it: more than was shipped.
        (
            "/api/v1/returns/",
            {**RETURN, "lines": [{"sku": "MUG-001", "quantity": 4}]},
            RETURN,
            "lines",
        ),
        (
            "/api/v1/orders/",
            {"external_id": "N-1", "lines": [{"sku": "NOPE", "quantity": 1}]},
            {"external_id": "N-1", "lines": [{"sku": "MUG-001", "quantity": 1}]},
            "lines",
        ),
    ],
)
def test_a_refused_request_stores_nothing_and_the_corrected_one_succeeds(
    shop_a, shipped, path, wrong, right, field
):
    client = shop_client(shop_a[1])
    refused = post(client, path, wrong)
    assert refused.status_code in (400, 409), refused.content
    assert field in refused.json()["errors"]
    assert not IdempotencyRecord.objects.exists()

    corrected = post(client, path, right)
    assert corrected.status_code == 201, corrected.content
    replay = post(client, path, right)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == corrected.json()


def test_an_order_refused_for_short_stock_goes_through_once_stock_arrives(
    shop_a, product, warehouse
):
    client = shop_client(shop_a[1])
    body = {"external_id": "BIG-1", "lines": [{"sku": "MUG-001", "quantity": 5}]}
    short = post(client, "/api/v1/orders/", body)
    assert short.status_code == 409
    assert short.json()["errors"] == {"lines": [short.json()["detail"]]}
    assert short.json()["short_skus"] == ["MUG-001"]
    factories.stock(product, warehouse, 5)
    again = post(client, "/api/v1/orders/", body)
    assert again.status_code == 201, again.content
    assert SalesOrder.objects.get().status == "reserved"
    assert not ReturnRequest.objects.exists()


def test_the_same_key_with_another_body_is_still_422(shop_a, shipped):
    client = shop_client(shop_a[1])
    assert post(client, "/api/v1/returns/", RETURN).status_code == 201
    other = {**RETURN, "reason_text": "changed my mind"}
    response = post(client, "/api/v1/returns/", other)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert ReturnRequest.objects.count() == 1
