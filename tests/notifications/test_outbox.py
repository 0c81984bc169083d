"""Every stock change writes one stock.changed outbox event per subscriber, in
the transaction of the change, whichever path made it."""

from collections import Counter

import pytest

from notifications.models import (
    DeliveryStatus,
    EventType,
    WebhookDelivery,
    WebhookEvent,
)
from returns.models import Disposition, ReasonCategory
from returns.services import review
from returns.services.classification import approval_rule_get
from returns.services.intake import ReturnLineInput, return_create
from stock.services.operations import (
    TransferLineInput,
    stock_adjust,
    stocktake_confirm,
    stocktake_create,
    stocktake_record_counts,
    transfer_create,
)
from stock.services.orders import (
    OrderLineInput,
    sales_order_cancel,
    sales_order_create,
    sales_order_ship,
)
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests import factories


@pytest.fixture
def subscribers(make_endpoint):
    """Two endpoints on stock.changed (one a shop's), one on order events only."""
    shop, _ = factories.shop("hooked")
    return [
        make_endpoint("https://ops.invalid/a", ["stock.changed"], name="ops"),
        make_endpoint("https://shop.invalid/b", ["stock.*"], shop=shop, name="shop"),
        make_endpoint("https://orders.invalid/c", ["order.*"], name="orders"),
    ]


@pytest.fixture
def stocked(product, warehouse):
    factories.stock(product, warehouse, 20)
    WebhookDelivery.objects.all().delete()
    WebhookEvent.objects.all().delete()


def stock_changed(since_pk=None) -> Counter:
    """(endpoint name, sku, warehouse) -> number of stock.changed deliveries."""
    rows = WebhookDelivery.objects.filter(
        event__type=EventType.STOCK_CHANGED
    ).select_related("event", "endpoint")
    return Counter(
        (d.endpoint.name, d.event.payload["sku"], d.event.payload["warehouse"])
        for d in rows
    )


def once_each(*pairs) -> Counter:
    return Counter(
        {(name, sku, wh): 1 for name in ("ops", "shop") for sku, wh in pairs}
    )


def clear():
    WebhookDelivery.objects.all().delete()
    WebhookEvent.objects.all().delete()


def test_receipt_writes_one_event_per_subscriber_with_the_new_balance(
    subscribers, product, warehouse, staff_user
):
    supplier = factories.supplier()
    po = purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[PurchaseLineInput(product, 7)],
        actor=staff_user,
    )
    purchase_order_send(purchase_order=po)
    line = po.lines.get()
    purchase_order_receive(purchase_order=po, quantities={line.pk: 7}, actor=staff_user)
    assert stock_changed() == once_each(("MUG-001", "main"))
    event = WebhookEvent.objects.get(type=EventType.STOCK_CHANGED)
    assert event.payload["on_hand"] == 7
    assert event.payload["available"] == 7
    assert event.payload["reference"] == {"type": "purchase_order", "id": str(po.pk)}
    assert [m["kind"] for m in event.payload["movements"]] == ["receipt"]
    assert event.deliveries.filter(status=DeliveryStatus.PENDING).count() == 2


def test_order_reserve_ship_and_cancel_each_write_one_event(
    subscribers, stocked, product, warehouse, staff_user
):
    shop = subscribers[1].shop
    order, _ = sales_order_create(
        shop=shop, external_id="O-1", lines=[OrderLineInput(product, 3)]
    )
    assert stock_changed() == once_each(("MUG-001", "main"))
    reserved = WebhookEvent.objects.get(type=EventType.STOCK_CHANGED).payload
    assert (reserved["on_hand"], reserved["reserved"], reserved["available"]) == (
        20,
        3,
        17,
    )
    assert reserved["movements"] == []  # a reservation moves nothing
    clear()
    sales_order_ship(order=order, actor=staff_user)
    assert stock_changed() == once_each(("MUG-001", "main"))
    shipped = WebhookEvent.objects.get(type=EventType.STOCK_CHANGED).payload
    assert (shipped["on_hand"], shipped["reserved"]) == (17, 0)
    assert [m["kind"] for m in shipped["movements"]] == ["shipment"]
    clear()
    other, _ = sales_order_create(
        shop=shop, external_id="O-2", lines=[OrderLineInput(product, 2)]
    )
    clear()
    sales_order_cancel(order=other)
    assert stock_changed() == once_each(("MUG-001", "main"))


