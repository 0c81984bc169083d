"""The per-shop token bucket: a burst of STOCKWISE_API_SHOP_BURST at once, then
STOCKWISE_API_SHOP_RATE sustained, and the bucket's headers on every shop answer.

Run on the in-process cache (the embedded default) and, with REDIS_URL set, on
Redis (the Lua script every web process shares)."""

import os
import time

import pytest
from django.urls import reverse

from catalog.throttling import shop_throttle_reset
from stock.services.orders import OrderLineInput, sales_order_create
from tests import factories
from tests.conftest import shop_client, user_client
from tests.outage import cache_settings


@pytest.fixture(params=["local", "redis"])
def bucket(request, settings):
    if request.param == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            pytest.skip("the Lua bucket needs REDIS_URL")
        settings.CACHES = cache_settings(url)
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "rate-limit-tests",
            }
        }
    return request.param


def limit_headers(response) -> tuple[str, str, str]:
    return (
        response["X-RateLimit-Limit"],
        response["X-RateLimit-Remaining"],
        response["X-RateLimit-Reset"],
    )


def test_a_burst_is_capped_and_the_rate_then_sustained(bucket, settings, shop_a):
    settings.STOCKWISE_API_SHOP_BURST = 5
    settings.STOCKWISE_API_SHOP_RATE = "2/s"
    shop_throttle_reset(shop_id=shop_a[0].pk)
    client = shop_client(shop_a[1])

    started = time.monotonic()
    flood = [client.get("/api/v1/warehouses/") for _ in range(30)]
    elapsed = time.monotonic() - started
    statuses = [response.status_code for response in flood]
    # The whole burst at once, then no more than the rate refilled meanwhile.
    assert statuses[:5] == [200] * 5, statuses
    assert statuses.count(200) <= 5 + 2 * elapsed + 1, (statuses, elapsed)
    assert statuses.count(429) >= 30 - (5 + 2 * elapsed + 1)
    assert [limit_headers(r)[:2] for r in flood[:5]] == [
        ("5", "4"),
        ("5", "3"),
        ("5", "2"),
        ("5", "1"),
        ("5", "0"),
    ]
    refused = flood[statuses.index(429)]
    assert refused.json()["code"] == "throttled"
    assert refused["Retry-After"] == "1"  # one token comes within half a second
    assert refused["X-RateLimit-Remaining"] == "0"
    assert int(refused["X-RateLimit-Reset"]) in (2, 3)  # 5 tokens at 2 a second

    # At the sustained rate (a little under it) every request goes through.
    sustained = []
    for _ in range(6):
        time.sleep(0.6)
        sustained.append(client.get("/api/v1/warehouses/").status_code)
    assert sustained == [200] * 6


def test_another_shop_has_its_own_bucket(bucket, settings, shop_a, shop_b):
    settings.STOCKWISE_API_SHOP_BURST = 2
    settings.STOCKWISE_API_SHOP_RATE = "1/min"
    for shop, _ in (shop_a, shop_b):
        shop_throttle_reset(shop_id=shop.pk)
    first = shop_client(shop_a[1])
    assert [first.get("/api/v1/products/").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert shop_client(shop_b[1]).get("/api/v1/products/").status_code == 200


def test_every_shop_answer_carries_the_headers_and_staff_answers_none(
    settings, shop_a, shop_b, product, warehouse, staff_user
):
    settings.STOCKWISE_API_SHOP_BURST = 50
    settings.STOCKWISE_API_SHOP_RATE = "1/min"  # no refill while the test runs
    shop_throttle_reset(shop_id=shop_a[0].pk)
    factories.stock(product, warehouse, 3)
    theirs, _ = sales_order_create(
        shop=shop_b[0], external_id="B-1", lines=[OrderLineInput(product, 1)]
    )
    client = shop_client(shop_a[1])

    def order(body, key):
        return client.post(
            "/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key
        )

    line = {"sku": "MUG-001", "quantity": 1}
    answers = {
        200: client.get("/api/v1/stock-levels/"),
        201: order({"external_id": "A-1", "lines": [line]}, "a"),
        400: order({"external_id": "A-2", "lines": []}, "b"),
        403: client.get("/api/v1/movements/"),
        404: client.get(f"/api/v1/orders/{theirs.pk}/"),
        409: order({"external_id": "A-3", "lines": [{**line, "quantity": 9}]}, "c"),
    }
    remaining = []
    for status, response in answers.items():
        assert response.status_code == status, response.content
        limit, left, reset = limit_headers(response)
        assert limit == "50" and int(reset) >= 0
        remaining.append(int(left))
    assert remaining == [49, 48, 47, 46, 45, 44]  # each answer counted
    staff = user_client(staff_user).get("/api/v1/stock-levels/")
    assert staff.status_code == 200 and "X-RateLimit-Limit" not in staff
    page = user_client(staff_user).get(reverse("home"))
    assert "X-RateLimit-Limit" not in page


def test_the_schema_documents_the_headers_and_the_error_shape(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/orders/"]["post"]
    for status in ("201", "400", "409", "422", "429"):
        headers = operation["responses"][status]["headers"]
        assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= (
            set(headers)
        ), status
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    error = schema["components"]["schemas"]["Error"]["properties"]
    assert "errors" in error and "field" not in error
    # A staff-only operation is not rate limited: no headers promised.
    movements = schema["paths"]["/api/v1/movements/"]["get"]["responses"]["200"]
    assert "X-RateLimit-Limit" not in movements.get("headers", {})
