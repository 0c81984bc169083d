"""Bad input never reaches a 500: deep JSON on every write, honest 503s."""

import json

import pytest
from django.db import connection
from django.db.models import Model
from drf_spectacular.generators import SchemaGenerator

from returns.models import ReturnRequest
from stock.models import (
    IdempotencyRecord,
    PurchaseOrder,
    SalesOrder,
    StockMovement,
    Stocktake,
    Transfer,
)
from tests.api.test_permission_matrix import MATRIX, api_routes, world  # noqa: F401
from tests.config.test_hardening import _terminate_own_connection
from tests.conftest import shop_client

WRITES = ("POST", "PUT", "PATCH")
# The roles tried in turn: the first the permission matrix lets in is used, so
# the request gets as far as the view (a 403 would prove nothing).
ROLES = ("shop_a", "manager", "admin", "staff")
DEEP_BODIES = {
    "950 lists": "[" * 950 + "]" * 950,
    "100,000 [": "[" * 100_000,
    "950 objects": '{"a":' * 950 + "1" + "}" * 950,
    # Parses without trouble in Python, but no body of ours is nested like it.
    "40 lists": json.dumps(
        {
            "lines": [
                [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
            ]
        }
    ),
}
WRITTEN: list[type[Model]] = [
    StockMovement,
    SalesOrder,
    ReturnRequest,
    PurchaseOrder,
    Transfer,
    Stocktake,
    IdempotencyRecord,
]


def _schema_path(route: str) -> str:
    return "/api/v1/" + route.replace("<int:pk>", "{id}")


def _takes_a_body(schema, route: str, method: str) -> bool:
    operation = schema["paths"][_schema_path(route)][method.lower()]
    return "requestBody" in operation


def _counts():
    return {model.__name__: model.objects.count() for model in WRITTEN}


def test_the_deepest_body_the_api_takes_is_far_below_the_limit():
    from core.parsers import MAX_DEPTH, json_depth

    deepest = max(json_depth(body) for _, body, _ in MATRIX.values() if body)
    assert deepest == 3
    assert deepest < MAX_DEPTH


@pytest.mark.parametrize("shape", DEEP_BODIES)
def test_deep_json_on_every_write_endpoint_is_a_400_and_writes_nothing(
    world,  # noqa: F811
    shape,
):
    ids, clients = world
    schema = SchemaGenerator().get_schema(request=None, public=True)
    writes = sorted((r, m) for r, m in api_routes() if m in WRITES)
    assert writes, "no write endpoint found"
    answers = {}
    for route, method in writes:
        path, _, expected = MATRIX[(route, method)]
        role = next(r for r in ROLES if 200 <= expected[r] < 300)
        before = _counts()
        response = clients[role].generic(
            method,
            "/api/v1/" + path.format(**ids),
            DEEP_BODIES[shape],
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"deep-{route}-{shape}",
        )
        assert response["Content-Type"] == "application/json", (route, role)
        body = response.json()
        if _takes_a_body(schema, route, method) or role.startswith("shop"):
            answers[(route, role)] = (response.status_code, body.get("code"))
            assert _counts() == before, (route, role)
        else:
            # Documented without a body: the body is never read, so it cannot
            # fail; the endpoint answers as it would without one.
            assert response.status_code < 500, (route, role, body)
    assert answers
    assert answers == {key: (400, "parse_error") for key in answers}


@pytest.mark.django_db
def test_a_deep_body_says_what_is_wrong(shop_a):
    response = shop_client(shop_a[1]).post(
        "/api/v1/orders/",
        DEEP_BODIES["950 lists"],
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="deep-1",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "JSON parse error - nested deeper than 32 levels.",
        "code": "parse_error",
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_503_on_a_write_does_not_claim_nothing_was_written(
    shop_a, product, warehouse, client, staff_user
):
    from tests import factories

    factories.stock(product, warehouse, 5)
    api = shop_client(shop_a[1])
    order = {"external_id": "X-1", "lines": [{"sku": product.sku, "quantity": 1}]}

    _terminate_own_connection()
    response = api.post(
        "/api/v1/orders/", order, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "nothing was written" not in detail
    assert "may or may not have been saved" in detail
    assert "same Idempotency-Key" in detail

    connection.ensure_connection()
    _terminate_own_connection()
    response = api.get("/api/v1/warehouses/")
    assert response.status_code == 503
    assert response.json()["detail"] == (
        "The database is unavailable for a moment. Retry shortly."
    )

    client.force_login(staff_user)
    connection.ensure_connection()
    _terminate_own_connection()
    page = client.post(
        "/adjust/", {"sku": product.sku, "warehouse": warehouse.code, "quantity": 1}
    )
    assert page.status_code == 503
    text = page.content.decode()
    assert "may or may not have been saved" in text
    assert "check before you submit it again" in text
