"""Exports and imports from the browser, on a desktop (1366 px) and a phone
(390 px): an export runs as a job whose progress bar ends with the download
link, and the file holds what the filtered page shows; a sales-history CSV is
uploaded, refused when bad, and imported by a job when good."""

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from core.enqueue import background_work_wait
from forecasting.models import DemandDay
from stock.services.orders import OrderLineInput, sales_order_create
from tests import factories
from tests.e2e.support import expect, needs_browser

pytestmark = [pytest.mark.e2e, needs_browser]

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture(params=sorted(SIZES))
def sized(request, screen, settings):
    width, height = SIZES[request.param]
    screen.page.set_viewport_size({"width": width, "height": height})
    settings.STOCKWISE_INLINE_WORK_IN_THREAD = True  # as `make demo` runs it
    yield screen
    assert background_work_wait(timeout=60)


def export_file(screen, fmt: str):
    """Click the page's export link, watch the job's progress bar reach the
    end, and download the file its link offers."""
    page = screen.page
    screen.submit(page.locator(f"a[href$='export={fmt}']"))
    box = page.locator(".progress")
    expect(box).to_be_visible()
    expect(box).to_have_attribute("data-state", "done", timeout=60_000)
    expect(box.locator("progress")).to_have_attribute("value", "100")
    expect(box.locator("[data-progress-message]")).to_contain_text("The file is ready")
    link = box.get_by_role("link", name="Download the file")
    expect(link).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"the page is {width}px wide"
    with page.expect_download() as download:
        link.click()
    return download.value


def test_order_exports_follow_the_filter(sized, floor):
    other_shop, _ = factories.shop("shop-b")
    sales_order_create(
        shop=other_shop,
        external_id="E2E-B",
        lines=[OrderLineInput(floor.lid, 1)],
        warehouse=floor.main,
    )
    page = sized.page
    sized.login(floor.staff)
    sized.open(reverse("order-list"))
    expect(page.get_by_role("link", name="E2E-B", exact=True)).to_be_visible()
    page.locator("#id_shop").select_option(floor.shop.code)
    sized.submit(page.locator("form.filters button[type=submit]"))
    shown = set(page.locator("tbody tr td:first-child a").all_inner_texts())
    assert shown == {"E2E-1"}

    download = export_file(sized, "csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    exported = {value for row in rows[1:] for value in row if value.startswith("E2E")}
    assert exported == shown, rows
    # Still the filtered page, with its filter kept.
    assert set(page.locator("tbody tr td:first-child a").all_inner_texts()) == shown

    download = export_file(sized, "xlsx")
    assert download.suggested_filename.endswith(".xlsx")
    assert Path(download.path()).read_bytes()[:2] == b"PK"  # a zip: xlsx
    sized.settle()
    sized.assert_clean()


def test_manager_imports_sales_history(sized, floor, tmp_path):
    page = sized.page
    sized.login(floor.manager)
    sized.open(reverse("forecast-runs"))
    sized.submit(page.get_by_role("link", name="Import sales history"))
    before = DemandDay.objects.count()
    day = date.today() - timedelta(days=1)

    bad = tmp_path / "bad.csv"
    bad.write_text(f"sku,warehouse,date,quantity\nMUG-001,main,{day},many\n")
    page.locator("#id_file").set_input_files(str(bad))
    sized.submit(page.get_by_role("button", name="Check and import"))
    expect(page.locator(".field__error").first).to_have_text(
        f"Line 2: quantity is not a number ('MUG-001', '{day}')"
    )
    sized.settle()
    assert DemandDay.objects.count() == before

    good = tmp_path / "good.csv"
    good.write_text(
        "sku,warehouse,date,quantity\n"
        f"{floor.mug.sku},{floor.main.code},{day},7\n"
        f"{floor.lid.sku},{floor.main.code},{day},3\n"
    )
    page.locator("#id_file").set_input_files(str(good))
    sized.submit(page.get_by_role("button", name="Check and import"))
    expect(sized.success_message()).to_contain_text("passed the checks")
    box = page.locator(".progress")
    expect(box).to_have_attribute("data-state", "done", timeout=60_000)
    expect(box.locator("[data-progress-message]")).to_contain_text("2 row(s) read")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"the page is {width}px wide"
    assert background_work_wait(timeout=60)
    sized.settle()
    imported = DemandDay.objects.filter(date=day, warehouse=floor.main)
    assert {(d.product_id, d.quantity) for d in imported} >= {
        (floor.mug.pk, 7),
        (floor.lid.pk, 3),
    }