def test_transfer_writes_one_event_for_each_of_its_two_pairs(
    subscribers, stocked, product, warehouse, other_warehouse, staff_user
):
    transfer_create(
        from_warehouse=warehouse,
        to_warehouse=other_warehouse,
        lines=[TransferLineInput(product, 5)],
        actor=staff_user,
    )
    assert stock_changed() == once_each(("MUG-001", "main"), ("MUG-001", "east"))


def test_adjustment_and_count_correction_write_one_event_each(
    subscribers, stocked, product, warehouse, staff_user, manager_user
):
    stock_adjust(
        product=product,
        warehouse=warehouse,
        quantity=-2,
        reason="broken",
        actor=staff_user,
    )
    assert stock_changed() == once_each(("MUG-001", "main"))
    clear()
    sheet = stocktake_create(warehouse=warehouse, actor=staff_user)
    line = sheet.lines.get()
    stocktake_record_counts(stocktake=sheet, counts={line.pk: 15}, actor=staff_user)
    stocktake_confirm(stocktake=sheet, actor=manager_user)
    assert stock_changed() == once_each(("MUG-001", "main"))
    payload = WebhookEvent.objects.get(type=EventType.STOCK_CHANGED).payload
    assert payload["reference"]["type"] == "stocktake"
    assert [m["kind"] for m in payload["movements"]] == ["count_correction"]
    assert payload["on_hand"] == 15


def test_return_restock_writes_one_event(
    subscribers, stocked, product, warehouse, staff_user
):
    rule = approval_rule_get()
    rule.enabled = False
    rule.save()
    shop = subscribers[1].shop
    order, _ = sales_order_create(
        shop=shop, external_id="R-1", lines=[OrderLineInput(product, 2)]
    )
    sales_order_ship(order=order, actor=staff_user)
    request, _ = return_create(
        shop=shop, order_reference="R-1", lines=[ReturnLineInput(product, 1)]
    )
    review.return_receive(request=request, actor=staff_user)
    review.return_review(
        request=request,
        category=ReasonCategory.values[0],
        disposition=Disposition.RESTOCK,
        actor=staff_user,
    )
    clear()
    review.return_resolve(request=request, actor=staff_user)
    assert stock_changed() == once_each(("MUG-001", "main"))
    payload = WebhookEvent.objects.get(type=EventType.STOCK_CHANGED).payload
    assert [m["kind"] for m in payload["movements"]] == ["return_restock"]


def test_order_events_go_to_the_orders_shop_and_ops_endpoints_only(
    make_endpoint, stocked, product, staff_user
):
    shop_a, _ = factories.shop("a")
    shop_b, _ = factories.shop("b")
    make_endpoint("https://a.invalid/", ["order.*"], shop=shop_a, name="a")
    make_endpoint("https://b.invalid/", ["order.*"], shop=shop_b, name="b")
    make_endpoint("https://ops.invalid/", ["order.shipped"], name="ops")
    order, _ = sales_order_create(
        shop=shop_a, external_id="X-1", lines=[OrderLineInput(product, 1)]
    )
    sales_order_ship(order=order, actor=staff_user)
    sent = Counter(
        (d.endpoint.name, d.event.type)
        for d in WebhookDelivery.objects.select_related("endpoint", "event")
    )
    assert sent == Counter(
        {
            ("a", "order.created"): 1,
            ("a", "order.shipped"): 1,
            ("ops", "order.shipped"): 1,
        }
    )
    created = WebhookEvent.objects.get(type="order.created").payload
    assert created["lines"] == [{"sku": "MUG-001", "quantity": 1}]
    assert created["shop"] == "a"


def test_a_failed_change_leaves_no_event(subscribers, stocked, product, warehouse):
    from stock.errors import InsufficientStock

    with pytest.raises(InsufficientStock):
        stock_adjust(
            product=product,
            warehouse=warehouse,
            quantity=-21,
            reason="too much",
            actor=None,
        )
    assert not WebhookEvent.objects.exists()
