"""Stock by location: every movement in a warehouse with locations names one,
and the locations add up to the warehouse, whatever moved and whatever was
counted."""

import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import InvalidInput
from returns.services.intake import ReturnLineInput, return_create
from returns.services.review import return_receive, return_resolve, return_review
from stock.errors import InsufficientStock
from stock.models import (
    Location,
    LocationKind,
    LocationStockLevel,
    MovementKind,
    ReferenceType,
    StockLevel,
    StockMovement,
    Warehouse,
)
from stock.selectors import stock_reconcile, today_activity_get
from stock.selectors.picking import order_pick_list, pick_allocate
from stock.services.operations import (
    TransferLineInput,
    stock_adjust,
    stocktake_confirm,
    stocktake_create,
    stocktake_record_counts,
    transfer_create,
    warehouse_locations_prepare,
)
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests import factories

pytestmark = pytest.mark.django_db


def on_hand(product, warehouse) -> int:
    level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
    return level.on_hand if level else 0


def in_bin(product, location) -> int:
    """What the ledger says is in the location (the sum of its movements)."""
    total = StockMovement.objects.filter(product=product, location=location).aggregate(
        total=Sum("quantity")
    )["total"]
    return total or 0


def bins(product, warehouse) -> dict[str, int]:
    """The location balances, by code, without the empty ones."""
    return dict(
        LocationStockLevel.objects.filter(
            product=product, warehouse=warehouse, on_hand__gt=0
        )
        .order_by("location__code")
        .values_list("location__code", "on_hand")
    )


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def receive(product, warehouse, quantity, location, actor):
    order = purchase_order_create(
        supplier=factories.supplier(),
        warehouse=warehouse,
        lines=[PurchaseLineInput(product, quantity)],
        actor=actor,
    )
    purchase_order_send(purchase_order=order, actor=actor)
    return purchase_order_receive(
        purchase_order=order,
        quantities={order.lines.get().pk: quantity},
        actor=actor,
        location=location,
    )


@pytest.fixture
def bin_b(warehouse):
    return Location.objects.create(warehouse=warehouse, code="B-02")


# --- the scenario -------------------------------------------------------


def test_counting_the_bin_a_shipment_took_from_keeps_on_hand_exact(
    product, warehouse, shop_a, staff_user, manager_user
):
    bin_a = warehouse.locations.get(code="A-01")
    receive(product, warehouse, 10, bin_a, staff_user)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="B-1", lines=[OrderLineInput(product, 4)]
    )
    sales_order_ship(order=order, actor=staff_user)
    sheet = stocktake_create(warehouse=warehouse, location=bin_a, actor=staff_user)
    line = sheet.lines.get()
    assert line.expected == 6
    stocktake_record_counts(stocktake=sheet, counts={line.pk: 6}, actor=staff_user)
    stocktake_confirm(stocktake=sheet, actor=manager_user)
    assert on_hand(product, warehouse) == 6
    assert in_bin(product, bin_a) == 6
    assert stock_reconcile() == []


def test_the_bin_count_scenario_through_the_web_forms(
    product, warehouse, shop_a, staff_user, manager_user
):
    bin_a = warehouse.locations.get(code="A-01")
    receive(product, warehouse, 10, bin_a, staff_user)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="B-2", lines=[OrderLineInput(product, 4)]
    )
    staff = login(staff_user)
    assert staff.post(reverse("order-ship", args=[order.pk])).status_code == 302
    response = staff.post(
        reverse("count-create"), {"warehouse": warehouse.pk, "location": bin_a.pk}
    )
    assert response.status_code == 302, response.content.decode()
    sheet = warehouse.stocktakes.get()
    line = sheet.lines.get()
    response = staff.post(
        reverse("count-detail", args=[sheet.pk]), {f"line_{line.pk}": "6"}
    )
    assert response.status_code == 302
    response = login(manager_user).post(reverse("count-confirm", args=[sheet.pk]))
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.variance == 0
    assert on_hand(product, warehouse) == 6
    assert in_bin(product, bin_a) == 6
    assert stock_reconcile() == []


# --- where each movement goes ---------------------------------------------------


def test_the_pick_rule_takes_the_pick_location_first_then_the_fullest():
    held = {1: (3, "C-01"), 2: (5, "B-01"), 3: (5, "A-09"), 4: (0, "A-01")}
    assert pick_allocate(quantity=9, bins=held, first=1) == (
        [(1, 3), (3, 5), (2, 1)],
        0,
    )
    assert pick_allocate(quantity=20, bins=held, first=4) == (
        [(3, 5), (2, 5), (1, 3)],
        7,
    )


