"""Bad input never reaches a 500: deep JSON on every write, a body where none is
taken, honest 503s."""

import json

import pytest
from django.db import connection
from django.db.models import Model
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from core.api import NoBodyApi
from forecasting.models import Promotion, TransferSuggestion
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
    Promotion,
]


# Operations that take no body: they refuse one (core.api.NoBodyApi).
NO_BODY_ROUTES = [
    ("counts/<int:pk>/confirm/", "POST"),
    ("orders/<int:pk>/cancel/", "POST"),
    ("orders/<int:pk>/ship/", "POST"),
    ("purchase-orders/<int:pk>/cancel/", "POST"),
    ("purchase-orders/<int:pk>/send/", "POST"),
    ("returns/<int:pk>/receive/", "POST"),
    ("returns/<int:pk>/resolve/", "POST"),
    ("transfer-suggestions/<int:pk>/reject/", "POST"),
]
JSON = "application/json"
# (body, content type): each a client bug on an operation that takes no body.
REFUSED_BODIES = {
    "an object": ('{"note": "ship it", "carrier": "DHL"}', JSON),
    "an empty list": ("[]", JSON),
    "a string": ('"ship it"', JSON),
    "null": ("null", JSON),
    "a number": ("0", JSON),
    "a form": ("note=ship+it", "application/x-www-form-urlencoded"),
}
NO_BODY_MESSAGE = "This operation takes no request body: send none, or {}."


def _schema_path(route: str) -> str:
    return "/api/v1/" + route.replace("<int:pk>", "{id}")


def _takes_a_body(schema, route: str, method: str) -> bool:
    operation = schema["paths"][_schema_path(route)][method.lower()]
    return "requestBody" in operation


def _counts():
    return {model.__name__: model.objects.count() for model in WRITTEN}


def _state():
    """The rows written, and the status of every document an operation moves."""
    statuses = {
        f"{model.__name__} status": sorted(model.objects.values_list("pk", "status"))
        for model in (
            SalesOrder,
            PurchaseOrder,
            Stocktake,
            ReturnRequest,
            TransferSuggestion,
        )
    }
    return {**_counts(), **statuses}


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
    writes = sorted((r, m) for r, m in api_routes() if m in WRITES)
    assert writes, "no write endpoint found"
    answers = {}
    for route, method in writes:
        path, _, expected = MATRIX[(route, method)]
        role = next(r for r in ROLES if 200 <= expected[r] < 300)
        before = _state()
        response = clients[role].generic(
            method,
            "/api/v1/" + path.format(**ids),
            DEEP_BODIES[shape],
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"deep-{route}-{shape}",
        )
        assert response["Content-Type"] == "application/json", (route, role)
        answers[(route, role)] = (response.status_code, response.json().get("code"))
        assert _state() == before, (route, role)
    assert len(answers) == len(writes)
    assert answers == {key: (400, "parse_error") for key in answers}


def test_the_schema_documents_no_body_exactly_where_a_body_is_refused():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    writes = [(r, m) for r, m in api_routes() if m in WRITES]
    bodyless = sorted(w for w in writes if not _takes_a_body(schema, *w))
    assert bodyless == NO_BODY_ROUTES
    for route, method in writes:
        view = resolve("/api/v1/" + route.replace("<int:pk>", "1")).func.cls
        assert issubclass(view, NoBodyApi) == ((route, method) in bodyless), route
    for route, method in bodyless:
        operation = schema["paths"][_schema_path(route)][method.lower()]
        assert "takes none" in operation["responses"]["400"]["description"]
        assert "Takes no request body" in operation["description"]


@pytest.mark.parametrize(("route", "method"), NO_BODY_ROUTES)
def test_an_operation_that_takes_no_body_refuses_one_and_changes_nothing(
    world,  # noqa: F811
    route,
    method,
):
    ids, clients = world
    path, _, expected = MATRIX[(route, method)]
    role = next(r for r in ROLES if 200 <= expected[r] < 300)
    url = "/api/v1/" + path.format(**ids)
    before = _state()
    messages = {}
    for shape, (body, content_type) in REFUSED_BODIES.items():
        response = clients[role].generic(
            method, url, body, content_type=content_type, HTTP_IDEMPOTENCY_KEY="k-1"
        )
        assert response.status_code == 400, (route, shape, response.content)
        answer = response.json()
        assert answer["code"] == "invalid", (route, shape)
        assert answer["detail"] == "Invalid input: check body.", (route, shape)
        (messages[shape],) = answer["errors"]["body"]
        assert messages[shape].startswith(NO_BODY_MESSAGE), (route, shape)
        assert _state() == before, (route, shape)
    # An object or a form names the keys the operation would have ignored.
    assert messages["an object"] == NO_BODY_MESSAGE + " Unexpected: carrier, note."
    assert messages["a form"] == NO_BODY_MESSAGE + " Unexpected: note."
    assert messages["null"] == NO_BODY_MESSAGE
    # `{}` is no body: the operation runs, under the key the refusals left free.
    response = clients[role].generic(
        method, url, "{}", content_type=JSON, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == expected[role], (route, response.content)
    assert _state() != before


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
