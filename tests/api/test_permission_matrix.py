"""Every role x every API endpoint x method answers the status it should.

An endpoint added without a row here fails test_every_endpoint_has_a_row.
"""

import itertools

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from forecasting.models import TransferSuggestion
from returns.services.intake import ReturnLineInput, return_create
from returns.services.review import return_receive, return_review
from stock.services.operations import (
    TransferLineInput,
    stocktake_create,
    stocktake_record_counts,
    transfer_create,
)
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
from tests import factories
from tests.conftest import SharedRows

ROLES = ["anonymous", "nobody", "staff", "manager", "admin", "shop_a", "shop_b"]


def expect(
    anonymous=401,
    nobody=403,
    staff=403,
    manager=403,
    admin=403,
    shops=403,
    shop_a=None,
    shop_b=None,
    staff_roles=None,
):
    if staff_roles is not None:
        staff = manager = admin = staff_roles
    return {
        "anonymous": anonymous,
        "nobody": nobody,
        "staff": staff,
        "manager": manager,
        "admin": admin,
        "shop_a": shop_a if shop_a is not None else shops,
        "shop_b": shop_b if shop_b is not None else shops,
    }


SHOPS_AND_STAFF = expect(staff_roles=200, shops=200)
STAFF_READ = expect(staff_roles=200)