def test_a_shipment_is_picked_over_bins_and_the_order_page_says_where(
    product, warehouse, bin_b, shop_a, staff_user
):
    bin_a = warehouse.locations.get(code="A-01")
    factories.stock(product, warehouse, 2, location=bin_a)
    factories.stock(product, warehouse, 5, location=bin_b)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="P-1", lines=[OrderLineInput(product, 4)]
    )
    assert [
        (p.location, p.quantity) for p in order_pick_list(order=order)[product.pk]
    ] == [
        ("A-01", 2),
        ("B-02", 2),
    ]
    staff = login(staff_user)
    page = staff.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "A-01 × 2" in page and "B-02 × 2" in page
    staff.post(reverse("order-ship", args=[order.pk]))
    shipped = StockMovement.objects.filter(kind=MovementKind.SHIPMENT)
    assert sorted(shipped.values_list("location__code", "quantity")) == [
        ("A-01", -2),
        ("B-02", -2),
    ]
    # The ledger's balance after each piece is the warehouse's, in order.
    assert sorted(shipped.values_list("balance_after", flat=True)) == [3, 5]
    assert bins(product, warehouse) == {"B-02": 3}
    # One order line shipped, though picked from two locations.
    activity = today_activity_get()
    assert (activity.shipments, activity.shipment_units) == (1, 4)
    page = staff.get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "A-01 × 2" in page and "B-02 × 2" in page  # what was picked
    assert stock_reconcile() == []


def test_receipts_go_to_the_named_or_the_default_receiving_location(
    product, warehouse, bin_b, staff_user
):
    receiving = Location.objects.create(
        warehouse=warehouse, code="RCV", kind=LocationKind.RECEIVING
    )
    Warehouse.objects.filter(pk=warehouse.pk).update(
        default_receiving_location=receiving
    )
    receive(product, warehouse, 3, None, staff_user)
    receive(product, warehouse, 4, bin_b, staff_user)
    assert bins(product, warehouse) == {"B-02": 4, "RCV": 3}
    assert on_hand(product, warehouse) == 7
    page = login(staff_user).get(product.get_absolute_url()).content.decode()
    assert "B-02 × 4" in page and "RCV × 3" in page  # where the product is
    assert stock_reconcile() == []


def test_a_transfer_moves_out_of_and_into_named_or_default_locations(
    product, warehouse, other_warehouse, bin_b, staff_user
):
    factories.stock(product, warehouse, 6, location=bin_b)
    factories.stock(product, warehouse, 1)  # the default: A-01
    target = Location.objects.create(warehouse=other_warehouse, code="Z-09")
    transfer_create(
        from_warehouse=warehouse,
        to_warehouse=other_warehouse,
        lines=[TransferLineInput(product, 2)],
        from_location=bin_b,
        to_location=target,
        actor=staff_user,
    )
    assert bins(product, warehouse) == {"A-01": 1, "B-02": 4}
    assert bins(product, other_warehouse) == {"Z-09": 2}
    transfer_create(
        from_warehouse=warehouse,
        to_warehouse=other_warehouse,
        lines=[TransferLineInput(product, 3)],
        actor=staff_user,
    )
    # Picked: the pick location A-01 first, then the fullest; into A-01 there.
    assert bins(product, warehouse) == {"B-02": 2}
    assert bins(product, other_warehouse) == {"A-01": 3, "Z-09": 2}
    with pytest.raises(InsufficientStock, match=f"{warehouse.code}/A-01"):
        transfer_create(
            from_warehouse=warehouse,
            to_warehouse=other_warehouse,
            lines=[TransferLineInput(product, 1)],
            from_location=warehouse.locations.get(code="A-01"),
            actor=staff_user,
        )
    with pytest.raises(InvalidInput, match="source warehouse"):
        transfer_create(
            from_warehouse=warehouse,
            to_warehouse=other_warehouse,
            lines=[TransferLineInput(product, 1)],
            from_location=target,
            actor=staff_user,
        )
    assert on_hand(product, warehouse) == 2
    assert stock_reconcile() == []


def test_a_named_location_that_lacks_the_stock_is_refused_naming_it(
    product, warehouse, bin_b, staff_user
):
    factories.stock(product, warehouse, 5, location=bin_b)
    movements = StockMovement.objects.count()
    with pytest.raises(InsufficientStock) as error:
        stock_adjust(
            product=product,
            warehouse=warehouse,
            quantity=-1,
            reason="broken",
            actor=staff_user,
        )
    # No location named: a loss comes out of the default picking location.
    assert error.value.shortages[0].warehouse == f"{warehouse.code}/A-01"
    assert StockMovement.objects.count() == movements
    movement = stock_adjust(
        product=product,
        warehouse=warehouse,
        quantity=-2,
        reason="broken",
        actor=staff_user,
        location=bin_b,
    )
    assert (movement.location, movement.balance_after) == (bin_b, 3)
    found = stock_adjust(
        product=product,
        warehouse=warehouse,
        quantity=1,
        reason="found",
        actor=staff_user,
    )
    assert found.location.code == "A-01"
    assert bins(product, warehouse) == {"A-01": 1, "B-02": 3}
    assert stock_reconcile() == []


