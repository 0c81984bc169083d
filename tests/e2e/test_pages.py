"""Every page of the web UI, in a real browser, as each role: log in through the
form, follow the main menu, open the detail pages, and meet no console error."""

import pytest
from django.urls import reverse

from tests import factories
from tests.e2e.support import expect, needs_browser

pytestmark = [pytest.mark.e2e, needs_browser]

STAFF_MENU = {
    "home",
    "product-list",
    "order-list",
    "purchase-order-list",
    "transfer-create",
    "count-list",
    "adjust",
    "return-queue",
    "alert-list",
    "api-docs",
}
MANAGER_MENU = STAFF_MENU | {"manager-dashboard", "suggestion-queue", "forecast-runs"}
ADMIN_MENU = MANAGER_MENU | {"admin:index"}
MENUS = {"staff": STAFF_MENU, "manager": MANAGER_MENU, "admin": ADMIN_MENU}
# Pages that are not Stockwise templates (no Stockwise <h1> or title).
FOREIGN_PAGES = ("/admin/", "/api/docs/")


def detail_pages(floor, role) -> list[str]:
    # The return pages are opened by test_forms.test_staff_correct_a_returns_class.
    pages = [
        floor.mug.get_absolute_url(),
        reverse("order-detail", args=[floor.order.pk]),
        reverse("purchase-order-receive", args=[floor.po.pk]),
        reverse("count-create"),
        reverse("count-detail", args=[floor.sheet.pk]),
        reverse("alert-list"),
    ]
    if role != "staff":
        pages += [
            reverse("return-rule"),
            reverse("webhook-delivery-list"),
            f"{reverse('purchase-order-list')}?status=draft",
            reverse("purchase-order-detail", args=[floor.po.pk]),
            reverse("purchase-order-create"),
            reverse("alert-rule-list"),
            reverse("alert-rule-create"),
        ]
    return pages


@pytest.mark.parametrize("role", ["staff", "manager", "admin"])
def test_every_page_opens_cleanly(role, screen, floor, request):
    pages = detail_pages(floor, role)
    if role == "manager":
        # A real retrain: runs, suggestions, and a product page with its forecast.
        forecasted = request.getfixturevalue("forecasted")
        pages.append(forecasted[0].get_absolute_url())
        pages += [reverse("forecast-overrides"), reverse("forecast-value-added")]
    elif role == "admin":
        factories.suggestion(floor.lid, floor.main, quantity=12)
    user = getattr(floor, role)
    screen.login(user)

    menu = screen.nav_links()
    expected = {reverse(name) for name in MENUS[role]}
    assert expected <= set(menu), f"missing from the menu: {expected - set(menu)}"
    hidden = {reverse(name) for name in ADMIN_MENU - MENUS[role]}
    assert not hidden & set(menu), f"{role} must not see {hidden & set(menu)}"

    # Whatever the menu offers (a dashboard, say) is opened too.
    for path in [*menu, *pages]:
        screen.open(path)
        if not path.startswith(FOREIGN_PAGES):
            expect(screen.page.locator("main h1").first).to_be_visible()
            assert screen.page.title().endswith("Stockwise"), path
    if role == "admin":
        screen.open(reverse("admin:index"))
        expect(screen.page.locator("#site-name")).to_be_visible()


def test_a_wrong_password_is_refused_and_logout_ends_the_session(screen, floor):
    screen.open("/login/")
    screen.page.locator("#id_username").fill(floor.staff.username)
    screen.page.locator("#id_password").fill("wrong")
    screen.submit(screen.page.locator("main form button[type=submit]"))
    expect(screen.page.locator(".alert--error")).to_be_visible()
    expect(screen.page.locator("nav.topnav")).to_have_count(0)

    screen.login(floor.staff)
    screen.submit(screen.page.locator('form[action$="/logout/"] button'))
    assert screen.page.url.endswith(reverse("login"))
    screen.open(reverse("order-list"))  # answered by the login page
    assert reverse("login") in screen.page.url
    expect(screen.page.locator("#id_username")).to_be_visible()


def test_pages_link_an_icon(screen, floor):
    screen.open(reverse("login"))
    expect(screen.page.locator('head link[rel~="icon"]')).to_have_count(1)


def test_a_sku_stays_on_one_line_on_a_phone(screen, floor):
    """A phone's narrow table broke "ELA-PWB-WHT-10K" after each hyphen, which
    reads as four codes; codes staff read, type or scan stay whole."""
    from stock.models import StockLevel

    bank = factories.product(
        sku="ELA-PWB-WHT-10K",
        name="Power bank 10000 mAh, white, with two USB-C ports and a cable",
    )
    # Nothing on hand (no movement yet): a stock-out, listed on the home page.
    StockLevel.objects.create(product=bank, warehouse=floor.main)
    screen.page.set_viewport_size({"width": 320, "height": 700})
    screen.login(floor.staff)
    screen.open(reverse("home"))
    link = screen.page.get_by_role("link", name="ELA-PWB-WHT-10K")
    expect(link).to_be_visible()
    # The link is an inline block (a finger-sized target): one line of text is
    # its line height plus padding, each wrapped line adds a line height.
    height, line = link.evaluate(
        "a => [a.getBoundingClientRect().height,"
        " parseFloat(getComputedStyle(a).lineHeight)]"
    )
    assert height < 2 * line, (
        f"the SKU is {height:.0f} px high: wrapped ({line} px a line)"
    )
