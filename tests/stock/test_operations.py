"""Orders, purchase orders, transfers, adjustments and counts through the services."""

import pytest

from core.errors import InvalidInput, InvalidState
from stock.errors import InsufficientStock
from stock.models import (
    MovementKind,
    PurchaseOrderStatus,
    SalesOrderStatus,
    StockLevel,
    StockMovement,
    StocktakeStatus,
)
from stock.selectors import stock_reconcile
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


def on_hand_reserved(product, warehouse):
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    return level.on_hand, level.reserved


@pytest.fixture
def shop(db):
    return factories.shop("web")[0]


def test_order_reserves_then_ship_takes_it_out_of_on_hand(
    shop, product, warehouse, staff_user
):
    factories.stock(product, warehouse, 10)
    order, created = sales_order_create(
        shop=shop, external_id="A-1", lines=[OrderLineInput(product, 4)]
    )
    assert created and order.status == SalesOrderStatus.RESERVED
    assert on_hand_reserved(product, warehouse) == (10, 4)
    sales_order_ship(order=order, actor=staff_user)
    assert on_hand_reserved(product, warehouse) == (6, 0)
    shipment = StockMovement.objects.get(kind=MovementKind.SHIPMENT)
    assert (shipment.quantity, shipment.balance_after) == (-4, 6)
    assert shipment.reference_id == str(order.pk)
    assert shipment.actor_user == staff_user and shipment.actor_shop == shop
    with pytest.raises(InvalidState):
        sales_order_cancel(order=order)
    assert stock_reconcile() == []


def test_cancel_releases_the_reservation_once(shop, product, warehouse):
    factories.stock(product, warehouse, 5)
    order, _ = sales_order_create(
        shop=shop, external_id="A-2", lines=[OrderLineInput(product, 5)]
    )
    sales_order_cancel(order=order)
    assert on_hand_reserved(product, warehouse) == (5, 0)
    with pytest.raises(InvalidState):
        sales_order_cancel(order=order)
    assert on_hand_reserved(product, warehouse) == (5, 0)


def test_order_is_all_or_nothing(shop, warehouse):
    plenty, short = factories.product(), factories.product()
    factories.stock(plenty, warehouse, 10)
    factories.stock(short, warehouse, 1)
    with pytest.raises(InsufficientStock) as error:
        sales_order_create(
            shop=shop,
            external_id="A-3",
            lines=[OrderLineInput(plenty, 2), OrderLineInput(short, 2)],
        )
    assert [s.sku for s in error.value.shortages] == [short.sku]
    assert on_hand_reserved(plenty, warehouse) == (10, 0)
    assert not shop.orders.exists()


def test_order_without_warehouse_goes_where_the_stock_is(
    shop, product, warehouse, other_warehouse
):
    factories.stock(product, warehouse, 1)
    factories.stock(product, other_warehouse, 8)
    order, _ = sales_order_create(
        shop=shop, external_id="A-4", lines=[OrderLineInput(product, 3)]
    )
    assert order.warehouse == other_warehouse


def test_resent_order_is_recognised_by_external_id(shop, product, warehouse):
    factories.stock(product, warehouse, 10)
    first, created = sales_order_create(
        shop=shop, external_id="A-5", lines=[OrderLineInput(product, 2)]
    )
    again, created_again = sales_order_create(
        shop=shop, external_id="A-5", lines=[OrderLineInput(product, 2)]
    )
    assert created and not created_again and again.pk == first.pk
    assert on_hand_reserved(product, warehouse) == (10, 2)
    with pytest.raises(InvalidState, match="different lines"):
        sales_order_create(
            shop=shop, external_id="A-5", lines=[OrderLineInput(product, 3)]
        )


def test_duplicate_sku_lines_are_merged(shop, product, warehouse):
    factories.stock(product, warehouse, 10)
    order, _ = sales_order_create(
        shop=shop,
        external_id="A-6",
        lines=[OrderLineInput(product, 2), OrderLineInput(product, 3)],
    )
    assert [(line.quantity) for line in order.lines.all()] == [5]


def test_inactive_product_cannot_be_ordered(shop, warehouse):
    retired = factories.product(is_active=False)
    factories.stock(retired, warehouse, 5)
    with pytest.raises(InvalidInput, match="not active"):
        sales_order_create(
            shop=shop, external_id="A-7", lines=[OrderLineInput(retired, 1)]
        )