def test_a_whole_warehouse_count_stays_exact_in_its_locations(
    product, warehouse, bin_b, staff_user, manager_user
):
    factories.stock(product, warehouse, 3, location=bin_b)
    factories.stock(product, warehouse, 2)
    for counted, expected in ((2, {"B-02": 2}), (6, {"A-01": 4, "B-02": 2})):
        sheet = stocktake_create(warehouse=warehouse, actor=staff_user)
        line = sheet.lines.get()
        stocktake_record_counts(
            stocktake=sheet, counts={line.pk: counted}, actor=staff_user
        )
        stocktake_confirm(stocktake=sheet, actor=manager_user)
        assert on_hand(product, warehouse) == counted
        assert bins(product, warehouse) == expected
    assert stock_reconcile() == []


def test_a_restocked_return_goes_to_the_default_receiving_location(
    product, warehouse, bin_b, shop_a, staff_user
):
    Warehouse.objects.filter(pk=warehouse.pk).update(default_receiving_location=bin_b)
    factories.stock(
        product, warehouse, 3, location=warehouse.locations.get(code="A-01")
    )
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="R-1", lines=[OrderLineInput(product, 2)]
    )
    sales_order_ship(order=order, actor=staff_user)
    request, _ = return_create(
        order_reference="R-1",
        lines=[ReturnLineInput(product, 2)],
        shop=shop_a[0],
        reason_text="too small",
    )
    return_review(
        request=request,
        category="changed_mind",
        disposition="restock",
        actor=staff_user,
    )
    return_receive(request=request, actor=staff_user)
    return_resolve(request=request, actor=staff_user)
    assert bins(product, warehouse) == {"A-01": 1, "B-02": 2}
    assert stock_reconcile() == []


def test_a_warehouse_without_locations_keeps_working_without_them(
    product, shop_a, staff_user
):
    plain = Warehouse.objects.create(code="plain", name="No bins")
    factories.stock(product, plain, 5)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="N-1", lines=[OrderLineInput(product, 2)]
    )
    sales_order_ship(order=order, actor=staff_user)
    assert on_hand(product, plain) == 3
    assert not LocationStockLevel.objects.exists()
    assert order_pick_list(order=order) == {}
    assert stock_reconcile() == []


def test_a_warehouse_getting_its_first_location_places_its_stock_there(
    product, staff_user
):
    plain = Warehouse.objects.create(code="later", name="Bins later")
    factories.stock(product, plain, 5)
    with transaction.atomic():
        first = Location.objects.create(warehouse=plain, code="A-01")
        assert warehouse_locations_prepare(warehouse=plain, actor=staff_user) == 5
    plain.refresh_from_db()
    assert plain.default_receiving_location == first
    assert plain.default_pick_location == first
    assert bins(product, plain) == {"A-01": 5}
    assert on_hand(product, plain) == 5
    assert stock_reconcile() == []
    assert warehouse_locations_prepare(warehouse=plain) == 0  # nothing left to place


# --- proving it -------------------------------------------------------------------


def test_reconcile_finds_a_tampered_location_balance(product, warehouse, bin_b):
    factories.stock(product, warehouse, 4, location=bin_b)
    assert stock_reconcile() == []
    LocationStockLevel.objects.filter(location=bin_b).update(on_hand=F("on_hand") + 1)
    (difference,) = stock_reconcile()
    assert (difference.location_id, difference.balance, difference.expected) == (
        bin_b.pk,
        5,
        4,
    )
    with pytest.raises(CommandError, match="1 difference"):
        call_command("stock_reconcile")
    # Put it back: on PostgreSQL the test's teardown checks deferred
    # constraints, and the guard would refuse the tampered balance.
    LocationStockLevel.objects.filter(location=bin_b).update(on_hand=F("on_hand") - 1)


