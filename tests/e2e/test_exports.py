"""Exports from the browser: the download holds what the filtered page shows."""

import csv
from pathlib import Path

import pytest
from django.urls import reverse

from stock.services.orders import OrderLineInput, sales_order_create
from tests import factories
from tests.e2e.support import expect, needs_browser

pytestmark = [pytest.mark.e2e, needs_browser]


def test_order_exports_follow_the_filter(screen, floor):
    other_shop, _ = factories.shop("shop-b")
    sales_order_create(
        shop=other_shop,
        external_id="E2E-B",
        lines=[OrderLineInput(floor.lid, 1)],
        warehouse=floor.main,
    )
    page = screen.page
    screen.login(floor.staff)
    screen.open(reverse("order-list"))
    expect(page.get_by_role("link", name="E2E-B", exact=True)).to_be_visible()
    page.locator("#id_shop").select_option(floor.shop.code)
    screen.submit(page.locator("form.filters button[type=submit]"))
    shown = set(page.locator("tbody tr td:first-child a").all_inner_texts())
    assert shown == {"E2E-1"}

    with page.expect_download() as download:
        page.locator("a[href$='export=csv']").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    exported = {value for row in rows[1:] for value in row if value.startswith("E2E")}
    assert exported == shown, rows

    with page.expect_download() as download:
        page.locator("a[href$='export=xlsx']").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"  # a zip: xlsx
    screen.assert_clean()
