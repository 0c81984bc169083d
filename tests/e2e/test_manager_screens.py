"""The manager's everyday screens in a real browser, on a desktop (1366 px)
and a phone (390 px): purchase orders written and cancelled, an alert rule
whose alert shows in the menu's badge, a retrain watched to the end."""

import pytest
from django.urls import reverse

from core.enqueue import background_work_wait
from forecasting.models import ForecastRun, RunStatus
from notifications.models import Alert, AlertRule
from stock.models import PurchaseOrder, PurchaseOrderStatus
from tests.e2e.support import expect, needs_browser

pytestmark = [pytest.mark.e2e, needs_browser]

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture(params=sorted(SIZES))
def sized(request, screen):
    width, height = SIZES[request.param]
    screen.page.set_viewport_size({"width": width, "height": height})
    return screen


def test_manager_creates_and_cancels_a_purchase_order(sized, floor):
    page = sized.page
    sized.login(floor.manager)
    sized.open(reverse("purchase-order-list"))
    sized.submit(page.get_by_role("link", name="New purchase order"))
    page.locator("#id_supplier").select_option(label="Acme Ceramics")
    page.locator("#id_warehouse").select_option(str(floor.main.pk))
    page.locator("#id_lines-0-sku").fill("mug-001")
    page.locator("#id_lines-0-quantity").fill("0")
    sized.submit(page.get_by_role("button", name="Create draft"))
    expect(
        page.locator("#id_lines-0-quantity + .field__error, td .field__error")
    ).to_contain_text("greater than or equal to 1")
    page.locator("#id_lines-0-quantity").fill("12")
    sized.submit(page.get_by_role("button", name="Create draft"))

    sized.settle()
    order = PurchaseOrder.objects.exclude(pk=floor.po.pk).get()
    expect(sized.success_message()).to_have_text(f"{order} created as a draft.")
    expect(page.locator("h1 .badge")).to_have_text("draft")
    expect(page.locator("#id_lines-0-sku")).to_have_value("MUG-001")  # its edit page
    sized.submit(page.get_by_role("button", name="Cancel order"))
    expect(sized.success_message()).to_have_text(f"{order} cancelled.")
    expect(page.locator("h1 .badge")).to_have_text("cancelled")
    sized.settle()
    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.CANCELLED
    assert [(x.product, x.quantity_ordered) for x in order.lines.all()] == [
        (floor.mug, 12)
    ]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"the page is {width}px wide"


def test_manager_creates_an_alert_rule_and_the_badge_counts_it(sized, floor):
    page = sized.page
    sized.login(floor.manager)
    alerts_link = page.locator("nav.topnav a", has_text="Alerts")
    expect(alerts_link.locator(".badge--count")).to_have_count(0)  # no rule yet
    sized.open(reverse("alert-list"))
    sized.submit(page.get_by_role("link", name="Alert rules"))
    sized.submit(page.get_by_role("link", name="New rule"))
    page.locator("#id_name").fill("Main below 10")
    page.locator("#id_kind").select_option("low_stock")
    page.locator("#id_scope").select_option("warehouse")
    sized.submit(page.get_by_role("button", name="Save rule"))
    expect(page.locator(".field--error").first).to_contain_text("Enter this limit")
    page.locator("#id_threshold").fill("10")
    page.locator("#id_warehouse").select_option(str(floor.main.pk))
    sized.submit(page.get_by_role("button", name="Save rule"))
    expect(sized.success_message()).to_contain_text("Main below 10")

    # The lid has 6 on hand, 1 reserved: 5 available at main, below 10.
    sized.open(reverse("alert-list"))
    expect(alerts_link.locator(".badge--count")).to_have_text("1")
    row = page.locator("tbody tr", has_text="LID-001")
    expect(row).to_contain_text("5 available, at or below 10")
    expect(row.get_by_role("link", name="LID-001")).to_have_attribute(
        "href", floor.lid.get_absolute_url()
    )
    sized.submit(row.get_by_role("link", name="Order more"))
    expect(page.locator("#id_lines-0-sku")).to_have_value("LID-001")
    expect(page.locator("#id_warehouse")).to_have_value(str(floor.main.pk))
    sized.settle()
    rule = AlertRule.objects.get(name="Main below 10")
    assert Alert.objects.get(rule=rule).product == floor.lid


def test_retrain_shows_a_progress_bar_to_the_end(sized, floor, forecasted, settings):
    settings.STOCKWISE_INLINE_WORK_IN_THREAD = True  # as `make demo` runs it
    page = sized.page
    sized.login(floor.manager)
    sized.open(reverse("forecast-runs"))
    sized.submit(page.get_by_role("button", name="Retrain now"))
    expect(sized.success_message()).to_contain_text("started")
    box = page.locator(".progress")
    expect(box).to_be_visible()
    expect(box).to_have_attribute("data-state", "done", timeout=90_000)
    expect(box.locator("progress")).to_have_attribute("value", "100")
    expect(box.locator("[data-progress-message]")).to_contain_text("2 series forecast")
    expect(box.get_by_role("link", name="Show the results")).to_be_visible()
    assert background_work_wait(timeout=60)
    sized.settle()
    run = ForecastRun.objects.order_by("-pk").first()
    assert run.status == RunStatus.SUCCEEDED and "suggestions" in run.summary
    # The runs table, drawn while the run was still going, is drawn again when
    # it ends: the run reads "succeeded" with its series, without a reload.
    row = page.locator("[data-progress-results] tbody tr", has_text=f"#{run.pk}")
    expect(row).to_contain_text("succeeded", timeout=10_000)
    expect(row.locator("td").nth(4)).to_have_text(str(run.n_series))
