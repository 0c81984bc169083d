"""The main forms, submitted in a real browser: what the user sees afterwards and
what the database holds."""

import pytest
from django.urls import reverse

from forecasting.models import ReplenishmentSuggestion, SuggestionStatus
from returns.models import ReasonCategory
from stock.models import (
    MovementKind,
    PurchaseOrderStatus,
    SalesOrderStatus,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeStatus,
)
from tests.e2e.support import expect, needs_browser

pytestmark = [pytest.mark.e2e, needs_browser]


def level(product, warehouse) -> tuple[int, int]:
    found = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
    return (found.on_hand, found.reserved) if found else (0, 0)


def test_staff_receive_a_purchase_order(screen, floor):
    mug_before, _ = level(floor.mug, floor.main)
    lid_before, _ = level(floor.lid, floor.main)
    lines = {line.product.sku: line.pk for line in floor.po.lines.all()}
    page = screen.page
    screen.login(floor.staff)
    screen.open(reverse("purchase-order-list"))
    row = page.locator("tbody tr", has_text=str(floor.po))
    screen.submit(row.get_by_role("link", name="Receive"))
    page.locator(f"#id_line_{lines['MUG-001']}").fill("6")
    page.locator(f"#id_line_{lines['LID-001']}").fill("4")
    location = floor.main.locations.get(code="A-01")
    page.locator("#id_location").select_option(str(location.pk))
    screen.submit(page.get_by_role("button", name="Receive", exact=True))

    expect(screen.success_message()).to_have_text(
        f"Received on {floor.po}; it is now partially received."
    )
    expect(page.locator("h1 .badge")).to_have_text("partially received")
    expect(page.locator("tbody tr", has_text="LID-001")).to_contain_text("complete")
    screen.settle()
    floor.po.refresh_from_db()
    assert floor.po.status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    assert level(floor.mug, floor.main)[0] == mug_before + 6
    assert level(floor.lid, floor.main)[0] == lid_before + 4
    receipt = StockMovement.objects.filter(
        kind=MovementKind.RECEIPT, product=floor.mug, reference_type="purchase_order"
    ).get()
    assert (receipt.quantity, receipt.location, receipt.actor_user) == (
        6,
        location,
        floor.staff,
    )


def test_staff_ship_an_order(screen, floor):
    on_hand, reserved = level(floor.mug, floor.main)
    page = screen.page
    screen.login(floor.staff)
    screen.open(reverse("order-list"))
    screen.submit(page.get_by_role("link", name="E2E-1", exact=True))
    expect(page.locator("h1")).to_contain_text("Order E2E-1")
    screen.submit(page.get_by_role("button", name="Ship this order"))

    assert page.url.endswith(reverse("order-list"))
    expect(screen.success_message()).to_have_text("Order E2E-1 shipped.")
    expect(page.get_by_role("link", name="E2E-1", exact=True)).to_have_count(0)
    screen.settle()
    floor.order.refresh_from_db()
    assert floor.order.status == SalesOrderStatus.SHIPPED
    assert level(floor.mug, floor.main) == (on_hand - 3, reserved - 3)
    shipment = StockMovement.objects.get(
        kind=MovementKind.SHIPMENT, reference_id=str(floor.order.pk), product=floor.mug
    )
    assert (shipment.quantity, shipment.actor_user) == (-3, floor.staff)


def test_staff_transfer_between_warehouses(screen, floor):
    main_before, _ = level(floor.mug, floor.main)
    page = screen.page
    screen.login(floor.staff)
    screen.open(reverse("transfer-create"))
    page.locator("#id_from_warehouse").select_option(str(floor.main.pk))
    page.locator("#id_to_warehouse").select_option(str(floor.east.pk))
    page.locator("#id_lines-0-sku").fill("mug-001")
    page.locator("#id_lines-0-quantity").fill("4")
    page.locator("#id_note").fill("for the east shop window")
    screen.submit(page.get_by_role("button", name="Transfer", exact=True))

    expect(screen.success_message()).to_contain_text("from main to east done.")
    screen.settle()
    assert level(floor.mug, floor.main)[0] == main_before - 4
    assert level(floor.mug, floor.east)[0] == 4
    moved = StockMovement.objects.filter(reference_type="transfer")
    assert set(moved.values_list("kind", "quantity")) == {
        (MovementKind.TRANSFER_OUT, -4),
        (MovementKind.TRANSFER_IN, 4),
    }


def test_staff_count_a_location_and_a_manager_confirms(screen, second_screen, floor):
    on_hand, _ = level(floor.mug, floor.main)
    location = floor.main.locations.get(code="A-01")
    page = screen.page
    screen.login(floor.staff)
    screen.open(reverse("count-list"))
    screen.submit(page.get_by_role("link", name="Start a count"))
    page.locator("#id_warehouse").select_option(str(floor.main.pk))
    page.locator("#id_location").select_option(str(location.pk))
    screen.submit(page.get_by_role("button", name="Create count sheet"))
    expect(screen.success_message()).to_contain_text("is ready to count.")
    screen.settle()
    sheet = Stocktake.objects.exclude(pk=floor.sheet.pk).get()
    assert sheet.location == location
    (line,) = sheet.lines.all()  # only the mug is on the books at A-01
    assert line.product == floor.mug
    # Staff count blind: the page does not tell them the book quantity.
    expect(page.get_by_text("Book quantity")).to_have_count(0)
    page.locator(f"#id_line_{line.pk}").fill(str(line.expected - 2))
    screen.submit(page.get_by_role("button", name="Save counts and submit"))
    expect(screen.success_message()).to_contain_text("awaits a manager's confirmation")
    expect(
        page.get_by_role("button", name="Confirm and post differences")
    ).to_have_count(0)

    manager = second_screen
    manager.login(floor.manager)
    manager.open(reverse("count-detail", args=[sheet.pk]))
    expect(manager.page.get_by_text("Book quantity")).to_be_visible()
    # The review page first: the difference and its value, then the button.
    manager.submit(
        manager.page.get_by_role("link", name="Review differences and confirm")
    )
    expect(manager.page.locator("[data-total='units']")).to_have_text("-2")
    manager.submit(
        manager.page.get_by_role("button", name="Confirm and post differences")
    )
    expect(manager.success_message()).to_have_text(
        f"{sheet} confirmed; differences were posted to the ledger."
    )
    expect(manager.page.locator("h1 .badge")).to_have_text("confirmed")
    expect(manager.page.locator("tbody tr", has_text="MUG-001")).to_contain_text("-2")
    manager.settle()
    sheet.refresh_from_db()
    assert sheet.status == StocktakeStatus.CONFIRMED
    assert (sheet.counted_by, sheet.confirmed_by) == (floor.staff, floor.manager)
    assert level(floor.mug, floor.main)[0] == on_hand - 2
    correction = StockMovement.objects.get(kind=MovementKind.COUNT_CORRECTION)
    assert (correction.quantity, correction.actor_user) == (-2, floor.manager)


