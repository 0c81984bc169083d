"""Lots and expiry: received with a lot, shipped first expired first out,
written off through the ledger once expired."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from stock.models import (
    Lot,
    LotStockLevel,
    MovementKind,
    SalesOrder,
    StockLevel,
    StockMovement,
)
from stock.selectors import stock_reconcile
from stock.selectors.lots import expiring_unsellable
from stock.services.lots import LotInput, lots_write_off_expired
from stock.services.operations import TransferLineInput, transfer_create
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

pytestmark = pytest.mark.django_db

TODAY = date.today()


def receive(warehouse, product, lots: list[tuple[str, int, date | None]], actor):
    """Receive each (lot number, quantity, expiry) on its own purchase order."""
    for number, quantity, expiry in lots:
        po = purchase_order_send(
            purchase_order=purchase_order_create(
                supplier=factories.supplier(),
                warehouse=warehouse,
                lines=[PurchaseLineInput(product, quantity)],
            )
        )
        line = po.lines.get()
        purchase_order_receive(
            purchase_order=po,
            quantities={line.pk: quantity},
            actor=actor,
            lots={line.pk: LotInput(number, expiry)} if number else None,
        )


def lot_on_hand(warehouse):
    return {
        lv.lot.number: lv.on_hand
        for lv in LotStockLevel.objects.filter(warehouse=warehouse).select_related(
            "lot"
        )
    }


def test_a_receipt_records_its_lot_and_expiry(warehouse, product, staff_user):
    receive(warehouse, product, [("L-1", 5, TODAY + timedelta(days=30))], staff_user)
    lot = Lot.objects.get()
    assert (lot.number, lot.expiry_date, lot.product) == (
        "L-1",
        TODAY + timedelta(days=30),
        product,
    )
    receipt = StockMovement.objects.get(kind=MovementKind.RECEIPT)
    assert receipt.lot == lot
    assert lot_on_hand(warehouse) == {"L-1": 5}
    assert stock_reconcile() == []


def test_a_lot_received_again_with_another_expiry_is_refused(
    warehouse, product, staff_user
):
    receive(warehouse, product, [("L-1", 5, TODAY)], staff_user)
    with pytest.raises(Exception, match="expires on"):
        receive(warehouse, product, [("L-1", 2, TODAY + timedelta(days=1))], staff_user)
    assert StockLevel.objects.get(product=product).on_hand == 5


def test_a_shipment_takes_the_earliest_lot_first_and_names_it(
    warehouse, product, staff_user, shop_a
):
    receive(
        warehouse,
        product,
        [
            ("LATE", 5, TODAY + timedelta(days=90)),
            ("SOON", 3, TODAY + timedelta(days=10)),
            ("", 4, None),  # received without a lot
        ],
        staff_user,
    )
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="F-1", lines=[OrderLineInput(product, 6)]
    )
    # The pick list names the lots before shipping: SOON first, then LATE.
    client = Client()
    client.force_login(staff_user)
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "lot SOON × 3" in page and "lot LATE × 3" in page
    assert page.index("lot SOON") < page.index("lot LATE")
    sales_order_ship(order=order, actor=staff_user)
    shipped = StockMovement.objects.filter(kind=MovementKind.SHIPMENT)
    assert sorted((m.lot.number, m.quantity) for m in shipped) == [
        ("LATE", -3),
        ("SOON", -3),
    ]
    assert lot_on_hand(warehouse) == {"LATE": 2, "SOON": 0}
    page = client.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "lot SOON × 3" in page
    assert stock_reconcile() == []


def test_stock_without_a_lot_goes_after_the_lots(warehouse, product, staff_user):
    receive(
        warehouse,
        product,
        [("", 4, None), ("A", 2, TODAY + timedelta(days=5))],
        staff_user,
    )
    order, _ = sales_order_create(
        shop=factories.shop()[0], external_id="F-2", lines=[OrderLineInput(product, 5)]
    )
    sales_order_ship(order=order, actor=staff_user)
    shipped = sorted(
        (m.lot.number if m.lot else "", m.quantity)
        for m in StockMovement.objects.filter(kind=MovementKind.SHIPMENT)
    )
    assert shipped == [("", -3), ("A", -2)]
    assert stock_reconcile() == []


def test_an_expired_lot_ships_only_when_nothing_else_is_left(
    warehouse, product, staff_user, shop_a
):
    receive(
        warehouse,
        product,
        [
            ("EXPIRED", 3, TODAY - timedelta(days=1)),
            ("FRESH", 2, TODAY + timedelta(days=9)),
            ("", 2, None),
        ],
        staff_user,
    )
    first, _ = sales_order_create(
        shop=shop_a[0], external_id="X-1", lines=[OrderLineInput(product, 4)]
    )
    client = Client()
    client.force_login(staff_user)
    page = client.get(reverse("order-detail", args=[first.pk])).content.decode()
    assert "lot FRESH × 2" in page and "lot EXPIRED" not in page
    sales_order_ship(order=first, actor=staff_user)
    assert lot_on_hand(warehouse) == {"EXPIRED": 3, "FRESH": 0}
    second, _ = sales_order_create(
        shop=shop_a[0], external_id="X-2", lines=[OrderLineInput(product, 1)]
    )
    sales_order_ship(order=second, actor=staff_user)
    assert lot_on_hand(warehouse) == {"EXPIRED": 2, "FRESH": 0}
    assert stock_reconcile() == []


def test_a_transfer_carries_its_lots(warehouse, other_warehouse, product, staff_user):
    receive(
        warehouse,
        product,
        [("B", 4, TODAY + timedelta(days=20)), ("A", 4, TODAY + timedelta(days=8))],
        staff_user,
    )
    transfer_create(
        from_warehouse=warehouse,
        to_warehouse=other_warehouse,
        lines=[TransferLineInput(product, 6)],
        actor=staff_user,
    )
    assert lot_on_hand(warehouse) == {"A": 0, "B": 2}
    assert lot_on_hand(other_warehouse) == {"A": 4, "B": 2}
    assert stock_reconcile() == []


def test_expired_stock_is_written_off_through_the_ledger_and_reconciles(
    warehouse, product, staff_user, shop_a
):
    receive(
        warehouse,
        product,
        [
            ("OLD", 5, TODAY - timedelta(days=1)),
            ("TODAY", 2, TODAY),
            ("NEW", 4, TODAY + timedelta(days=30)),
        ],
        staff_user,
    )
    # An order holds 8 of the 11: only 3 are free to write off.
    sales_order_create(
        shop=shop_a[0], external_id="W-1", lines=[OrderLineInput(product, 8)]
    )
    assert lots_write_off_expired(today=TODAY) == 3
    written = StockMovement.objects.get(kind=MovementKind.EXPIRY_WRITE_OFF)
    assert (written.lot.number, written.quantity) == ("OLD", -3)
    assert written.note == "Expired lot written off"
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.reserved) == (8, 8)
    assert stock_reconcile() == []
    # Once the order is cancelled, the rest of the expired lot goes too; the
    # lot expiring today still sells today; running it again writes nothing.
    sales_order_cancel(order=SalesOrder.objects.get())
    assert lots_write_off_expired(today=TODAY) == 2
    assert lots_write_off_expired(today=TODAY) == 0
    assert lot_on_hand(warehouse) == {"OLD": 0, "TODAY": 2, "NEW": 4}
    assert stock_reconcile() == []


def test_the_write_off_button_and_command_write_off_expired_lots(
    warehouse, product, staff_user, manager_user
):
    receive(warehouse, product, [("OLD", 5, TODAY - timedelta(days=3))], staff_user)
    client = Client()
    client.force_login(manager_user)
    page = client.get(reverse("lot-list"))
    assert page.status_code == 200 and "OLD" in page.content.decode()
    response = client.post(reverse("lots-write-off-expired"))
    assert response.status_code == 302
    assert StockLevel.objects.get(product=product).on_hand == 0
    assert StockMovement.objects.filter(kind=MovementKind.EXPIRY_WRITE_OFF).count() == 1


def test_an_expired_lot_is_not_counted_as_available(warehouse, product, staff_user):
    receive(
        warehouse,
        product,
        [
            ("GONE", 5, TODAY - timedelta(days=1)),
            ("SOON", 10, TODAY + timedelta(days=4)),
            ("LATER", 10, TODAY + timedelta(days=60)),
            ("", 7, None),
        ],
        staff_user,
    )
    pair = (product.pk, warehouse.pk)
    # 2 a day: days 0..4 sell 10 of SOON; LATER sells in time; GONE is lost.
    assert expiring_unsellable([pair], [[2.0] * 28], TODAY) == [5.0]
    # 1 a day: SOON sells only 5 by its expiry, so 5 more are lost.
    assert expiring_unsellable([pair], [[1.0] * 28], TODAY) == [10.0]
    # No demand at all: every dated lot expires unsold; undated stock stays.
    assert expiring_unsellable([pair], [[0.0] * 28], TODAY) == [25.0]


def test_the_receive_api_records_lots_and_refuses_two_lots_of_one_sku(
    warehouse, product, staff_user
):
    from tests.conftest import user_client

    po = purchase_order_send(
        purchase_order=purchase_order_create(
            supplier=factories.supplier(),
            warehouse=warehouse,
            lines=[PurchaseLineInput(product, 10)],
        )
    )
    client = user_client(staff_user)
    url = f"/api/v1/purchase-orders/{po.pk}/receive/"
    mixed = client.post(
        url,
        {
            "lines": [
                {"sku": product.sku, "quantity": 2, "lot": "A"},
                {"sku": product.sku, "quantity": 2, "lot": "B"},
            ]
        },
        format="json",
    )
    assert mixed.status_code == 400 and "lines" in mixed.json()["errors"]
    expiry = (TODAY + timedelta(days=40)).isoformat()
    response = client.post(
        url,
        {
            "lines": [
                {"sku": product.sku, "quantity": 4, "lot": "A", "expiry_date": expiry}
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert lot_on_hand(warehouse) == {"A": 4}
    assert str(Lot.objects.get().expiry_date) == expiry


def test_the_nightly_write_off_takes_expired_stock_out_of_what_shops_see(
    warehouse, product, staff_user
):
    from django.conf import settings

    from config.celery import app

    receive(
        warehouse,
        product,
        [
            ("GONE", 5, TODAY - timedelta(days=1)),
            ("GOOD", 8, TODAY + timedelta(days=30)),
        ],
        staff_user,
    )
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert level.on_hand - level.reserved == 13
    task = app.tasks[settings.CELERY_BEAT_SCHEDULE["lots-write-off-expired"]["task"]]
    assert task.apply().get() == {"units": 5}
    level.refresh_from_db()
    assert level.on_hand - level.reserved == 8
    assert stock_reconcile() == []
