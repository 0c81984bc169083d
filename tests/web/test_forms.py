"""Staff forms: each changes stock through its service, or shows why not."""

import pytest
from django.test import Client
from django.urls import reverse

from stock.models import (
    MovementKind,
    PurchaseOrderStatus,
    SalesOrderStatus,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeStatus,
)
from stock.services.operations import stocktake_create, stocktake_record_counts
from stock.services.orders import OrderLineInput, sales_order_create
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_send,
)
from tests import factories

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def on_hand(product, warehouse) -> int:
    level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
    return level.on_hand if level else 0


def transfer_data(from_wh, to_wh, rows, note=""):
    data = {
        "from_warehouse": from_wh.pk,
        "to_warehouse": to_wh.pk,
        "note": note,
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
    }
    for index in range(5):
        sku, quantity = rows[index] if index < len(rows) else ("", "")
        data[f"lines-{index}-sku"] = sku
        data[f"lines-{index}-quantity"] = quantity
    return data


# --- transfer -------------------------------------------------------------------


def test_transfer_moves_every_line_and_ignores_blank_rows(
    warehouse, other_warehouse, product, staff_user
):
    second = factories.product(sku="PLATE-9")
    factories.stock(product, warehouse, 10)
    factories.stock(second, warehouse, 4)
    response = login(staff_user).post(
        reverse("transfer-create"),
        transfer_data(warehouse, other_warehouse, [("MUG-001", "3"), ("plate-9", "4")]),
        follow=True,
    )
    assert response.redirect_chain == [(reverse("transfer-create"), 302)]
    assert b"Transfer T-" in response.content
    assert b"from main to east done." in response.content
    assert (on_hand(product, warehouse), on_hand(product, other_warehouse)) == (7, 3)
    assert (on_hand(second, warehouse), on_hand(second, other_warehouse)) == (0, 4)
    kinds = set(
        StockMovement.objects.filter(reference_type="transfer").values_list(
            "kind", flat=True
        )
    )
    assert kinds == {MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN}
    assert StockMovement.objects.filter(reference_type="transfer").count() == 4


