"""Fixtures for the browser tests: one Chromium per test process, a fresh context
per test, and a small but complete shop floor behind pytest-django's live_server."""

import os
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest
from django.core.management import call_command

from tests import factories
from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, Screen, sync_playwright


@pytest.fixture(scope="package")
def browser():
    """Chromium for every e2e test of this process, closed after the last one.

    Playwright's sync API keeps an asyncio loop running in this thread, so Django
    would refuse every ORM call made here (SynchronousOnlyOperation), including
    building test data and pytest-django's flush between tests. The ORM is not
    used concurrently with that loop (Playwright only waits on the browser while
    the test thread is blocked), so the check is switched off for exactly as long
    as the loop lives; package scope keeps it away from the rest of the suite.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    # launch() gives the browser a fresh temporary profile of its own.
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def new_screen(browser, live_server) -> tuple[Screen, object]:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    # Generous: two cores shared by two test processes and their browsers.
    context.set_default_timeout(30_000)
    return Screen(context.new_page()), context


@pytest.fixture
def screen(browser, live_server):
    """A fresh browser context (no cookies) and its one tab."""
    tab, context = new_screen(browser, live_server)
    yield tab
    context.close()
    tab.assert_clean()


@pytest.fixture
def second_screen(browser, live_server):
    """Another person at another computer (own cookies), for hand-overs."""
    tab, context = new_screen(browser, live_server)
    yield tab
    context.close()
    tab.assert_clean()


@dataclass
class Floor:
    main: object
    east: object
    mug: object
    lid: object
    order: object  # reserved, ready to ship
    po: object  # sent, waiting to be received
    sheet: object  # an open count of the main warehouse
    shop: object
    staff: object
    manager: object
    admin: object


@pytest.fixture
def floor(transactional_db, live_server) -> Floor:
    """One of every document a page shows, built through the services."""
    from stock.models import Location
    from stock.services.operations import stocktake_create
    from stock.services.orders import (
        OrderLineInput,
        sales_order_create,
        sales_order_ship,
    )
    from stock.services.purchasing import (
        PurchaseLineInput,
        purchase_order_create,
        purchase_order_send,
    )

    staff = factories.user("staff")
    manager = factories.user("manager")
    admin = factories.user("admin")
    main = factories.warehouse(code="main", name="Main warehouse")
    east = factories.warehouse(code="east", name="East warehouse")
    mug = factories.product(sku="MUG-001", name="Blue mug")
    lid = factories.product(sku="LID-001", name="Mug lid")
    factories.stock(mug, main, 20, location=main.locations.get(code="A-01"))
    # The lid in a bin of its own, so that a count of A-01 holds the mug alone.
    factories.stock(
        lid, main, 6, location=Location.objects.create(warehouse=main, code="B-01")
    )
    shop, _ = factories.shop("shop-a")

    order, _ = sales_order_create(
        shop=shop,
        external_id="E2E-1",
        lines=[OrderLineInput(mug, 3), OrderLineInput(lid, 1)],
        warehouse=main,
    )
    shipped, _ = sales_order_create(
        shop=shop, external_id="E2E-0", lines=[OrderLineInput(mug, 2)], warehouse=main
    )
    sales_order_ship(order=shipped, actor=staff)
    po = purchase_order_create(
        supplier=factories.supplier(name="Acme Ceramics"),
        warehouse=main,
        lines=[PurchaseLineInput(mug, 10), PurchaseLineInput(lid, 4)],
        expected_date=date.today() + timedelta(days=2),
    )
    purchase_order_send(purchase_order=po)
    sheet = stocktake_create(warehouse=main, actor=manager)
    return Floor(main, east, mug, lid, order, po, sheet, shop, staff, manager, admin)


@pytest.fixture
def returned(floor):
    """A return of the shipped order E2E-0, classified, waiting for a person.

    Only the tests that need one ask for it: the first classification in a test
    process trains the bootstrap model (10-30 s on two cores)."""
    from returns.services.classification import approval_rule_get
    from returns.services.intake import ReturnLineInput, return_create

    rule = approval_rule_get()
    rule.enabled = False  # every return waits for a person
    rule.save()
    created, _ = return_create(
        shop=floor.shop,
        order_reference="E2E-0",
        lines=[ReturnLineInput(floor.mug, 1)],
        reason_text="size too small 尺码偏小",
    )
    return created


@pytest.fixture
def forecasted(floor):
    """120 days of demand for two products and a real retrain, which builds the
    replenishment suggestions a manager approves."""
    from forecasting.models import DemandDay, DemandSource

    supplier = factories.supplier(name="Teapot Works", lead_time_days=5)
    rng = np.random.default_rng(7)
    end = date.today() - timedelta(days=1)
    products = []
    for n, rate in enumerate((5, 8)):
        product = factories.product(sku=f"TEA-{n}", name=f"Teapot {n}")
        factories.supplier_product(
            supplier, product, min_order_quantity=10, pack_size=5
        )
        factories.stock(product, floor.main, 3)
        DemandDay.objects.bulk_create(
            DemandDay(
                product=product,
                warehouse=floor.main,
                date=end - timedelta(days=119 - day),
                quantity=int(quantity),
                source=DemandSource.IMPORT,
            )
            for day, quantity in enumerate(rng.poisson(rate, 120))
        )
        products.append(product)
    call_command("forecast_retrain")
    return products
