"""Bad input is a 400 that names the field, never silently ignored; a request
that only today's state refuses is a 409; the schema says both."""

import pytest

from returns.models import ReturnRequest
from stock.models import Stocktake
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories
from tests.conftest import shop_client, user_client


@pytest.fixture
def schema(db):
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def shipped(shop_a, product, warehouse, staff_user):
    factories.stock(product, warehouse, 10)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="ORD-1", lines=[OrderLineInput(product, 3)]
    )
    sales_order_ship(order=order, actor=staff_user)
    return order


def post_return(client, key="r-1", **body):
    payload = {
        "external_id": "RMA-1",
        "order_reference": "ORD-1",
        "lines": [{"sku": "MUG-001", "quantity": 1}],
        **body,
    }
    return client.post(
        "/api/v1/returns/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


@pytest.mark.parametrize(
    "query, field",
    [
        ("active=-58800", "active"),
        ("active=yes", "active"),
        ("category=abc", "category"),
        ("category=1.5", "category"),
    ],
)
def test_product_filters_refuse_values_they_cannot_read(staff_user, query, field):
    response = user_client(staff_user).get(f"/api/v1/products/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_product_active_filter_still_filters(staff_user):
    factories.product(sku="ON-1")
    factories.product(sku="OFF-1", is_active=False)
    client = user_client(staff_user)
    skus = {
        value: [
            p["sku"] for p in client.get(f"/api/v1/products/?{value}").json()["results"]
        ]
        for value in ("active=true", "active=false", "active=")
    }
    assert skus == {
        "active=true": ["ON-1"],
        "active=false": ["OFF-1"],
        "active=": ["OFF-1", "ON-1"],
    }


@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/v1/orders/?status=open", "status"),
        ("/api/v1/purchase-orders/?status=bogus", "status"),
        ("/api/v1/purchase-orders/?supplier=x", "supplier"),
        ("/api/v1/suggestions/?supplier=2.5", "supplier"),
        ("/api/v1/stock-levels/?warehouse=%00main", "warehouse"),
    ],
)
def test_other_filters_refuse_unknown_values(manager_user, path, field):
    response = user_client(manager_user).get(path)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_unknown_body_keys_are_a_400_naming_them(shipped, shop_a):
    client = shop_client(shop_a[1])
    response = post_return(
        client,
        reason="typo of reason_text",
        lines=[{"sku": "MUG-001", "quantity": 1, "qty": 1}],
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["reason"] == ["Unknown field."]
    assert errors["lines"] == {"0": {"qty": ["Unknown field."]}}
    assert not ReturnRequest.objects.exists()


def test_unknown_keys_and_invalid_fields_are_reported_together(
    staff_user, product, warehouse
):
    response = user_client(staff_user).post(
        "/api/v1/adjustments/",
        {"sku": "MUG-001", "warehouse": "main", "quantity": 0, "reson": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"quantity", "reason", "reson"}


def test_every_request_body_documents_that_it_refuses_unknown_keys(schema):
    bodies = [
        (path, method)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if "requestBody" in operation
    ]
    assert bodies
    components = schema["components"]["schemas"]
    for path, method in bodies:
        content = schema["paths"][path][method]["requestBody"]["content"]
        ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert components[ref]["additionalProperties"] is False, (path, method)


def test_returning_more_than_is_returnable_is_a_conflict(shipped, shop_a):
    client = shop_client(shop_a[1])
    two = [{"sku": "MUG-001", "quantity": 2}]
    assert post_return(client, key="1", external_id="A", lines=two).status_code == 201
    second = post_return(client, key="2", external_id="B", lines=two)
    assert second.status_code == 409
    assert second.json()["errors"] == {"lines": [second.json()["detail"]]}
    assert "returnable 1" in second.json()["detail"]


def test_a_count_where_nothing_is_on_the_books_is_a_conflict(staff_user, warehouse):
    client = user_client(staff_user)
    response = client.post("/api/v1/counts/", {"warehouse": "main"}, format="json")
    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["skus"]
    assert not Stocktake.objects.exists()
    named = client.post(
        "/api/v1/counts/",
        {"warehouse": "main", "skus": [factories.product(sku="NEW-1").sku]},
        format="json",
    )
    assert named.status_code == 201


def test_text_fields_document_that_nul_and_blank_are_refused(schema, staff_user):
    adjustment = schema["components"]["schemas"]["AdjustmentInputRequest"]
    assert adjustment["properties"]["location"]["pattern"] == r"^[^\x00]*$"
    assert adjustment["properties"]["reason"]["pattern"] == (
        r"^[^\x00]*[^\x00\s][^\x00]*$"
    )
    response = user_client(staff_user).post(
        "/api/v1/adjustments/",
        {"sku": "X", "warehouse": "main", "quantity": 1, "reason": "   "},
        format="json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


@pytest.mark.parametrize(
    "query, status",
    [
        ("until=0322-09-10T12:19:41-21:21", 200),
        ("since=2026-01-01T00:00:00%2B23:59", 200),
        ("until=9999-12-31T23:00:00-05:00", 400),
        ("since=yesterday", 400),
    ],
)
def test_movement_time_filters_take_any_rfc3339_offset(staff_user, query, status):
    response = user_client(staff_user).get(f"/api/v1/movements/?{query}")
    assert response.status_code == status, response.content
