"""Orders no single warehouse can fill are split over the fewest that can."""

import pytest
from django.test import Client
from django.urls import reverse

from stock.models import (
    SalesOrder,
    SalesOrderAllocation,
    ShopWarehousePriority,
    StockLevel,
    StockMovement,
)
from stock.selectors import stock_reconcile
from stock.services.orders import sales_order_cancel, sales_order_ship
from tests import factories
from tests.conftest import shop_client

pytestmark = pytest.mark.django_db


def post(client, external_id, lines, key):
    return client.post(
        "/api/v1/orders/",
        {
            "external_id": external_id,
            "lines": [{"sku": sku, "quantity": q} for sku, q in lines],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def levels(product):
    return {
        lv.warehouse.code: (lv.on_hand, lv.reserved)
        for lv in StockLevel.objects.filter(product=product).select_related("warehouse")
    }


@pytest.fixture
def network(db):
    """Three warehouses: mug 6 / 5 / 3, tea 0 / 4 / 4."""
    a, b, c = (factories.warehouse(code=code) for code in ("wa", "wb", "wc"))
    mug, tea = factories.product(sku="MUG-9"), factories.product(sku="TEA-9")
    for warehouse, m, t in ((a, 6, 0), (b, 5, 4), (c, 3, 4)):
        factories.stock(mug, warehouse, m)
        if t:
            factories.stock(tea, warehouse, t)
    return a, b, c, mug, tea


def test_an_order_no_warehouse_can_fill_is_split_and_shows_its_shipments(
    shop_a, network
):
    a, b, c, mug, tea = network
    response = post(shop_client(shop_a[1]), "S-1", [("MUG-9", 10)], "k-1")
    assert response.status_code == 201, response.json()
    body = response.json()
    # Two shipments are enough (a+b, 6+5 >= 10); a holds most, so a comes first.
    assert body["shipments"] == [
        {"warehouse": "wa", "lines": [{"sku": "MUG-9", "quantity": 6}]},
        {"warehouse": "wb", "lines": [{"sku": "MUG-9", "quantity": 4}]},
    ]
    assert body["warehouse"] == "wa"
    assert levels(mug) == {"wa": (6, 6), "wb": (5, 4), "wc": (3, 0)}
    client = shop_client(shop_a[1])
    assert client.get(f"/api/v1/orders/{body['id']}/").json() == body
    assert stock_reconcile() == []


def test_the_fewest_shipments_win_then_the_shops_priority(shop_a, network):
    a, b, c, mug, tea = network
    # Tea is not in a: b and c together fill both lines with two shipments.
    ShopWarehousePriority.objects.create(shop=shop_a[0], warehouse=c, priority=1)
    ShopWarehousePriority.objects.create(shop=shop_a[0], warehouse=a, priority=2)
    response = post(shop_client(shop_a[1]), "S-2", [("MUG-9", 7), ("TEA-9", 6)], "k-2")
    assert response.status_code == 201, response.json()
    shipments = response.json()["shipments"]
    # {c, b} is the only pair that holds 6 tea and 7 mugs except {a, ...}
    # pairs with tea 4 < 6: c ranked first takes what it has, b the rest.
    assert shipments == [
        {
            "warehouse": "wb",
            "lines": [
                {"sku": "MUG-9", "quantity": 4},
                {"sku": "TEA-9", "quantity": 2},
            ],
        },
        {
            "warehouse": "wc",
            "lines": [
                {"sku": "MUG-9", "quantity": 3},
                {"sku": "TEA-9", "quantity": 4},
            ],
        },
    ]


def test_a_ranked_warehouse_fills_a_whole_order_before_the_biggest(shop_a, network):
    a, b, c, mug, tea = network
    ShopWarehousePriority.objects.create(shop=shop_a[0], warehouse=c, priority=1)
    response = post(shop_client(shop_a[1]), "S-3", [("MUG-9", 2)], "k-3")
    assert response.json()["shipments"] == [
        {"warehouse": "wc", "lines": [{"sku": "MUG-9", "quantity": 2}]}
    ]
    assert SalesOrder.objects.get().is_split is False


def test_replaying_a_split_order_returns_the_same_split_and_writes_nothing(
    shop_a, network
):
    a, b, c, mug, tea = network
    client = shop_client(shop_a[1])
    first = post(client, "S-4", [("MUG-9", 12)], "k-4")
    assert first.status_code == 201
    movements = StockMovement.objects.count()
    replay = post(client, "S-4", [("MUG-9", 12)], "k-4")
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    # Re-sent under a new key: recognised by external_id, the same split.
    resent = post(client, "S-4", [("MUG-9", 12)], "k-5")
    assert resent.status_code == 200
    assert resent.json()["shipments"] == first.json()["shipments"]
    assert len(first.json()["shipments"]) == 3
    assert StockMovement.objects.count() == movements
    assert SalesOrder.objects.count() == 1
    assert SalesOrderAllocation.objects.count() == 3
    assert levels(mug) == {"wa": (6, 6), "wb": (5, 5), "wc": (3, 1)}


def test_a_shop_that_opted_out_gets_409_and_nothing_is_reserved(shop_a, network):
    a, b, c, mug, tea = network
    shop_a[0].split_orders = False
    shop_a[0].save()
    response = post(shop_client(shop_a[1]), "S-5", [("MUG-9", 10)], "k-6")
    assert response.status_code == 409
    assert response.json()["short_skus"] == ["MUG-9"]
    assert not SalesOrder.objects.exists()
    assert levels(mug) == {"wa": (6, 0), "wb": (5, 0), "wc": (3, 0)}


def test_more_than_the_network_holds_is_409_and_reserves_nothing(shop_a, network):
    a, b, c, mug, tea = network
    response = post(shop_client(shop_a[1]), "S-6", [("MUG-9", 14), ("TEA-9", 9)], "k-7")
    assert response.status_code == 409
    assert response.json()["short_skus"] == ["MUG-9", "TEA-9"]
    assert not SalesOrder.objects.exists()
    assert all(reserved == 0 for _, reserved in levels(mug).values())


def test_a_split_order_ships_and_cancels_from_each_warehouse(
    shop_a, network, staff_user
):
    a, b, c, mug, tea = network
    client = shop_client(shop_a[1])
    shipped = post(client, "S-7", [("MUG-9", 9)], "k-8").json()
    cancelled = post(client, "S-8", [("MUG-9", 5)], "k-9").json()
    assert len(cancelled["shipments"]) == 2  # a has 0 left free, b 2, c 3
    page = Client()
    page.force_login(staff_user)
    url = reverse("order-detail", args=[shipped["id"]])
    html = page.get(url).content.decode()
    # One section per warehouse, each with where to pick there.
    assert "Shipment from wa" in html and "Shipment from wb" in html
    assert "A-01 × 6" in html and "A-01 × 3" in html
    sales_order_ship(order=SalesOrder.objects.get(pk=shipped["id"]), actor=staff_user)
    sales_order_cancel(order=SalesOrder.objects.get(pk=cancelled["id"]))
    assert levels(mug) == {"wa": (0, 0), "wb": (2, 0), "wc": (3, 0)}
    out = StockMovement.objects.filter(reference_id=str(shipped["id"]))
    assert sorted((m.warehouse.code, m.quantity) for m in out) == [
        ("wa", -6),
        ("wb", -3),
    ]
    html = page.get(url).content.decode()
    assert "Picked from" in html and "A-01 × 6" in html and "A-01 × 3" in html
    assert stock_reconcile() == []


def test_naming_a_warehouse_never_splits(shop_a, network):
    response = shop_client(shop_a[1]).post(
        "/api/v1/orders/",
        {
            "external_id": "S-9",
            "warehouse": "wa",
            "lines": [{"sku": "MUG-9", "quantity": 7}],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-10",
    )
    assert response.status_code == 409


def test_the_order_webhook_event_carries_the_split(shop_a, network):
    from notifications.models import WebhookEndpoint, WebhookEvent

    WebhookEndpoint.objects.create(
        name="ops", url="https://example.com/hook", events=["order.created"]
    )
    post(shop_client(shop_a[1]), "S-10", [("MUG-9", 10)], "k-11")
    event = WebhookEvent.objects.get(type="order.created")
    assert event.payload["shipments"] == [
        {"warehouse": "wa", "lines": [{"sku": "MUG-9", "quantity": 6}]},
        {"warehouse": "wb", "lines": [{"sku": "MUG-9", "quantity": 4}]},
    ]