# (route, method) -> (path template, body, expected status per role)
MATRIX = {
    ("products/", "GET"): ("products/", None, SHOPS_AND_STAFF),
    ("products/<int:pk>/barcodes/", "POST"): (
        "products/{product}/barcodes/",
        {"code": "4006381333931"},
        expect(staff=403, manager=201, admin=201),
    ),
    ("warehouses/", "GET"): ("warehouses/", None, SHOPS_AND_STAFF),
    ("stock-levels/", "GET"): ("stock-levels/", None, SHOPS_AND_STAFF),
    ("movements/", "GET"): ("movements/", None, STAFF_READ),
    ("adjustments/", "POST"): (
        "adjustments/",
        {"sku": "MUG-001", "warehouse": "main", "quantity": 1, "reason": "found"},
        expect(staff_roles=201),
    ),
    ("orders/", "GET"): ("orders/", None, SHOPS_AND_STAFF),
    ("orders/", "POST"): (
        "orders/",
        {"external_id": "NEW-1", "lines": [{"sku": "MUG-001", "quantity": 1}]},
        expect(staff_roles=403, shops=201),
    ),
    ("orders/<int:pk>/", "GET"): (
        "orders/{order}/",
        None,
        expect(staff_roles=200, shop_a=200, shop_b=404),
    ),
    ("orders/<int:pk>/cancel/", "POST"): (
        "orders/{order}/cancel/",
        None,
        expect(staff_roles=200, shop_a=200, shop_b=404),
    ),
    ("orders/<int:pk>/ship/", "POST"): (
        "orders/{order}/ship/",
        None,
        expect(staff_roles=200),
    ),
    ("transfers/", "GET"): ("transfers/", None, STAFF_READ),
    ("transfers/", "POST"): (
        "transfers/",
        {
            "from_warehouse": "main",
            "to_warehouse": "east",
            "lines": [{"sku": "MUG-001", "quantity": 1}],
        },
        expect(staff_roles=201),
    ),
    ("transfers/<int:pk>/", "GET"): ("transfers/{transfer}/", None, STAFF_READ),
    ("counts/", "GET"): ("counts/", None, STAFF_READ),
    ("counts/", "POST"): ("counts/", {"warehouse": "main"}, expect(staff_roles=201)),
    ("counts/<int:pk>/", "GET"): ("counts/{count}/", None, STAFF_READ),
    ("counts/<int:pk>/submit/", "POST"): (
        "counts/{count}/submit/",
        {"lines": [{"sku": "MUG-001", "counted": 49}]},
        expect(staff_roles=200),
    ),
    ("counts/<int:pk>/confirm/", "POST"): (
        "counts/{submitted_count}/confirm/",
        None,
        expect(staff=403, manager=200, admin=200),
    ),
    ("forecasts/", "GET"): (
        "forecasts/",
        None,
        expect(staff=403, manager=200, admin=200, shops=200),
    ),
    ("promotions/", "GET"): (
        "promotions/",
        None,
        expect(staff=403, manager=200, admin=200, shops=200),
    ),
    ("promotions/", "POST"): (
        "promotions/",
        {
            "external_id": "PR-1",
            "name": "Double 11",
            "sku": "MUG-001",
            "start_date": "2027-11-01",
            "end_date": "2027-11-11",
            "discount_percent": "20",
        },
        expect(staff_roles=403, shops=201),
    ),
    ("returns/", "GET"): ("returns/", None, SHOPS_AND_STAFF),
    ("returns/", "POST"): (
        "returns/",
        {
            "order_reference": "SHIP-1",
            "reason_text": "too small",
            "lines": [{"sku": "MUG-001", "quantity": 1}],
        },
        # Shop B has no order SHIP-1: a 400 naming order_reference.
        expect(staff_roles=201, shop_a=201, shop_b=400),
    ),
    ("returns/<int:pk>/", "GET"): (
        "returns/{return}/",
        None,
        expect(staff_roles=200, shop_a=200, shop_b=404),
    ),
    ("returns/<int:pk>/review/", "POST"): (
        "returns/{return}/review/",
        {"category": "size_fit", "disposition": "restock"},
        expect(staff_roles=200),
    ),
    ("returns/<int:pk>/receive/", "POST"): (
        "returns/{return}/receive/",
        None,
        expect(staff_roles=200),
    ),
    ("returns/<int:pk>/resolve/", "POST"): (
        "returns/{ready_return}/resolve/",
        None,
        expect(staff_roles=200),
    ),
    ("returns/<int:pk>/reject/", "POST"): (
        "returns/{return}/reject/",
        {"note": "not our product"},
        expect(staff_roles=200),
    ),
    ("suggestions/", "GET"): (
        "suggestions/",
        None,
        expect(staff=403, manager=200, admin=200),
    ),
    ("suggestions/<int:pk>/approve/", "POST"): (
        "suggestions/{suggestion}/approve/",
        {},
        expect(staff=403, manager=200, admin=200),
    ),
    ("suggestions/<int:pk>/reject/", "POST"): (
        "suggestions/{suggestion}/reject/",
        {"reason": "not now"},
        expect(staff=403, manager=200, admin=200),
    ),
    ("transfer-suggestions/", "GET"): (
        "transfer-suggestions/",
        None,
        expect(staff=403, manager=200, admin=200),
    ),
    ("transfer-suggestions/<int:pk>/approve/", "POST"): (
        "transfer-suggestions/{transfer_suggestion}/approve/",
        {},
        expect(staff=403, manager=200, admin=200),
    ),
    ("transfer-suggestions/<int:pk>/reject/", "POST"): (
        "transfer-suggestions/{transfer_suggestion}/reject/",
        None,
        expect(staff=403, manager=200, admin=200),
    ),
    ("purchase-orders/", "GET"): ("purchase-orders/", None, STAFF_READ),
    ("purchase-orders/", "POST"): (
        "purchase-orders/",
        {
            "supplier_id": "{supplier}",
            "warehouse": "main",
            "lines": [{"sku": "MUG-001", "quantity": 10}],
        },
        expect(staff=403, manager=201, admin=201),
    ),
    ("purchase-orders/<int:pk>/", "GET"): (
        "purchase-orders/{draft_po}/",
        None,
        STAFF_READ,
    ),
    ("purchase-orders/<int:pk>/send/", "POST"): (
        "purchase-orders/{draft_po}/send/",
        None,
        expect(staff=403, manager=200, admin=200),
    ),
    ("purchase-orders/<int:pk>/cancel/", "POST"): (
        "purchase-orders/{draft_po}/cancel/",
        None,
        expect(staff=403, manager=200, admin=200),
    ),
    ("purchase-orders/<int:pk>/receive/", "POST"): (
        "purchase-orders/{sent_po}/receive/",
        {"lines": [{"sku": "MUG-001", "quantity": 2}]},
        expect(staff_roles=200),
    ),
}


def api_routes():
    """(route, method) for every view under /api/v1/."""
    api = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and str(p.pattern) == "api/v1/"
    )

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = pattern.callback.cls
                for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    if hasattr(view, method.lower()):
                        yield prefix + str(pattern.pattern), method

    return set(walk(api.url_patterns))


def test_every_endpoint_has_a_row():
    assert api_routes() == set(MATRIX)


