"""Staff pages: who may open them, what they show, and how many queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stock.services.operations import stocktake_create, stocktake_record_counts
from stock.services.orders import OrderLineInput, sales_order_create
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_send,
)
from tests import factories

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def documents(warehouse, product, shop_a, manager_user):
    """One of each document, so every page has something to show."""
    factories.stock(product, warehouse, 10)
    order, _ = sales_order_create(
        shop=shop_a[0],
        external_id="WEB-1",
        lines=[OrderLineInput(product, 2)],
        warehouse=warehouse,
    )
    po = purchase_order_create(
        supplier=factories.supplier(),
        warehouse=warehouse,
        lines=[PurchaseLineInput(product, 5)],
        expected_date=timezone.localdate() - timedelta(days=1),
    )
    purchase_order_send(purchase_order=po)
    sheet = stocktake_create(warehouse=warehouse, actor=manager_user)
    return {"order": order, "po": po, "sheet": sheet}


def page_urls(documents, product):
    return [
        reverse("home"),
        reverse("product-list"),
        reverse("product-detail", args=[product.sku]),
        reverse("order-list"),
        reverse("order-detail", args=[documents["order"].pk]),
        reverse("purchase-order-list"),
        reverse("purchase-order-receive", args=[documents["po"].pk]),
        reverse("transfer-create"),
        reverse("adjust"),
        reverse("count-list"),
        reverse("count-create"),
        reverse("count-detail", args=[documents["sheet"].pk]),
    ]


OPERATION_NAMES = {
    "order-list",
    "order-detail",
    "purchase-order-list",
    "purchase-order-receive",
    "transfer-create",
    "adjust",
    "count-list",
    "count-create",
    "count-detail",
}


def test_every_page_renders_for_staff_and_manager(
    documents, product, staff_user, manager_user, admin_user
):
    for user in (staff_user, manager_user, admin_user):
        client = login(user)
        for url in page_urls(documents, product):
            response = client.get(url)
            assert response.status_code == 200, (user, url)
            assert b'<html lang="en">' in response.content


def test_anonymous_users_are_sent_to_login(documents, product):
    client = Client()
    for url in page_urls(documents, product):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_user_without_a_role_gets_403_on_operation_pages(documents, product):
    client = login(factories.user(None))
    for url in page_urls(documents, product):
        name = _name(url)
        expected = 403 if name in OPERATION_NAMES else 200
        assert client.get(url).status_code == expected, url
    ship = reverse("order-ship", args=[documents["order"].pk])
    assert client.post(ship).status_code == 403


def _name(url):
    from django.urls import resolve

    return resolve(url).url_name


def test_login_page_logs_in_and_logout_is_a_post(staff_user):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b"csrfmiddlewaretoken" in page.content
    token = page.cookies["csrftoken"].value
    response = client.post(
        reverse("login"),
        {
            "username": staff_user.username,
            "password": "pw",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert staff_user.username.encode() in home.content
    assert b'action="/logout/"' in home.content


def test_wrong_password_shows_an_error(staff_user):
    response = Client().post(
        reverse("login"), {"username": staff_user.username, "password": "nope"}
    )
    assert response.status_code == 200
    assert b"alert--error" in response.content


def test_nav_links_follow_the_role(staff_user, admin_user):
    staff_page = login(staff_user).get(reverse("home")).content.decode()
    assert reverse("transfer-create") in staff_page
    assert reverse("admin:index") not in staff_page
    assert "/api/docs/" in staff_page
    admin_page = login(admin_user).get(reverse("home")).content.decode()
    assert reverse("admin:index") in admin_page
    nobody_page = login(factories.user(None)).get(reverse("home")).content.decode()
    assert reverse("transfer-create") not in nobody_page


def test_home_shows_what_needs_attention(
    documents, warehouse, manager_user, staff_user, shop_a
):
    empty = factories.product(sku="EMPTY-1")
    factories.stock(empty, warehouse, 3)
    sales_order_create(
        shop=shop_a[0],
        external_id="WEB-2",
        lines=[OrderLineInput(empty, 3)],
        warehouse=warehouse,
    )
    sheet = documents["sheet"]
    stocktake_record_counts(
        stocktake=sheet,
        counts={line.pk: 1 for line in sheet.lines.all()},
        actor=staff_user,
    )
    page = login(manager_user).get(reverse("home"))
    context = page.context["attention"]
    assert context.reserved_orders == 2
    assert context.due_purchase_orders == [documents["po"]]
    assert context.submitted_counts == [sheet]
    assert [level.product.sku for level in context.stock_outs] == ["EMPTY-1"]
    html = page.content.decode()
    assert "EMPTY-1" in html
    assert "overdue" in html
    assert reverse("count-detail", args=[sheet.pk]) in html
    # Staff do not confirm counts, so the home page does not list them.
    staff_page = login(staff_user).get(reverse("home"))
    assert staff_page.context["attention"].submitted_counts == []


def test_home_page_queries_are_bounded(documents, manager_user, warehouse):
    client = login(manager_user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        return len(queries)

    before = count()
    for _ in range(15):
        p = factories.product()
        factories.stock(p, warehouse, 1)
        factories.stock(p, factories.warehouse(), 1)
    assert count() == before


def test_product_list_searches_filters_and_totals(
    warehouse, other_warehouse, staff_user
):
    mugs = factories.category("Mugs")
    mug = factories.product(sku="MUG-RED", name="Red mug", category=mugs)
    factories.product(sku="PLATE-1", name="Plate")
    factories.product(sku="MUG-OLD", name="Old mug", category=mugs, is_active=False)
    factories.stock(mug, warehouse, 7)
    factories.stock(mug, other_warehouse, 5)
    client = login(staff_user)

    page = client.get(reverse("product-list"), {"q": "mug"}).context["page"]
    assert [p.sku for p in page] == ["MUG-OLD", "MUG-RED"]
    red = [p for p in page if p.sku == "MUG-RED"][0]
    assert (red.total_on_hand, red.total_reserved, red.total_available) == (12, 0, 12)

    page = client.get(reverse("product-list"), {"q": "plate"}).context["page"]
    assert [p.sku for p in page] == ["PLATE-1"]

    filtered = client.get(
        reverse("product-list"), {"category": mugs.pk, "active": "1"}
    ).context["page"]
    assert [p.sku for p in filtered] == ["MUG-RED"]
    # A parent category lists the products of its subcategories too.
    tea = factories.category("Tea mugs", parent=mugs)
    factories.product(sku="MUG-TEA", category=tea)
    below = client.get(reverse("product-list"), {"category": mugs.pk}).context["page"]
    assert [p.sku for p in below] == ["MUG-OLD", "MUG-RED", "MUG-TEA"]
    assert b"Mugs / Tea mugs" in client.get(reverse("product-list")).content


def test_product_list_paginates_by_50(staff_user):
    category = factories.category()
    for _ in range(55):
        factories.product(category=category)
    client = login(staff_user)
    first = client.get(reverse("product-list"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("product-list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_product_list_query_count_does_not_grow_with_products(staff_user, warehouse):
    client = login(staff_user)
    parent = factories.category("Kitchen")

    def add_products(n):
        for _ in range(n):
            p = factories.product(category=factories.category(parent=parent))
            factories.stock(p, warehouse, 2)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("product-list"))
        assert response.status_code == 200
        return len(queries), len(response.context["page"].object_list)

    add_products(5)
    few, shown_few = count()
    add_products(25)
    many, shown_many = count()
    assert (shown_few, shown_many) == (5, 30)
    assert many == few


def test_product_page_shows_stock_history_and_open_po_lines(
    documents, product, warehouse, staff_user
):
    response = login(staff_user).get(reverse("product-detail", args=[product.sku]))
    assert response.status_code == 200
    (level,) = response.context["levels"]
    assert (level.on_hand, level.reserved, level.available_qty) == (10, 2, 8)
    movements = list(response.context["movements"])
    assert movements[0].kind == "receipt" and movements[0].balance_after == 10
    assert [line.purchase_order for line in response.context["po_lines"]] == [
        documents["po"]
    ]
    assert b"test stock" in response.content


def test_product_page_movement_history_is_paginated_newest_first(
    product, warehouse, staff_user
):
    for quantity in range(1, 31):
        factories.stock(product, warehouse, quantity)
    client = login(staff_user)
    first = list(client.get(product.get_absolute_url()).context["movements"])
    assert len(first) == 25
    assert first[0].quantity == 30
    second = list(
        client.get(product.get_absolute_url(), {"page": 2}).context["movements"]
    )
    assert [m.quantity for m in second] == [5, 4, 3, 2, 1]


def test_unknown_product_is_404(staff_user):
    assert login(staff_user).get("/products/NOPE/").status_code == 404


def test_order_list_filters_by_shop(warehouse, product, shop_a, shop_b, staff_user):
    factories.stock(product, warehouse, 10)
    for shop, external_id in ((shop_a[0], "A-1"), (shop_b[0], "B-1")):
        sales_order_create(
            shop=shop,
            external_id=external_id,
            lines=[OrderLineInput(product, 1)],
            warehouse=warehouse,
        )
    client = login(staff_user)
    everything = client.get(reverse("order-list")).context["page"]
    assert {o.external_id for o in everything} == {"A-1", "B-1"}
    only_a = client.get(reverse("order-list"), {"shop": shop_a[0].code})
    assert [o.external_id for o in only_a.context["page"]] == ["A-1"]


def test_document_lists_query_count_does_not_grow(
    warehouse, shop_a, manager_user, staff_user
):
    client = login(manager_user)
    supplier = factories.supplier()

    def add(n):
        for _ in range(n):
            p = factories.product()
            factories.stock(p, warehouse, 5)
            sales_order_create(
                shop=shop_a[0],
                external_id=f"Q-{p.pk}",
                lines=[OrderLineInput(p, 1)],
                warehouse=warehouse,
            )
            po = purchase_order_create(
                supplier=supplier, warehouse=warehouse, lines=[PurchaseLineInput(p, 2)]
            )
            purchase_order_send(purchase_order=po)
            stocktake_create(warehouse=warehouse, actor=staff_user, products=[p])

    def counts():
        result = []
        for name in ("order-list", "purchase-order-list", "count-list", "home"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name)).status_code == 200
            result.append(len(queries))
        return result

    add(2)
    few = counts()
    add(10)
    assert counts() == few
