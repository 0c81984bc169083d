"""Staff on a desktop (1366 px) and on a phone (390 px) with a keyboard-wedge
scanner: receive and count by scanning barcodes, confirm a count over the
variance limit, open and grade a return, and never a page wider than the screen."""

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.services import product_barcode_add
from notifications.models import Alert, AlertKind, AlertRule, RuleScope
from returns.models import ItemCondition, ReturnRequest
from stock.models import MovementKind, StockLevel, StockMovement, StocktakeStatus
from tests.e2e.support import Screen, expect, needs_browser

pytestmark = [pytest.mark.e2e, needs_browser]

MUG_EAN = "4006381333931"
LID_UPC = "036000291452"
WIDTHS = [1366, 390]


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized(request, browser, live_server):
    """A fresh browser context (no cookies) of the width asked, and its tab."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": request.param, "height": 900},
        has_touch=request.param < 800,
    )
    context.set_default_timeout(30_000)
    tab = Screen(context.new_page())
    tab.width = request.param
    yield tab
    context.close()
    tab.assert_clean()


@pytest.fixture
def labelled(floor):
    product_barcode_add(product=floor.mug, code=MUG_EAN)
    product_barcode_add(product=floor.lid, code=LID_UPC)
    # An open alert: its row carries the snooze form and its hidden labels.
    rule = AlertRule.objects.create(
        name="low 5", kind=AlertKind.LOW_STOCK, threshold=5, scope=RuleScope.ALL
    )
    Alert.objects.create(
        rule=rule,
        kind=rule.kind,
        product=floor.mug,
        warehouse=floor.main,
        message="low",
        value=3,
        opened_at=timezone.now(),
    )
    return floor


def on_hand(product, warehouse) -> int:
    return StockLevel.objects.get(product=product, warehouse=warehouse).on_hand


def scan(screen: Screen, code: str) -> None:
    """What a keyboard-wedge scanner does: type the digits, then Enter."""
    field = screen.page.locator("[data-scan-input]")
    expect(field).to_be_focused()
    field.press_sequentially(code)
    field.press("Enter")


def assert_fits(screen: Screen, path: str) -> None:
    width = screen.page.evaluate("document.scrollingElement.scrollWidth")
    inner = screen.page.evaluate("innerWidth")
    assert width <= inner, f"{path}: {width} px wide on a {inner} px screen"


def test_receive_by_scanning_a_barcode(sized, labelled):
    floor, page = labelled, sized.page
    before = on_hand(floor.mug, floor.main)
    lines = {line.product.sku: line.pk for line in floor.po.lines.all()}
    sized.login(floor.staff)
    sized.open(reverse("purchase-order-receive", args=[floor.po.pk]))
    mug_input = page.locator(f"#id_line_{lines['MUG-001']}")
    expect(page.locator("[data-scan]")).to_be_visible()

    scan(sized, MUG_EAN)
    scan(sized, MUG_EAN)  # the same item again: one more
    expect(mug_input).to_have_value("2")
    expect(page.locator("[data-scan-status]")).to_have_text("MUG-001 · 2")
    # The lid's UPC-A, read by a scanner that reports it as EAN-13 (leading 0).
    scan(sized, "0" + LID_UPC)
    expect(page.locator(f"#id_line_{lines['LID-001']}")).to_have_value("1")
    scan(sized, "5901234123457")  # a real EAN-13 of nothing here
    expect(page.locator(".scan--error")).to_be_visible()
    expect(page.locator("[data-scan-status]")).to_have_text(
        "Unknown barcode or SKU: 5901234123457"
    )
    expect(mug_input).to_have_value("2")
    # On a phone the row's input is on the screen, not off to the right.
    box = mug_input.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= sized.width
    assert_fits(sized, page.url)

    sized.submit(page.get_by_role("button", name="Receive", exact=True))
    expect(sized.success_message()).to_contain_text("Received on")
    sized.settle()
    assert on_hand(floor.mug, floor.main) == before + 2


def test_count_by_scanning_then_confirm_over_the_limit(
    sized, labelled, browser, live_server, settings
):
    settings.STOCKWISE_COUNT_VARIANCE_UNITS = 10
    floor, page = labelled, sized.page
    sheet = floor.sheet
    book = on_hand(floor.mug, floor.main)  # 18: 20 received, 2 shipped
    lines = {line.product.sku: line.pk for line in sheet.lines.all()}
    sized.login(floor.staff)
    sized.open(reverse("count-detail", args=[sheet.pk]))
    for _ in range(3):
        scan(sized, MUG_EAN)
    expect(page.locator(f"#id_line_{lines['MUG-001']}")).to_have_value("3")
    page.locator(f"#id_line_{lines['LID-001']}").fill("6")
    sized.submit(page.get_by_role("button", name="Save counts and submit"))
    expect(sized.success_message()).to_contain_text("awaits a manager")

    # The manager, at another screen of the same size.
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": sized.width, "height": 900},
    )
    context.set_default_timeout(30_000)
    manager = Screen(context.new_page())
    try:
        manager.login(floor.manager)
        manager.open(reverse("count-confirm", args=[sheet.pk]))
        mug_row = manager.page.locator("tr[data-sku='MUG-001']")
        variance = 3 - book
        value = f"{variance * floor.mug.unit_cost:.2f}"
        expect(mug_row.locator("[data-cell='variance']")).to_have_text(str(variance))
        expect(mug_row.locator("[data-cell='value']")).to_have_text(value)
        expect(manager.page.locator("[data-total='value']")).to_have_text(
            f"{value} CNY"
        )
        expect(manager.page.locator(".confirm-box .alert")).to_contain_text(
            "exceed the limit of 10 units"
        )
        assert_fits(manager, "count-confirm")
        confirm = manager.page.get_by_role(
            "button", name="Confirm and post differences"
        )
        manager.submit(confirm)
        expect(manager.page.locator(".alert--error").first).to_contain_text(
            "confirm the large difference explicitly"
        )
        manager.settle()
        sheet.refresh_from_db()
        assert sheet.status == StocktakeStatus.SUBMITTED
        assert on_hand(floor.mug, floor.main) == book

        manager.page.locator("input[name=acknowledge]").check()
        manager.submit(
            manager.page.get_by_role("button", name="Confirm and post differences")
        )
        expect(manager.success_message()).to_contain_text("confirmed")
        manager.settle()
        sheet.refresh_from_db()
        assert sheet.status == StocktakeStatus.CONFIRMED
        assert on_hand(floor.mug, floor.main) == 3
        posted = StockMovement.objects.get(kind=MovementKind.COUNT_CORRECTION)
        assert (posted.quantity, posted.actor_user) == (variance, floor.manager)
        manager.assert_clean()
    finally:
        context.close()


def test_open_a_return_from_the_web_and_grade_it(sized, labelled):
    floor, page = labelled, sized.page
    sized.login(floor.staff)
    sized.open(reverse("return-queue"))
    sized.submit(page.get_by_role("link", name="Open a return"))
    page.locator("#id_order_reference").fill("E2E-0")
    sized.submit(page.get_by_role("button", name="Find the order"))
    scan(sized, MUG_EAN)
    expect(page.locator(f"#id_qty_{floor.mug.pk}")).to_have_value("1")
    page.locator("#id_reason_text").fill("Arrived with a chipped handle")
    assert_fits(sized, page.url)
    sized.submit(page.get_by_role("button", name="Open the return"))
    expect(sized.success_message()).to_contain_text("opened")
    opened = ReturnRequest.objects.get()
    line = opened.lines.get()
    assert (line.product, line.quantity, opened.created_by) == (
        floor.mug,
        1,
        floor.staff,
    )

    page.locator(f"#id_condition_{line.pk}").select_option("damaged")
    sized.submit(page.get_by_role("button", name="Goods received"))
    expect(page.locator("[data-cell='condition']")).to_have_text("damaged")
    assert_fits(sized, page.url)
    sized.settle()
    line.refresh_from_db()
    assert line.condition == ItemCondition.DAMAGED


@pytest.mark.parametrize("width", [390])
def test_no_staff_page_is_wider_than_a_phone(width, browser, live_server, labelled):
    floor = labelled
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": width, "height": 800},
    )
    context.set_default_timeout(30_000)
    screen = Screen(context.new_page())
    try:
        screen.login(floor.staff)
        page = screen.page
        # The menu folds behind one button; opened, it still fits.
        nav = page.locator("nav.topnav")
        expect(nav).to_be_hidden()
        page.locator("label.topbar__menu").click()
        expect(nav.get_by_role("link", name="Counts")).to_be_visible()
        assert_fits(screen, "menu open")
        paths = [p for p in screen.nav_links() if not p.startswith("/api/docs")]
        paths += [
            floor.mug.get_absolute_url(),
            reverse("product-barcodes", args=[floor.mug.sku]),
            reverse("order-detail", args=[floor.order.pk]),
            reverse("purchase-order-receive", args=[floor.po.pk]),
            reverse("count-create"),
            reverse("count-detail", args=[floor.sheet.pk]),
            reverse("return-open"),
            reverse("return-open") + "?order_reference=E2E-0",
            reverse("alert-list"),
        ]
        for path in paths:
            screen.open(path)
            assert_fits(screen, path)
        # Location lists follow the chosen warehouse.
        screen.open(reverse("count-create"))
        page.locator("#id_warehouse").select_option(str(floor.east.pk))
        main_bin = floor.main.locations.get(code="B-01")
        east_bin = floor.east.locations.get(code="A-01")
        options = page.locator("#id_location option")
        offered = [o.get_attribute("value") for o in options.all() if o.is_enabled()]
        assert str(east_bin.pk) in offered and str(main_bin.pk) not in offered
        screen.assert_clean()
    finally:
        context.close()


def test_pick_and_transfer_by_scanning(screen, labelled):
    floor, page = labelled, screen.page
    screen.login(floor.staff)
    # The pick list names the bin and counts what was scanned.
    screen.open(reverse("order-detail", args=[floor.order.pk]))
    mug_row = page.locator("tr", has_text="MUG-001")
    expect(mug_row).to_contain_text("A-01")
    for _ in range(3):
        scan(screen, MUG_EAN)
    expect(mug_row.locator("input.picked")).to_have_value("3")
    scan(screen, MUG_EAN)  # a fourth mug is one too many for this order
    expect(page.locator(".scan--warn")).to_contain_text("already 3")

    # A transfer: scans are looked up on the server and fill the lines.
    screen.open(reverse("transfer-create"))
    page.locator("#id_from_warehouse").select_option(str(floor.main.pk))
    page.locator("#id_to_warehouse").select_option(str(floor.east.pk))
    page.locator("[data-scan-input]").focus()
    scan(screen, MUG_EAN)
    scan(screen, "lid-001")
    scan(screen, MUG_EAN)
    expect(page.locator("#id_lines-0-sku")).to_have_value("MUG-001")
    expect(page.locator("#id_lines-0-quantity")).to_have_value("2")
    expect(page.locator("#id_lines-1-sku")).to_have_value("LID-001")
    # Any number of lines: the formset grows past its five rows.
    for _ in range(4):
        page.get_by_role("button", name="Add a line").click()
    expect(page.locator("[data-line]")).to_have_count(9)
    expect(page.locator("#id_lines-TOTAL_FORMS")).to_have_value("9")
    page.locator("#id_lines-8-sku").fill(MUG_EAN)
    page.locator("#id_lines-8-quantity").fill("1")
    screen.submit(page.get_by_role("button", name="Transfer", exact=True))
    expect(screen.success_message()).to_contain_text("from main to east")
    screen.settle()
    assert on_hand(floor.mug, floor.east) == 3
    assert on_hand(floor.lid, floor.east) == 1
