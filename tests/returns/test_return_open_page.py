"""Staff open a return from the web: find the shipped order, give quantities."""

import pytest
from django.test import Client

from returns.models import ReturnEvent, ReturnLine, ReturnRequest
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories
from tests.conftest import tasks_not_eager

REFERENCE = "MP-100231"
TOKEN = "0123456789abcdef0123456789abcdef"


def _shipped(shop, product, quantity=2, reference=REFERENCE):
    order, _ = sales_order_create(
        shop=shop, external_id=reference, lines=[OrderLineInput(product, quantity)]
    )
    sales_order_ship(order=order, actor=factories.user("staff"))
    return order


@pytest.fixture
def shipped_order(shop_a, product, warehouse):
    factories.stock(product, warehouse, 10)
    return _shipped(shop_a[0], product)


@pytest.fixture
def same_reference_in_two_shops(shop_a, shop_b, product, warehouse):
    factories.stock(product, warehouse, 10)
    return {shop.code: _shipped(shop, product) for shop, _ in (shop_a, shop_b)}


def _open(client, product, quantity, **fields):
    return client.post(
        "/returns/new/",
        {
            "order_reference": REFERENCE,
            "token": TOKEN,
            f"qty_{product.pk}": quantity,
            "reason_text": "too small for me",
            "reason_code": "SIZE",
            **fields,
        },
    )


def _nothing_written():
    return not (
        ReturnRequest.objects.exists()
        or ReturnLine.objects.exists()
        or ReturnEvent.objects.exists()
    )


def test_the_queue_links_to_the_page_and_the_order_shows_what_is_returnable(
    client, staff_user, shipped_order
):
    client.force_login(staff_user)
    assert 'href="/returns/new/"' in client.get("/returns/").content.decode()
    page = client.get("/returns/new/", {"order_reference": REFERENCE})
    assert page.status_code == 200
    html = page.content.decode()
    assert "MUG-001" in html
    assert "shipped 2, returnable 2" in html
    assert 'name="token"' in html


def test_opening_a_return_creates_it_and_queues_its_classification(
    client,
    staff_user,
    shipped_order,
    product,
    settings,
    django_capture_on_commit_callbacks,
):
    client.force_login(staff_user)
    # The production path: the classification is queued once the return commits.
    with tasks_not_eager(settings), django_capture_on_commit_callbacks() as queued:
        response = _open(client, product, 1)
    opened = ReturnRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/returns/{opened.pk}/"
    assert opened.sales_order == shipped_order
    assert opened.shop == shipped_order.shop
    assert opened.created_by == staff_user
    assert (opened.reason_text, opened.reason_code) == ("too small for me", "size")
    assert [(line.product, line.quantity) for line in opened.lines.all()] == [
        (product, 1)
    ]
    assert opened.classification_status == "pending"
    assert queued, "nothing was queued after the commit"
    for callback in queued:  # what a worker does with the queued task
        callback()
    opened.refresh_from_db()
    assert opened.classification_status == "done"
    assert opened.predicted_category
    detail = client.get(response["Location"]).content.decode()
    assert f"{opened} opened." in detail


def test_a_second_submit_of_the_same_page_opens_nothing_more(
    client, staff_user, shipped_order, product
):
    client.force_login(staff_user)
    first = _open(client, product, 1)
    again = _open(client, product, 1)
    opened = ReturnRequest.objects.get()
    assert first["Location"] == again["Location"] == f"/returns/{opened.pk}/"
    assert ReturnLine.objects.get().quantity == 1
    page = client.get(again["Location"]).content.decode()
    assert f"This page was already sent: {opened} was opened then." in page
    # The same page sent again with other quantities is refused on the page.
    changed = _open(client, product, 2)
    assert changed.status_code == 200
    assert "already sent with other quantities" in changed.content.decode()
    assert ReturnLine.objects.get().quantity == 1


def test_an_ambiguous_reference_names_the_shops_then_opens_with_the_shop_chosen(
    client, staff_user, same_reference_in_two_shops, product
):
    client.force_login(staff_user)
    page = client.get("/returns/new/", {"order_reference": REFERENCE})
    assert page.status_code == 200
    html = page.content.decode()
    assert "exists in more than one shop (shop-a, shop-b): give the shop." in html
    assert "Open the return" not in html  # no lines until the shop is known
    refused = _open(client, product, 1)
    assert refused.status_code == 200
    assert "(shop-a, shop-b)" in refused.content.decode()
    assert _nothing_written()

    # Shop B's order is the newer one: a guess would have taken it.
    found = client.get(
        "/returns/new/", {"order_reference": REFERENCE, "shop": "shop-a"}
    )
    assert "shipped 2, returnable 2" in found.content.decode()
    response = _open(client, product, 1, shop="shop-a")
    assert response.status_code == 302
    opened = ReturnRequest.objects.get()
    assert opened.sales_order == same_reference_in_two_shops["shop-a"]
    assert opened.shop.code == "shop-a"


def test_more_than_is_returnable_is_refused_on_the_page_and_writes_nothing(
    client, staff_user, shipped_order, product
):
    client.force_login(staff_user)
    response = _open(client, product, 3)
    assert response.status_code == 200
    assert (
        "More than was shipped and not yet returned: MUG-001 (returnable 2, asked 3)"
        in response.content.decode()
    )
    assert _nothing_written()


def test_bad_lookups_and_empty_returns_are_form_errors(
    client, staff_user, shipped_order, product, shop_b
):
    client.force_login(staff_user)
    unknown = client.get("/returns/new/", {"order_reference": "NOPE-1"})
    assert "No order &#x27;NOPE-1&#x27; is known for this shop." in (
        unknown.content.decode()
    )
    other_shop = client.get(
        "/returns/new/", {"order_reference": REFERENCE, "shop": "shop-b"}
    )
    assert "is known for this shop" in other_shop.content.decode()
    nothing = _open(client, product, 0)
    assert "Give a quantity for at least one line." in nothing.content.decode()
    assert _nothing_written()


def test_the_page_in_chinese(client, staff_user, shipped_order):
    client.force_login(staff_user)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/returns/new/", {"order_reference": REFERENCE}).content.decode()
    assert "登记退货" in html
    assert "已发货 2，可退 2" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [("staff", 200), ("manager", 200), ("admin", 200), (None, 403)],
)
def test_staff_and_managers_may_open_returns(db, role, status):
    client = Client()
    client.force_login(factories.user(role))
    assert client.get("/returns/new/").status_code == status


def test_anonymous_users_are_sent_to_the_login_page(db, product):
    response = Client().post("/returns/new/", {"order_reference": REFERENCE})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/returns/new/")
    assert _nothing_written()