def test_manager_approve_a_suggestion(screen, floor, forecasted):
    suggestion = (
        ReplenishmentSuggestion.objects.filter(
            status=SuggestionStatus.OPEN, supplier__isnull=False
        )
        .select_related("product", "supplier")
        .order_by("pk")
        .first()
    )
    assert suggestion is not None, "the retrain builds suggestions for low stock"
    page = screen.page
    screen.login(floor.manager)
    screen.open(reverse("suggestion-queue"))
    # The queue is one form: each row carries its quantity and its buttons.
    row = page.locator(f'tr[data-id="{suggestion.pk}"]')
    expect(row.locator(f'input[name="qty-{suggestion.pk}"]')).to_have_value(
        str(suggestion.quantity)
    )
    screen.submit(row.get_by_role("button", name="Approve"))

    expect(screen.success_message()).to_have_text(
        "Approved 1 suggestion: added to the draft purchase orders."
    )
    expect(page.locator(f'tr[data-id="{suggestion.pk}"]')).to_have_count(0)
    screen.settle()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.APPROVED
    assert (suggestion.decided_by, suggestion.approved_quantity) == (
        floor.manager,
        suggestion.quantity,
    )
    line = suggestion.purchase_order_line
    po = line.purchase_order
    assert po.status == PurchaseOrderStatus.DRAFT
    assert (po.supplier, po.warehouse) == (suggestion.supplier, suggestion.warehouse)
    assert (line.product, line.quantity_ordered) == (
        suggestion.product,
        suggestion.quantity,
    )
    # The manager finds the draft where the README says: ready to send.
    screen.open(f"{reverse('purchase-order-list')}?status=draft")
    draft = page.locator("tbody tr", has_text=str(po))
    expect(draft).to_contain_text(str(suggestion.supplier))
    expect(draft.get_by_role("link", name="Review and send")).to_be_visible()


def test_staff_correct_a_returns_class(screen, floor, returned):
    assert returned.classification_status == "done"
    corrected = next(
        value
        for value in (ReasonCategory.WRONG_ITEM, ReasonCategory.DEFECTIVE)
        if value != returned.predicted_category
    )
    page = screen.page
    screen.login(floor.staff)
    screen.open(reverse("return-queue"))
    screen.submit(page.get_by_role("link", name=str(returned), exact=True))
    expect(
        page.get_by_text(str(returned.get_predicted_category_display())).first
    ).to_be_visible()
    page.locator("#id_category").select_option(corrected.value)
    page.locator("#id_disposition").select_option("return_to_vendor")
    screen.submit(page.get_by_role("button", name="Accept or correct"))

    expect(screen.success_message()).to_have_text(
        f"{returned}: {corrected.label}, return to vendor."
    )
    expect(page.get_by_text("Decided:")).to_contain_text(str(corrected.label))
    screen.settle()
    returned.refresh_from_db()
    assert (returned.category, returned.disposition) == (
        corrected.value,
        "return_to_vendor",
    )
    assert returned.reviewed_by == floor.staff
    assert returned.predicted_category != corrected.value
    # Once decided, the return leaves the queue of returns waiting for a person.
    screen.open(reverse("return-queue"))
    expect(page.get_by_role("link", name=str(returned), exact=True)).to_have_count(0)


def test_staff_open_a_return_on_a_390px_phone(screen, floor):
    from returns.models import ReturnRequest

    page = screen.page
    page.set_viewport_size({"width": 390, "height": 844})
    screen.login(floor.staff)
    screen.open(reverse("return-queue"))
    screen.submit(page.get_by_role("link", name="Open a return"))
    page.get_by_label("Order reference").fill("E2E-0")
    screen.submit(page.get_by_role("button", name="Find the order"))
    expect(page.locator("main")).to_contain_text("shipped 2, returnable 2")
    page.get_by_label("Return MUG-001").fill("1")
    page.get_by_label("Customer's reason").fill("cracked on arrival")
    # Nothing sticks out sideways: the page fits the phone's width.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide"
    screen.submit(page.get_by_role("button", name="Open the return"))

    screen.settle()
    opened = ReturnRequest.objects.get()
    assert page.url.endswith(reverse("return-detail", args=[opened.pk]))
    expect(screen.success_message()).to_have_text(f"{opened} opened.")
    assert (opened.sales_order.external_id, opened.created_by) == ("E2E-0", floor.staff)
    assert [(line.product, line.quantity) for line in opened.lines.all()] == [
        (floor.mug, 1)
    ]