def test_purchase_order_partial_then_full_receiving(
    product, warehouse, manager_user, staff_user
):
    supplier = factories.supplier()
    po = purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[PurchaseLineInput(product, 10)],
        actor=manager_user,
    )
    line = po.lines.get()
    with pytest.raises(InvalidState):  # a draft has not been sent yet
        purchase_order_receive(
            purchase_order=po, quantities={line.pk: 1}, actor=staff_user
        )
    purchase_order_send(purchase_order=po)
    purchase_order_receive(purchase_order=po, quantities={line.pk: 4}, actor=staff_user)
    po.refresh_from_db()
    assert po.status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    with pytest.raises(InvalidInput, match="exceed"):
        purchase_order_receive(
            purchase_order=po, quantities={line.pk: 7}, actor=staff_user
        )
    purchase_order_receive(purchase_order=po, quantities={line.pk: 6}, actor=staff_user)
    po.refresh_from_db()
    assert po.status == PurchaseOrderStatus.RECEIVED
    assert on_hand_reserved(product, warehouse) == (10, 0)
    assert StockMovement.objects.filter(kind=MovementKind.RECEIPT).count() == 2


def test_transfer_moves_both_legs_or_none(
    product, warehouse, other_warehouse, staff_user
):
    factories.stock(product, warehouse, 5)
    transfer_create(
        from_warehouse=warehouse,
        to_warehouse=other_warehouse,
        lines=[TransferLineInput(product, 3)],
        actor=staff_user,
    )
    assert on_hand_reserved(product, warehouse) == (2, 0)
    assert on_hand_reserved(product, other_warehouse) == (3, 0)
    with pytest.raises(InsufficientStock):
        transfer_create(
            from_warehouse=warehouse,
            to_warehouse=other_warehouse,
            lines=[TransferLineInput(product, 3)],
            actor=staff_user,
        )
    assert on_hand_reserved(product, other_warehouse) == (3, 0)
    with pytest.raises(InvalidInput):
        transfer_create(
            from_warehouse=warehouse,
            to_warehouse=warehouse,
            lines=[TransferLineInput(product, 1)],
            actor=staff_user,
        )


def test_adjustment_needs_a_reason(product, warehouse, staff_user):
    with pytest.raises(InvalidInput, match="why"):
        stock_adjust(
            product=product,
            warehouse=warehouse,
            quantity=2,
            reason=" ",
            actor=staff_user,
        )
    movement = stock_adjust(
        product=product,
        warehouse=warehouse,
        quantity=2,
        reason="found behind shelf",
        actor=staff_user,
    )
    assert movement.note == "found behind shelf"
    assert on_hand_reserved(product, warehouse) == (2, 0)


def test_count_variance_becomes_a_correction_when_the_manager_confirms(
    product, warehouse, staff_user, manager_user
):
    found = factories.product()
    factories.stock(product, warehouse, 10)
    sheet = stocktake_create(warehouse=warehouse, actor=staff_user)
    line = sheet.lines.get()
    assert (line.product, line.expected) == (product, 10)
    stocktake_record_counts(
        stocktake=sheet, counts={line.pk: 8}, extra={found: 3}, actor=staff_user
    )
    assert on_hand_reserved(product, warehouse) == (10, 0)  # nothing posted yet
    stocktake_confirm(stocktake=sheet, actor=manager_user)
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.CONFIRMED
    assert on_hand_reserved(product, warehouse) == (8, 0)
    assert on_hand_reserved(found, warehouse) == (3, 0)
    corrections = StockMovement.objects.filter(kind=MovementKind.COUNT_CORRECTION)
    assert sorted(corrections.values_list("quantity", flat=True)) == [-2, 3]
    with pytest.raises(InvalidState):
        stocktake_confirm(stocktake=sheet, actor=manager_user)
    assert stock_reconcile() == []


def test_location_count_compares_with_that_location_only(
    product, warehouse, staff_user, manager_user
):
    bin_a, bin_b = warehouse.locations.all()[:2]
    factories.stock(product, warehouse, 4, location=bin_a)
    factories.stock(product, warehouse, 6, location=bin_b)
    sheet = stocktake_create(warehouse=warehouse, location=bin_a, actor=staff_user)
    line = sheet.lines.get()
    assert line.expected == 4
    stocktake_record_counts(stocktake=sheet, counts={line.pk: 5}, actor=staff_user)
    stocktake_confirm(stocktake=sheet, actor=manager_user)
    assert on_hand_reserved(product, warehouse) == (11, 0)
