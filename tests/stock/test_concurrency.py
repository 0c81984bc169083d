"""Real threads on PostgreSQL: the ledger stays exact under contention."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from stock.models import (
    MovementKind,
    SalesOrder,
    StockLevel,
    StockMovement,
)
from stock.selectors import stock_reconcile
from stock.services.operations import TransferLineInput, transfer_create
from stock.services.orders import OrderLineInput, sales_order_create
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_threads(calls, workers=8):
    def closing(call):
        try:
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(closing, calls))


def test_200_reservations_of_1_against_100_available(
    product, warehouse, shop_a, settings
):
    # The shop's request bucket is not under test: 200 orders sent faster
    # than it refills (120 at once, 20 a second) would meet a 429.
    settings.STOCKWISE_API_SHOP_BURST = 1000
    factories.stock(product, warehouse, 100)
    key = shop_a[1]

    def reserve(n):
        def call():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
            return client.post(
                "/api/v1/orders/",
                {
                    "external_id": f"C-{n}",
                    "lines": [{"sku": product.sku, "quantity": 1}],
                },
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"key-{n}",
            ).status_code

        return call

    statuses = run_threads([reserve(n) for n in range(200)])
    assert statuses.count(201) == 100
    assert statuses.count(409) == 100
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.reserved, level.available) == (100, 100, 0)
    assert SalesOrder.objects.count() == 100
    assert stock_reconcile() == []


def test_200_shipments_of_1_from_1000_on_hand(product, warehouse, shop_a, staff_user):
    factories.stock(product, warehouse, 1000)
    orders = [
        sales_order_create(
            shop=shop_a[0], external_id=f"S-{n}", lines=[OrderLineInput(product, 1)]
        )[0]
        for n in range(200)
    ]

    def ship(order_id):
        def call():
            client = APIClient()
            client.force_login(staff_user)
            return client.post(f"/api/v1/orders/{order_id}/ship/").status_code

        return call

    # Every order is sent twice at once: a double click must not ship twice.
    statuses = run_threads([ship(o.pk) for o in orders for _ in range(2)])
    assert statuses.count(200) == 200
    assert statuses.count(409) == 200
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.reserved) == (800, 0)
    assert StockMovement.objects.filter(kind=MovementKind.SHIPMENT).count() == 200
    assert stock_reconcile() == []


def test_opposite_transfers_at_the_same_time_do_not_deadlock(
    warehouse, other_warehouse, staff_user
):
    products = [factories.product() for _ in range(4)]
    for p in products:
        factories.stock(p, warehouse, 100)
        factories.stock(p, other_warehouse, 100)

    def move(n):
        def call():
            source, target = (
                (warehouse, other_warehouse) if n % 2 else (other_warehouse, warehouse)
            )
            # Lines in a different order each time, to invite lock-order trouble.
            ordered = products if n % 3 else list(reversed(products))
            transfer_create(
                from_warehouse=source,
                to_warehouse=target,
                lines=[TransferLineInput(p, 1) for p in ordered],
                actor=staff_user,
            )
            return True

        return call

    assert all(run_threads([move(n) for n in range(80)]))
    for p in products:
        total = sum(
            StockLevel.objects.filter(product=p).values_list("on_hand", flat=True)
        )
        assert total == 200
    assert stock_reconcile() == []


def test_same_idempotency_key_at_once_creates_one_order(product, warehouse, shop_a):
    factories.stock(product, warehouse, 50)
    key = shop_a[1]

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        response = client.post(
            "/api/v1/orders/",
            {"external_id": "SAME", "lines": [{"sku": product.sku, "quantity": 2}]},
            format="json",
            HTTP_IDEMPOTENCY_KEY="one-key",
        )
        return response.status_code, response.json()["id"]

    results = run_threads([send] * 16)
    assert {status for status, _ in results} == {201}
    assert len({order_id for _, order_id in results}) == 1
    assert StockLevel.objects.get(product=product).reserved == 2


def test_two_managers_approving_one_suggestion_make_one_po_line(
    product, warehouse, manager_user
):
    from forecasting.models import ReplenishmentSuggestion
    from stock.models import PurchaseOrderLine

    other_manager = factories.user("manager")
    supplier = factories.supplier()
    suggestions = [
        factories.suggestion(factories.product(), warehouse, supplier) for _ in range(6)
    ]

    def approve(user, pk):
        def call():
            client = APIClient()
            client.force_login(user)
            return client.post(
                f"/api/v1/suggestions/{pk}/approve/", {}, format="json"
            ).status_code

        return call

    calls = [
        approve(u, s.pk) for s in suggestions for u in (manager_user, other_manager)
    ]
    statuses = run_threads(calls)
    assert statuses.count(200) == 6 and statuses.count(409) == 6
    lines = PurchaseOrderLine.objects.all()
    assert lines.count() == 6
    assert {line.purchase_order_id for line in lines} == {
        lines[0].purchase_order_id
    }  # one draft for the supplier and warehouse
    assert set(ReplenishmentSuggestion.objects.values_list("status", flat=True)) == {
        "approved"
    }


def test_picks_counts_and_transfers_over_locations_at_once(
    warehouse, other_warehouse, shop_a, staff_user, manager_user
):
    """Shipments picking over several locations, location counts and
    transfers between named and default locations, all at once: no deadlock
    (every writer locks the level row, then its locations by id), and every
    location still adds up."""
    from stock.models import Location, LocationStockLevel
    from stock.services.operations import (
        stocktake_confirm,
        stocktake_create,
        stocktake_record_counts,
    )
    from stock.services.orders import sales_order_ship

    products = [factories.product() for _ in range(3)]
    shelves = [warehouse.locations.get(code="A-01")] + [
        Location.objects.create(warehouse=warehouse, code=code)
        for code in ("B-02", "C-03")
    ]
    target = Location.objects.create(warehouse=other_warehouse, code="Z-09")
    for p in products:
        for shelf in shelves:
            factories.stock(p, warehouse, 40, location=shelf)
    orders = [
        sales_order_create(
            shop=shop_a[0],
            external_id=f"L-{n}",
            lines=[OrderLineInput(p, 3) for p in products],
            warehouse=warehouse,
        )[0]
        for n in range(20)
    ]
    sheets = []
    for shelf in shelves[1:]:
        sheet = stocktake_create(
            warehouse=warehouse, location=shelf, products=products, actor=staff_user
        )
        stocktake_record_counts(
            stocktake=sheet,
            counts={line.pk: line.expected + 1 for line in sheet.lines.all()},
            actor=staff_user,
        )
        sheets.append(sheet)

    def ship(order):
        return lambda: bool(sales_order_ship(order=order, actor=staff_user))

    def confirm(sheet):
        return lambda: bool(stocktake_confirm(stocktake=sheet, actor=manager_user))

    def move(n):
        def call():
            ordered = products if n % 2 else list(reversed(products))
            transfer_create(
                from_warehouse=warehouse,
                to_warehouse=other_warehouse,
                lines=[TransferLineInput(p, 1) for p in ordered],
                # A-01 is picked first and runs dry; the others hold enough.
                from_location=shelves[1 + n % 2] if n % 4 else None,
                to_location=target if n % 3 else None,
                actor=staff_user,
            )
            return True

        return call

    calls = [ship(o) for o in orders] + [confirm(s) for s in sheets]
    calls += [move(n) for n in range(20)]
    calls = [calls[i] for i in sorted(range(len(calls)), key=lambda i: (i * 7) % 42)]
    assert all(run_threads(calls))
    for p in products:
        level = StockLevel.objects.get(product=p, warehouse=warehouse)
        # 120 in, 60 shipped, 20 transferred, and what the counts corrected
        # (against the books when each was confirmed, so timing decides it).
        corrected = sum(
            StockMovement.objects.filter(
                product=p, kind=MovementKind.COUNT_CORRECTION
            ).values_list("quantity", flat=True)
        )
        assert level.on_hand == 120 - 60 - 20 + corrected
        held = LocationStockLevel.objects.filter(product=p, warehouse=warehouse)
        assert sum(held.values_list("on_hand", flat=True)) == level.on_hand
        assert min(held.values_list("on_hand", flat=True)) >= 0
        # Each counted location: the count, plus what moved there after its
        # correction (the book was read under the level's lock).
        for sheet in sheets:
            # Counted one more than the book when made; shelves only lose stock
            # meanwhile, so every confirmation posts a correction.
            counted = sheet.lines.get(product=p).counted
            correction = StockMovement.objects.get(
                reference_type="stocktake", reference_id=str(sheet.pk), product=p
            )
            after = StockMovement.objects.filter(
                product=p, location=sheet.location, pk__gt=correction.pk
            )
            moved = sum(after.values_list("quantity", flat=True))
            assert held.get(location=sheet.location).on_hand == counted + moved
    assert stock_reconcile() == []