def test_reconcile_finds_a_movement_posted_outside_every_location(
    product, warehouse, capsys
):
    """What the old code wrote for every shipment: the warehouse went down, no
    location did."""
    factories.stock(product, warehouse, 10)
    StockMovement.objects.create(
        product=product,
        warehouse=warehouse,
        quantity=-4,
        balance_after=6,
        kind=MovementKind.SHIPMENT,
        reference_type=ReferenceType.MANUAL,
        created_at=timezone.now(),
    )
    with connection.cursor() as cursor:  # as the old ledger did, bins untouched
        cursor.execute(
            "UPDATE stock_stocklevel SET on_hand = 6 WHERE product_id = %s",
            [product.pk],
        )
    (difference,) = stock_reconcile()
    assert (difference.field, difference.balance, difference.expected) == (
        "locations",
        10,
        6,
    )
    with pytest.raises(CommandError):
        call_command("stock_reconcile")
    assert (
        "its locations hold 10, the warehouse level says 6" in capsys.readouterr().err
    )
    # The PostgreSQL guard refuses these books when the test's teardown checks
    # deferred constraints: make the locations add up (the ledger stays wrong).
    LocationStockLevel.objects.filter(product=product).update(on_hand=6)


def test_the_data_migration_makes_old_books_exact_by_location(product, warehouse):
    """Receive 10 into A-01, ship 4 with no location (the old ledger), count
    A-01 at 6 (the old bug: on hand 2). The migration places every unit the
    ledger holds, so each location's ledger equals its balance."""
    migration = importlib.import_module(
        "stock.migrations.0008_place_stock_in_locations"
    )
    bin_a = warehouse.locations.get(code="A-01")
    Warehouse.objects.filter(pk=warehouse.pk).update(
        default_receiving_location=None, default_pick_location=None
    )
    now = timezone.now()
    old = [
        (10, bin_a, "receipt"),
        (-4, None, "shipment"),
        (-4, bin_a, "count_correction"),
    ]
    running = 0
    for quantity, location, kind in old:
        running += quantity
        StockMovement.objects.create(
            product=product,
            warehouse=warehouse,
            location=location,
            quantity=quantity,
            balance_after=running,
            kind=kind,
            reference_type=ReferenceType.MANUAL,
            created_at=now,
        )
    StockLevel.objects.create(product=product, warehouse=warehouse, on_hand=2)
    migration.place_stock(apps, None)
    warehouse.refresh_from_db()
    assert warehouse.default_pick_location == bin_a
    assert warehouse.default_receiving_location == bin_a
    assert bins(product, warehouse) == {"A-01": 2}
    assert in_bin(product, bin_a) == 2
    assert stock_reconcile() == []


@pytest.mark.postgres
def test_postgres_refuses_locations_that_do_not_add_up(product, warehouse):
    factories.stock(product, warehouse, 3)
    with (
        pytest.raises(IntegrityError, match="its locations hold 3"),
        transaction.atomic(),
    ):
        StockLevel.objects.filter(product=product).update(on_hand=4)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with pytest.raises(IntegrityError, match="locations"), transaction.atomic():
        plain = Warehouse.objects.create(code="plain", name="No bins yet")
        factories.stock(product, plain, 2)
        Location.objects.create(warehouse=plain, code="A-01")  # stock in none
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_admin_adding_a_warehouses_first_location_places_its_stock(
    product, admin_user
):
    plain = Warehouse.objects.create(code="late", name="Bins later")
    factories.stock(product, plain, 4)
    client = login(admin_user)
    response = client.post(
        reverse("admin:stock_location_add"),
        {"warehouse": plain.pk, "code": "A-01", "kind": "storage", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plain.refresh_from_db()
    assert plain.default_pick_location.code == "A-01"
    assert bins(product, plain) == {"A-01": 4}
    assert stock_reconcile() == []
    page = client.get(reverse("admin:stock_warehouse_change", args=[plain.pk]))
    assert page.status_code == 200


def test_the_transfer_api_takes_location_codes(
    product, warehouse, other_warehouse, bin_b, staff_user
):
    from tests.conftest import user_client

    factories.stock(product, warehouse, 5, location=bin_b)
    factories.stock(product, warehouse, 5)
    api = user_client(staff_user)
    body = {
        "from_warehouse": warehouse.code,
        "to_warehouse": other_warehouse.code,
        "from_location": "B-02",
        "lines": [{"sku": product.sku, "quantity": 2}],
    }
    response = api.post("/api/v1/transfers/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["from_location"], response.json()["to_location"]) == (
        "B-02",
        None,
    )
    assert bins(product, warehouse) == {"A-01": 5, "B-02": 3}
    assert bins(product, other_warehouse) == {"A-01": 2}
    response = api.post(
        "/api/v1/transfers/", dict(body, to_location="NOPE"), format="json"
    )
    assert response.status_code == 400
    assert "to_location" in response.json()["errors"]
    assert bins(product, warehouse) == {"A-01": 5, "B-02": 3}
