"""The manager's screens in a real browser at desk and phone widths: the
suggestion queue (sort, page, select all, bulk and keyboard approval), the
dashboard's charts, and the Chinese pages without English left over."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from forecasting.models import (
    ForecastRun,
    ReplenishmentSuggestion,
    RunStatus,
    SeriesForecast,
)
from tests import factories
from tests.e2e.support import expect, needs_browser
from tests.web.test_i18n import ENGLISH_LEFT

pytestmark = [pytest.mark.e2e, needs_browser]

WIDTHS = {
    "desk": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}
# Where the screenshots go when asked for (E2E_SCREENSHOTS=/some/dir).
SHOTS = os.environ.get("E2E_SCREENSHOTS")


def shot(screen, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        screen.page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def queue(floor):
    """30 open suggestions built by the real build from stored forecasts:
    two pages of 25."""
    from forecasting.services.suggestions import suggestions_build

    today = timezone.localdate()
    supplier = factories.supplier(name="Teapot Works", lead_time_days=12)
    run = ForecastRun.objects.create(status=RunStatus.SUCCEEDED, horizon=28)
    for n in range(30):
        product = factories.product(sku=f"TEA-{n:02d}", name=f"Teapot {n}")
        factories.supplier_product(supplier, product, pack_size=5)
        factories.stock(product, floor.main, n % 4)
        SeriesForecast.objects.create(
            run=run,
            product=product,
            warehouse=floor.main,
            model="combo_smooth" if n % 2 else "combo_intermittent",
            demand_class="smooth" if n % 2 else "erratic",
            rmsse=0.9,
            start_date=today - timedelta(days=1),
            values={
                "mean": [1.0 + n / 10] * 29,
                "q0.1": [0.2] * 29,
                "q0.9": [2.5 + n / 10] * 29,
            },
        )
    suggestions_build(today=today)
    assert ReplenishmentSuggestion.objects.filter(status="open").count() == 30
    return supplier


def _quantities(screen) -> list[int]:
    values = screen.page.locator("tbody tr[data-id] input.qty").evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )
    return [int(v) for v in values]


@pytest.mark.parametrize("width", WIDTHS)
def test_manager_sorts_pages_and_approves_from_the_keyboard_and_in_bulk(
    width, screen, floor, queue
):
    screen.page.set_viewport_size(WIDTHS[width])
    screen.login(floor.manager)
    screen.open(reverse("suggestion-queue"))
    rows = screen.page.locator("tbody tr[data-id]")
    expect(rows).to_have_count(25)
    expect(screen.page.locator("#keys-help")).to_be_visible()
    shot(screen, f"suggestions-{width}")

    # Keyboard: j moves to the first row, a approves it.
    first_sku = rows.first.locator("td a").first.inner_text()
    with screen.page.expect_navigation():
        screen.page.keyboard.press("j")
        screen.page.keyboard.press("a")
    screen.assert_clean()
    expect(screen.success_message()).to_contain_text("Approved 1 suggestion")
    expect(screen.page.get_by_role("link", name=first_sku, exact=True)).to_have_count(0)

    # Sort by quantity, largest first (a click on the header, then again).
    if width == "desk":
        header = screen.page.locator("th a.sort-link", has_text="Quantity")
        screen.submit(header)
        screen.submit(screen.page.locator("th a.sort-link", has_text="Quantity"))
    else:  # the phone shows cards, no header row: the sort is in the URL
        screen.open(f"{reverse('suggestion-queue')}?sort=-quantity")
    assert "sort=-quantity" in screen.page.url
    quantities = _quantities(screen)
    assert quantities == sorted(quantities, reverse=True)

    # Page 2 holds the remaining 4, still sorted.
    screen.submit(screen.page.locator(".pagination a", has_text="Next"))
    expect(rows).to_have_count(4)
    assert max(_quantities(screen)) <= min(quantities)
    screen.submit(screen.page.locator(".pagination a", has_text="Previous"))

    # Select the page, then every matching one, and approve them all.
    screen.page.locator("#select-page").check()
    checked = screen.page.locator("tbody input[name=selected]:checked")
    expect(checked).to_have_count(25)
    screen.page.locator("#select-all").check()
    expect(screen.page.locator("#selected-count")).to_contain_text("29")
    shot(screen, f"suggestions-selected-{width}")
    screen.submit(screen.page.get_by_role("button", name="Approve selected"))
    expect(screen.success_message()).to_contain_text("Approved 29 suggestions")
    expect(screen.page.locator("main")).to_contain_text("Nothing to order right now.")
    screen.settle()
    assert ReplenishmentSuggestion.objects.filter(status="approved").count() == 30


@pytest.mark.parametrize("width", WIDTHS)
def test_dashboard_draws_its_trend_charts(width, screen, floor, queue):
    screen.page.set_viewport_size(WIDTHS[width])
    screen.login(floor.manager)
    screen.open(reverse("manager-dashboard"))
    for chart in ("trend-value", "trend-turnover", "trend-stockout"):
        canvas = screen.page.locator(f'canvas[data-chart="{chart}"]')
        expect(canvas).to_be_visible()
        drawn = canvas.evaluate(
            "c => !!(window.Chart && Chart.getChart(c)) && c.width > 0"
        )
        assert drawn, chart
    expect(screen.page.locator("#as-of")).not_to_contain_text("..")
    expect(screen.page.locator(".kpis")).to_contain_text("CNY")
    shot(screen, f"dashboard-{width}")


def _visible_text(screen) -> str:
    return screen.page.evaluate(
        """() => {
        const parts = [document.body.innerText];
        document.querySelectorAll('[title],[placeholder],[aria-label]').forEach(e =>
          parts.push(e.getAttribute('title') || '', e.getAttribute('placeholder') || '',
                     e.getAttribute('aria-label') || ''));
        return parts.join(' ');
    }"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_manager_pages_in_chinese_leave_no_english(width, screen, floor, queue):
    screen.page.set_viewport_size(WIDTHS[width])
    screen.login(floor.manager)
    screen.page.context.add_cookies(
        [
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": "zh-hans",
                "url": screen.page.url,
            }
        ]
    )
    pages = {
        "suggestions": reverse("suggestion-queue"),
        "dashboard": reverse("manager-dashboard"),
        "runs": reverse("forecast-runs"),
        "orders": reverse("order-list"),
        "purchase-orders": reverse("purchase-order-list"),
    }
    for name, path in pages.items():
        screen.open(path)
        expect(screen.page.locator("html")).to_have_attribute("lang", "zh-hans")
        left = sorted(set(ENGLISH_LEFT.findall(_visible_text(screen))))
        assert left == [], f"{name}: {left}"
        shot(screen, f"{name}-zh-{width}")
    screen.open(pages["suggestions"])
    screen.page.locator("tbody tr[data-id] details summary").first.click()
    expect(screen.page.locator("tbody tr[data-id] .reasons").first).to_contain_text(
        "再订货点"
    )
    assert re.search(r"平稳|波动", _visible_text(screen))


def test_keyboard_reject_and_edit_need_a_note(screen, floor, queue):
    screen.page.set_viewport_size(WIDTHS["desk"])
    screen.login(floor.manager)
    screen.open(reverse("suggestion-queue"))
    keys = screen.page.keyboard
    # r without a note asks for one, then Enter in the note rejects the row.
    keys.press("j")
    keys.press("r")
    expect(screen.page.locator("#queue-note")).to_be_focused()
    keys.type("overstocked")
    with screen.page.expect_navigation():
        keys.press("Enter")
    expect(screen.success_message()).to_contain_text("Rejected 1 suggestion")
    # e edits the quantity; a changed quantity without a note is refused.
    keys.press("j")
    keys.press("e")
    expect(screen.page.locator("tbody tr.is-current input.qty")).to_be_focused()
    keys.type("999")
    with screen.page.expect_navigation():
        keys.press("Enter")
    expect(screen.page.locator(".messages")).to_contain_text(
        "Say why the quantity was changed."
    )
    screen.settle()
    assert ReplenishmentSuggestion.objects.filter(status="rejected").count() == 1
    assert not ReplenishmentSuggestion.objects.filter(approved_quantity=999).exists()
