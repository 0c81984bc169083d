"""A return names an order by the shop's reference: never another shop's order."""

import pytest

from returns.models import ReturnRequest
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories
from tests.conftest import shop_client, user_client

REFERENCE = "MP-100231"


@pytest.fixture
def same_reference_in_two_shops(shop_a, shop_b, product, warehouse, staff_user):
    """Shop A's and then shop B's order MP-100231, both shipped."""
    factories.stock(product, warehouse, 10)
    orders = {}
    for shop, _ in (shop_a, shop_b):
        order, _ = sales_order_create(
            shop=shop, external_id=REFERENCE, lines=[OrderLineInput(product, 2)]
        )
        sales_order_ship(order=order, actor=staff_user)
        orders[shop.code] = order
    return orders


def post_return(client, key="r-1", **body):
    payload = {
        "order_reference": REFERENCE,
        "reason_text": "too small",
        "lines": [{"sku": "MUG-001", "quantity": 1}],
        **body,
    }
    return client.post(
        "/api/v1/returns/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_staff_naming_a_reference_two_shops_use_get_409_naming_the_shops(
    same_reference_in_two_shops, staff_user
):
    response = post_return(user_client(staff_user))
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "ambiguous_order_reference"
    assert body["shops"] == ["shop-a", "shop-b"]
    assert "shop-a, shop-b" in body["detail"]
    assert not ReturnRequest.objects.exists()


def test_staff_giving_the_shop_return_that_shops_order(
    same_reference_in_two_shops, staff_user
):
    # Shop B's order is the newer one: the old code took it.
    response = post_return(user_client(staff_user), shop="shop-a")
    assert response.status_code == 201, response.json()
    opened = ReturnRequest.objects.get()
    assert opened.sales_order == same_reference_in_two_shops["shop-a"]
    assert opened.shop.code == "shop-a"


def test_a_shop_returns_against_its_own_order_only(
    same_reference_in_two_shops, shop_a, shop_b
):
    response = post_return(shop_client(shop_a[1]))
    assert response.status_code == 201, response.json()
    assert (
        ReturnRequest.objects.get().sales_order == same_reference_in_two_shops["shop-a"]
    )
    other = post_return(shop_client(shop_a[1]), key="r-2", shop="shop-b")
    assert other.status_code == 400
    assert "shop" in other.json()["errors"]
    assert ReturnRequest.objects.count() == 1


def test_an_unknown_shop_is_a_400_naming_the_field(
    same_reference_in_two_shops, staff_user
):
    response = post_return(user_client(staff_user), shop="nope")
    assert response.status_code == 400
    assert "shop" in response.json()["errors"]
    assert not ReturnRequest.objects.exists()


def test_a_reference_one_shop_uses_needs_no_shop(
    shop_a, product, warehouse, staff_user
):
    factories.stock(product, warehouse, 5)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="ONLY-1", lines=[OrderLineInput(product, 1)]
    )
    sales_order_ship(order=order, actor=staff_user)
    response = post_return(user_client(staff_user), order_reference="ONLY-1")
    assert response.status_code == 201, response.json()
    assert ReturnRequest.objects.get().sales_order == order