@pytest.mark.parametrize(
    ("rows", "same_warehouse", "message"),
    [
        ([("MUG-001", "3")], True, "Choose two different warehouses."),
        ([("NOPE-42", "3")], False, "Unknown SKU or barcode: NOPE-42"),
        ([("MUG-001", "0")], False, "greater than or equal to 1"),
        ([("MUG-001", "-2")], False, "greater than or equal to 1"),
        ([("MUG-001", "abc")], False, "Enter a whole number."),
        ([("MUG-001", "")], False, "This field is required."),
        ([], False, "A transfer needs at least one line."),
        ([("MUG-001", "11")], False, "Not enough stock: MUG-001 at main"),
    ],
)
def test_transfer_bad_input_shows_the_error_keeps_input_and_changes_nothing(
    warehouse, other_warehouse, product, staff_user, rows, same_warehouse, message
):
    factories.stock(product, warehouse, 10)
    movements = StockMovement.objects.count()
    to_wh = warehouse if same_warehouse else other_warehouse
    response = login(staff_user).post(
        reverse("transfer-create"),
        transfer_data(warehouse, to_wh, rows, note="typed note"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="typed note"' in html
    for sku, quantity in rows:
        assert f'value="{sku}"' in html
        if quantity:
            assert f'value="{quantity}"' in html
    assert StockMovement.objects.count() == movements
    assert on_hand(product, warehouse) == 10


def test_transfer_form_needs_a_csrf_token(warehouse, other_warehouse, staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    page = client.get(reverse("transfer-create"))
    assert b"csrfmiddlewaretoken" in page.content
    response = client.post(
        reverse("transfer-create"), transfer_data(warehouse, other_warehouse, [])
    )
    assert response.status_code == 403


# --- adjust ---------------------------------------------------------------------


def test_adjust_posts_a_signed_movement_with_its_reason(warehouse, product, staff_user):
    factories.stock(product, warehouse, 10)
    location = warehouse.locations.get(code="A-01")
    client = login(staff_user)
    response = client.post(
        reverse("adjust"),
        {
            "sku": "MUG-001",
            "warehouse": warehouse.pk,
            "location": location.pk,
            "quantity": "-3",
            "reason": "Dropped a box",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("adjust")
    assert on_hand(product, warehouse) == 7
    movement = StockMovement.objects.filter(kind=MovementKind.ADJUSTMENT).get()
    assert (movement.quantity, movement.balance_after) == (-3, 7)
    assert (movement.note, movement.location, movement.actor_user) == (
        "Dropped a box",
        location,
        staff_user,
    )
    client.post(
        reverse("adjust"),
        {"sku": "MUG-001", "warehouse": warehouse.pk, "quantity": "2", "reason": "x"},
    )
    assert on_hand(product, warehouse) == 9


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": "0"}, "The adjustment must not be zero."),
        ({"quantity": "-11"}, "Not enough stock: MUG-001 at main"),
        ({"sku": "GHOST-1"}, "Unknown SKU or barcode: GHOST-1"),
        ({"reason": ""}, "This field is required."),
        ({"reason": "   "}, "This field is required."),
        ({"quantity": "1.5"}, "Enter a whole number."),
        ({"location": "OTHER"}, "The location is not in that warehouse."),
    ],
)
def test_adjust_bad_input_shows_the_error_and_changes_nothing(
    warehouse, other_warehouse, product, staff_user, changes, message
):
    factories.stock(product, warehouse, 10)
    movements = StockMovement.objects.count()
    data = {
        "sku": "MUG-001",
        "warehouse": warehouse.pk,
        "location": "",
        "quantity": "-1",
        "reason": "Typed reason",
    }
    data.update(changes)
    if data["location"] == "OTHER":
        data["location"] = other_warehouse.locations.get(code="A-01").pk
    response = login(staff_user).post(reverse("adjust"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{data["sku"]}"' in html
    assert f'value="{data["quantity"]}"' in html
    assert StockMovement.objects.count() == movements
    assert on_hand(product, warehouse) == 10


# --- receive a purchase order ---------------------------------------------------


@pytest.fixture
def sent_po(warehouse, product):
    second = factories.product(sku="LID-1")
    po = purchase_order_create(
        supplier=factories.supplier(),
        warehouse=warehouse,
        lines=[PurchaseLineInput(product, 10), PurchaseLineInput(second, 4)],
    )
    return purchase_order_send(purchase_order=po)


def line_field(po, sku):
    return f"line_{po.lines.get(product__sku=sku).pk}"


def test_receive_partly_then_in_full(sent_po, warehouse, product, staff_user):
    client = login(staff_user)
    url = reverse("purchase-order-receive", args=[sent_po.pk])
    location = warehouse.locations.get(code="A-01")
    response = client.post(
        url,
        {
            line_field(sent_po, "MUG-001"): "6",
            line_field(sent_po, "LID-1"): "",
            "location": location.pk,
        },
    )
    assert response.status_code == 302
    sent_po.refresh_from_db()
    assert sent_po.status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    assert on_hand(product, warehouse) == 6
    receipt = StockMovement.objects.get(kind=MovementKind.RECEIPT)
    assert (receipt.quantity, receipt.location) == (6, location)

    page = client.get(url)
    assert b"partially received" in page.content
    response = client.post(
        url, {line_field(sent_po, "MUG-001"): "4", line_field(sent_po, "LID-1"): "4"}
    )
    assert response.status_code == 302
    sent_po.refresh_from_db()
    assert sent_po.status == PurchaseOrderStatus.RECEIVED
    assert on_hand(product, warehouse) == 10
    assert StockMovement.objects.filter(kind=MovementKind.RECEIPT).count() == 3
    assert b"Receive now" not in client.get(url).content


@pytest.mark.parametrize(
    ("mug", "lid", "message"),
    [
        ("11", "", "MUG-001: receiving 11 would exceed the 10 still open."),
        ("-1", "", "greater than or equal to 0"),
        ("", "", "Enter a quantity for at least one line."),
        ("x", "2", "Enter a whole number."),
    ],
)
def test_receive_bad_input_shows_the_error_and_changes_nothing(
    sent_po, warehouse, product, staff_user, mug, lid, message
):
    movements = StockMovement.objects.count()
    response = login(staff_user).post(
        reverse("purchase-order-receive", args=[sent_po.pk]),
        {line_field(sent_po, "MUG-001"): mug, line_field(sent_po, "LID-1"): lid},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if mug:
        assert f'value="{mug}"' in html
    assert StockMovement.objects.count() == movements
    sent_po.refresh_from_db()
    assert sent_po.status == PurchaseOrderStatus.SENT
    assert sum(sent_po.lines.values_list("quantity_received", flat=True)) == 0


def test_purchase_order_list_shows_orders_to_receive(sent_po, staff_user, warehouse):
    draft = purchase_order_create(
        supplier=factories.supplier(),
        warehouse=warehouse,
        lines=[PurchaseLineInput(factories.product(), 1)],
    )
    client = login(staff_user)
    default = client.get(reverse("purchase-order-list")).context["page"]
    assert list(default) == [sent_po]
    paged = client.get(reverse("purchase-order-list"), {"page": "1"}).context["page"]
    assert list(paged) == [sent_po]
    drafts = client.get(reverse("purchase-order-list"), {"status": "draft"})
    assert list(drafts.context["page"]) == [draft]
    everything = client.get(reverse("purchase-order-list"), {"status": ""})
    assert set(everything.context["page"]) == {sent_po, draft}


# --- ship an order ---------------------------------------------------------------


@pytest.fixture
def reserved_order(warehouse, product, shop_a):
    factories.stock(product, warehouse, 10)
    order, _ = sales_order_create(
        shop=shop_a[0],
        external_id="SHOP-77",
        lines=[OrderLineInput(product, 3)],
        warehouse=warehouse,
    )
    return order


def test_ship_takes_the_order_out_of_stock(
    reserved_order, warehouse, product, staff_user
):
    client = login(staff_user)
    detail = client.get(reverse("order-detail", args=[reserved_order.pk]))
    assert b"Ship this order" in detail.content
    response = client.post(reverse("order-ship", args=[reserved_order.pk]), follow=True)
    assert response.redirect_chain == [(reverse("order-list"), 302)]
    assert b"Order SHOP-77 shipped." in response.content
    reserved_order.refresh_from_db()
    assert reserved_order.status == SalesOrderStatus.SHIPPED
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.reserved) == (7, 0)
    shipment = StockMovement.objects.get(kind=MovementKind.SHIPMENT)
    assert (shipment.quantity, shipment.actor_user) == (-3, staff_user)


def test_shipping_twice_shows_why_and_changes_nothing(
    reserved_order, warehouse, product, staff_user
):
    client = login(staff_user)
    client.post(reverse("order-ship", args=[reserved_order.pk]))
    movements = StockMovement.objects.count()
    response = client.post(reverse("order-ship", args=[reserved_order.pk]))
    assert response.status_code == 200
    assert b"only a reserved order can be shipped" in response.content
    assert b"Ship this order" not in response.content
    assert StockMovement.objects.count() == movements
    assert on_hand(product, warehouse) == 7


def test_ship_is_post_only(reserved_order, staff_user):
    response = login(staff_user).get(reverse("order-ship", args=[reserved_order.pk]))
    assert response.status_code == 405


# --- counts ---------------------------------------------------------------------


def test_count_flow_staff_counts_manager_confirms(
    warehouse, product, staff_user, manager_user
):
    factories.stock(product, warehouse, 10)
    staff = login(staff_user)
    response = staff.post(reverse("count-create"), {"warehouse": warehouse.pk})
    sheet = Stocktake.objects.get()
    assert response["Location"] == reverse("count-detail", args=[sheet.pk])
    line = sheet.lines.get()
    page = staff.get(reverse("count-detail", args=[sheet.pk]))
    # Staff count blind and cannot confirm.
    assert b"Book quantity" not in page.content
    assert b"Confirm" not in page.content

    response = staff.post(
        reverse("count-detail", args=[sheet.pk]), {f"line_{line.pk}": "8"}
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.SUBMITTED
    assert staff.post(reverse("count-confirm", args=[sheet.pk])).status_code == 403
    assert staff.post(reverse("count-cancel", args=[sheet.pk])).status_code == 403
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.SUBMITTED
    assert on_hand(product, warehouse) == 10

    manager = login(manager_user)
    page = manager.get(reverse("count-detail", args=[sheet.pk]))
    assert b"Book quantity" in page.content
    assert b"Review differences and confirm" in page.content
    response = manager.post(reverse("count-confirm", args=[sheet.pk]))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.CONFIRMED
    assert on_hand(product, warehouse) == 8
    correction = StockMovement.objects.get(kind=MovementKind.COUNT_CORRECTION)
    assert (correction.quantity, correction.actor_user) == (-2, manager_user)


def test_manager_can_cancel_a_count(warehouse, product, manager_user):
    factories.stock(product, warehouse, 10)
    sheet = stocktake_create(warehouse=warehouse, actor=manager_user)
    response = login(manager_user).post(reverse("count-cancel", args=[sheet.pk]))
    assert response["Location"] == reverse("count-list")
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.CANCELLED


def test_confirming_an_open_count_shows_why(warehouse, product, manager_user):
    factories.stock(product, warehouse, 10)
    sheet = stocktake_create(warehouse=warehouse, actor=manager_user)
    movements = StockMovement.objects.count()
    response = login(manager_user).post(reverse("count-confirm", args=[sheet.pk]))
    assert response.status_code == 200
    assert b"Only a counted sheet awaiting confirmation" in response.content
    assert StockMovement.objects.count() == movements


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "greater than or equal to 0"),
        ("", "Enter at least one counted quantity."),
        ("many", "Enter a whole number."),
    ],
)
def test_count_bad_input_shows_the_error(
    warehouse, product, staff_user, typed, message
):
    factories.stock(product, warehouse, 10)
    sheet = stocktake_create(warehouse=warehouse, actor=staff_user)
    line = sheet.lines.get()
    response = login(staff_user).post(
        reverse("count-detail", args=[sheet.pk]), {f"line_{line.pk}": typed}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    if typed:
        assert f'value="{typed}"' in response.content.decode()
    sheet.refresh_from_db()
    line.refresh_from_db()
    assert (sheet.status, line.counted) == (StocktakeStatus.OPEN, None)


def test_count_of_an_empty_location_shows_why(warehouse, staff_user):
    location = warehouse.locations.get(code="A-01")
    response = login(staff_user).post(
        reverse("count-create"),
        {"warehouse": warehouse.pk, "location": location.pk, "note": "aisle A"},
    )
    assert response.status_code == 200
    assert b"Nothing is on the books there" in response.content
    assert b'value="aisle A"' in response.content
    assert not Stocktake.objects.exists()


def test_count_list_shows_open_and_submitted_sheets(
    warehouse, product, staff_user, manager_user
):
    factories.stock(product, warehouse, 5)
    open_sheet = stocktake_create(warehouse=warehouse, actor=staff_user)
    submitted = stocktake_create(warehouse=warehouse, actor=staff_user)
    stocktake_record_counts(
        stocktake=submitted,
        counts={line.pk: 5 for line in submitted.lines.all()},
        actor=staff_user,
    )
    page = login(staff_user).get(reverse("count-list")).context["page"]
    assert list(page) == [submitted, open_sheet]
    assert page[0].counted_count == 1


def test_transfer_shows_every_row_error_at_once(
    warehouse, other_warehouse, product, staff_user
):
    factories.stock(product, warehouse, 10)
    response = login(staff_user).post(
        reverse("transfer-create"),
        transfer_data(warehouse, other_warehouse, [("NOPE-1", "1"), ("MUG-001", "0")]),
    )
    html = response.content.decode()
    assert "Unknown SKU or barcode: NOPE-1" in html
    assert "greater than or equal to 1" in html
    assert StockMovement.objects.filter(reference_type="transfer").count() == 0


def test_anonymous_post_to_confirm_goes_to_login(warehouse, product, staff_user):
    factories.stock(product, warehouse, 1)
    sheet = stocktake_create(warehouse=warehouse, actor=staff_user)
    response = Client().post(reverse("count-confirm", args=[sheet.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    nobody = login(factories.user(None))
    assert nobody.post(reverse("count-confirm", args=[sheet.pk])).status_code == 403


# --- locations follow the chosen warehouse -------------------------------------


@pytest.mark.parametrize(
    ("url", "selects"),
    [
        ("adjust", {"location": "warehouse"}),
        ("count-create", {"location": "warehouse"}),
        (
            "transfer-create",
            {"from_location": "from_warehouse", "to_location": "to_warehouse"},
        ),
    ],
)
def test_location_choices_follow_the_chosen_warehouse(
    warehouse, other_warehouse, staff_user, url, selects
):
    html = login(staff_user).get(reverse(url)).content.decode()
    assert "js/locations.js" in html
    for name, warehouse_field in selects.items():
        assert f'name="{name}" data-warehouse-field="{warehouse_field}"' in html
    for wh in (warehouse, other_warehouse):
        location = wh.locations.get(code="A-01")
        assert f'value="{location.pk}" data-warehouse="{wh.pk}"' in html


def test_a_count_of_another_warehouses_location_is_a_form_error(
    warehouse, other_warehouse, product, staff_user
):
    factories.stock(product, other_warehouse, 3)
    response = login(staff_user).post(
        reverse("count-create"),
        {
            "warehouse": warehouse.pk,
            "location": other_warehouse.locations.get(code="A-01").pk,
        },
    )
    assert response.status_code == 200
    assert "The location is not in that warehouse." in response.content.decode()
    assert not Stocktake.objects.exists()


def test_a_transfer_takes_from_and_puts_at_the_named_locations(
    warehouse, other_warehouse, product, staff_user
):
    from stock.models import Location, LocationStockLevel

    shelf = Location.objects.create(warehouse=warehouse, code="B-02")
    target = Location.objects.create(warehouse=other_warehouse, code="C-03")
    factories.stock(product, warehouse, 5, location=shelf)
    factories.stock(product, warehouse, 5)
    client = login(staff_user)
    data = transfer_data(warehouse, other_warehouse, [("MUG-001", "3")])
    wrong = dict(data, from_location=shelf.pk, to_location=shelf.pk)
    response = client.post(reverse("transfer-create"), wrong)
    assert response.status_code == 200
    assert "The location is not in that warehouse." in response.content.decode()
    assert on_hand(product, other_warehouse) == 0
    response = client.post(
        reverse("transfer-create"),
        dict(data, from_location=shelf.pk, to_location=target.pk),
    )
    assert response.status_code == 302
    held = dict(
        LocationStockLevel.objects.filter(product=product).values_list(
            "location__code", "on_hand"
        )
    )
    assert held == {"A-01": 5, "B-02": 2, "C-03": 3}