def _make_world(warehouse, other_warehouse, product, shop_a, shop_b):
    """One document of each kind in each state the matrix asks about, around
    the given warehouses, product and shops; (ids, a client per role)."""
    staff = factories.user("staff")
    manager = factories.user("manager")
    factories.stock(product, warehouse, 50)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="A-1", lines=[OrderLineInput(product, 1)]
    )
    supplier = factories.supplier()
    draft_po = purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[PurchaseLineInput(product, 5)]
    )
    sent_po = purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[PurchaseLineInput(product, 5)]
    )
    purchase_order_send(purchase_order=sent_po)
    transfer = transfer_create(
        from_warehouse=warehouse,
        to_warehouse=other_warehouse,
        lines=[TransferLineInput(product, 1)],
        actor=staff,
    )
    count = stocktake_create(warehouse=warehouse, actor=staff)
    submitted = stocktake_create(warehouse=warehouse, actor=staff)
    stocktake_record_counts(
        stocktake=submitted,
        counts={line.pk: 49 for line in submitted.lines.all()},
        actor=staff,
    )
    shipped, _ = sales_order_create(
        shop=shop_a[0], external_id="SHIP-1", lines=[OrderLineInput(product, 5)]
    )
    sales_order_ship(order=shipped, actor=staff)
    open_return, _ = return_create(
        shop=shop_a[0],
        order_reference="SHIP-1",
        lines=[ReturnLineInput(product, 1)],
        reason_text="wrong colour",
    )
    ready_return, _ = return_create(
        shop=shop_a[0],
        order_reference="SHIP-1",
        lines=[ReturnLineInput(product, 1)],
    )
    return_review(
        request=ready_return,
        category="changed_mind",
        disposition="restock",
        actor=staff,
    )
    return_receive(request=ready_return, actor=staff)
    ids = {
        "suggestion": factories.suggestion(product, warehouse, supplier).pk,
        "transfer_suggestion": TransferSuggestion.objects.create(
            product=product,
            from_warehouse=warehouse,
            to_warehouse=other_warehouse,
            quantity=1,
            from_usable=10,
            from_order_up_to=5,
            to_position=0,
            to_reorder_point=2,
            to_order_up_to=4,
            transfer_cost=1,
            buy_cost=4,
            lead_time_days=7,
        ).pk,
        "return": open_return.pk,
        "ready_return": ready_return.pk,
        "order": order.pk,
        "draft_po": draft_po.pk,
        "sent_po": sent_po.pk,
        "transfer": transfer.pk,
        "count": count.pk,
        "submitted_count": submitted.pk,
        "supplier": supplier.pk,
        "product": product.pk,
    }
    clients = {"anonymous": APIClient()}
    for role, account in {
        "nobody": factories.user(None),
        "staff": staff,
        "manager": manager,
        "admin": factories.user("admin"),
    }.items():
        clients[role] = APIClient()
        clients[role].force_login(account)
    for role, (_, key) in {"shop_a": shop_a, "shop_b": shop_b}.items():
        clients[role] = APIClient()
        clients[role].credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return ids, clients


@pytest.fixture
def world(db, warehouse, other_warehouse, product, shop_a, shop_b):
    return _make_world(warehouse, other_warehouse, product, shop_a, shop_b)


def _make_shared_world():
    return _make_world(
        factories.warehouse(code="main"),
        factories.warehouse(code="east"),
        factories.product(sku="MUG-001"),
        factories.shop("shop-a"),
        factories.shop("shop-b"),
    )


@pytest.fixture(scope="module")
def world_rows(django_db_setup, django_db_blocker):
    """The world, made once for the matrix's consecutive cases (see SharedRows)."""
    rows = SharedRows("shared_world", django_db_blocker)
    rows.open(_make_shared_world)
    yield rows
    rows.close()


@pytest.fixture
def shared_world(world_rows, db):
    """`world` as the matrix reads it: the same rows, made once per run of
    consecutive cases (each case's writes are rolled back)."""
    return world_rows.value if world_rows.is_open else _make_shared_world()


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize(
    ("route", "method", "role"),
    [(r, m, role) for (r, m), role in itertools.product(MATRIX, ROLES)],
)
def test_permission_matrix(shared_world, route, method, role):
    ids, clients = shared_world
    path, body, expected = MATRIX[(route, method)]
    url = "/api/v1/" + path.format(**ids)
    client = clients[role]
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(
            url, _fill(body, ids), format="json", HTTP_IDEMPOTENCY_KEY=f"{role}-key"
        )
    assert response.status_code == expected[role], (role, url, response.content)
