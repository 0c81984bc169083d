"""Lists people use all day: sorted on the server by a column, filtered by
warehouse and dates, paged, in a number of queries that does not grow with
the rows; the home page's tiles lead to the full lists."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forecasting.models import ReplenishmentSuggestion
from stock.models import SalesOrder
from stock.services.orders import OrderLineInput, sales_order_create
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_send,
)
from tests import factories


def _order_ids(html: str) -> list[str]:
    return re.findall(r'href="/orders/\d+/">(O-\d+)</a>', html)


@pytest.fixture
def orders(warehouse, other_warehouse, shop_a):
    shop = shop_a[0]
    made = []
    for n, (where, units) in enumerate([(warehouse, 3), (other_warehouse, 1)] * 3):
        mug = factories.product(sku=f"MUG-{n}")
        factories.stock(mug, where, 10)
        order, _ = sales_order_create(
            shop=shop,
            external_id=f"O-{n}",
            lines=[OrderLineInput(mug, units)],
            warehouse=where,
        )
        made.append(order)
    # O-0 came in five days ago, the rest today
    SalesOrder.objects.filter(pk=made[0].pk).update(
        created_at=timezone.now() - timedelta(days=5)
    )
    return made


def test_orders_sort_by_a_column_both_ways_and_filter_by_warehouse_and_day(
    client, orders, warehouse, staff_user
):
    client.force_login(staff_user)
    url = reverse("order-list")
    by_units = _order_ids(client.get(url, {"sort": "units"}).content.decode())
    assert by_units[:3] == ["O-1", "O-3", "O-5"]  # 1 unit each, then the 3s
    down = client.get(url, {"sort": "-units"}).content.decode()
    assert _order_ids(down)[:3] == ["O-4", "O-2", "O-0"]  # ties: newest first
    assert 'aria-sort="descending"' in down
    # a column the list does not know falls back to the default order
    assert _order_ids(client.get(url, {"sort": "password"}).content.decode())[0] == (
        "O-0"
    )
    main_only = client.get(url, {"warehouse": warehouse.code}).content.decode()
    assert _order_ids(main_only) == ["O-0", "O-2", "O-4"]
    today = timezone.localdate().isoformat()
    recent = client.get(url, {"since": today, "sort": "order"}).content.decode()
    assert _order_ids(recent) == ["O-1", "O-2", "O-3", "O-4", "O-5"]


def test_order_list_queries_do_not_grow_with_rows(
    client, orders, staff_user, django_assert_max_num_queries
):
    client.force_login(staff_user)
    with django_assert_max_num_queries(12):
        client.get(reverse("order-list"), {"sort": "-units"})


def test_purchase_orders_filter_by_expected_date_and_sort(
    client, warehouse, other_warehouse, staff_user, django_assert_max_num_queries
):
    today = timezone.localdate()
    supplier = factories.supplier(name="Acme")
    mug = factories.product(sku="MUG-PO")
    made = []
    for days, where in ((10, warehouse), (2, other_warehouse), (30, warehouse)):
        po = purchase_order_create(
            supplier=supplier,
            warehouse=where,
            lines=[PurchaseLineInput(mug, days)],
            expected_date=today + timedelta(days=days),
        )
        purchase_order_send(purchase_order=po)
        made.append(po)
    client.force_login(staff_user)
    url = reverse("purchase-order-list")
    soon = client.get(url, {"until": (today + timedelta(days=12)).isoformat()})
    text = soon.content.decode()
    assert f"PO-{made[0].pk}" in text and f"PO-{made[1].pk}" in text
    assert f"PO-{made[2].pk}" not in text
    by_units = client.get(url, {"sort": "-units"}).content.decode()
    assert by_units.index(f"PO-{made[2].pk}") < by_units.index(f"PO-{made[0].pk}")
    only_main = client.get(url, {"warehouse": warehouse.code}).content.decode()
    assert f"PO-{made[1].pk}" not in only_main
    with django_assert_max_num_queries(12):
        client.get(url, {"sort": "supplier"})
    # A draft without an expected date comes after the dated ones, both ways.
    draft = purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[PurchaseLineInput(mug, 1)]
    )
    for sort in ("expected", "-expected"):
        every = client.get(url, {"status": "", "sort": sort}).content.decode()
        assert every.index(f"PO-{draft.pk}<") > every.index(f"PO-{made[1].pk}<")


def test_suggestion_queue_sorts_pages_and_keeps_its_queries_flat(
    client, warehouse, manager_user, django_assert_max_num_queries
):
    supplier = factories.supplier(name="Acme")
    for n in range(30):
        product = factories.product(sku=f"S-{n:02d}")
        factories.suggestion(product, warehouse, supplier, quantity=10 + n)
    client.force_login(manager_user)
    url = reverse("suggestion-queue")
    with django_assert_max_num_queries(14):
        first = client.get(url, {"sort": "-quantity"}).content.decode()
    skus = re.findall(r">(S-\d\d)</a>", first)
    assert skus[:2] == ["S-29", "S-28"] and len(skus) == 25  # one page of 25
    assert "Page 1 of 2" in first
    second = client.get(url, {"sort": "-quantity", "page": 2}).content.decode()
    assert re.findall(r">(S-\d\d)</a>", second) == [
        f"S-{n:02d}" for n in range(4, -1, -1)
    ]
    assert ReplenishmentSuggestion.objects.count() == 30


def test_home_tiles_lead_to_the_full_lists(client, warehouse, manager_user):
    client.force_login(manager_user)
    home = client.get(reverse("home")).content.decode()
    assert 'href="/purchase-orders/?status=open&amp;until=' in home
    assert 'href="/counts/?status=submitted"' in home
