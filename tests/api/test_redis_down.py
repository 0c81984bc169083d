"""Redis unreachable (cache, rate limit, broker): whatever needs only the
database keeps answering as it does with Redis, at once, and never 500."""

import itertools
import logging
import time

import pytest
from django.urls import reverse

from returns.models import ClassificationStatus, ReturnRequest
from stock.models import SalesOrder
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories
from tests.api.test_permission_matrix import (  # noqa: F401  (fixtures)
    MATRIX,
    ROLES,
    _fill,
    shared_world,
    world_rows,
)
from tests.conftest import shop_client, user_client
from tests.outage import redis_unreachable  # noqa: F401  (fixture)

# An enqueue with Redis unreachable used to wait 19 s before failing.
FAST_SECONDS = 5.0


@pytest.mark.parametrize(
    ("route", "method", "role"),
    [(r, m, role) for (r, m), role in itertools.product(MATRIX, ROLES)],
)
def test_every_endpoint_answers_as_with_redis(
    shared_world,  # noqa: F811
    redis_unreachable,  # noqa: F811
    django_capture_on_commit_callbacks,
    route,
    method,
    role,
):
    """The permission matrix again, with Redis away: the same status for every
    role and endpoint, the after-commit enqueues included (run as a commit
    runs them), well under the old 19 s."""
    ids, clients = shared_world
    path, body, expected = MATRIX[(route, method)]
    url = "/api/v1/" + path.format(**ids)
    client = clients[role]
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(
                url,
                _fill(body, ids),
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"{role}-key",
            )
    elapsed = time.monotonic() - started
    assert response.status_code == expected[role], (role, url, response.content)
    assert elapsed < FAST_SECONDS, (role, url, elapsed)


@pytest.fixture
def shipped(db, product, warehouse, shop_a, staff_user):
    factories.stock(product, warehouse, 5)
    order, _ = sales_order_create(
        shop=shop_a[0], external_id="SHIP-1", lines=[OrderLineInput(product, 2)]
    )
    sales_order_ship(order=order, actor=staff_user)
    return order


@pytest.mark.django_db(transaction=True)
def test_a_staff_return_is_201_at_once_and_waits_for_the_sweeper(
    shipped,
    staff_user,
    redis_unreachable,  # noqa: F811
    caplog,
):
    """Really committed (no test transaction around it): the return is saved,
    the answer says so at once, and its classification waits, pending, for
    the sweeper (tests/returns/test_requeue.py)."""
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
        response = user_client(staff_user).post(
            "/api/v1/returns/",
            {
                "order_reference": "SHIP-1",
                "reason_text": "too small",
                "lines": [{"sku": "MUG-001", "quantity": 1}],
            },
            format="json",
        )
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed < FAST_SECONDS
    saved = ReturnRequest.objects.get(pk=response.json()["id"])
    assert saved.classification_status == ClassificationStatus.PENDING
    # The lost enqueue is in the log, not in the answer.
    assert "return_classify_task" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_shop_orders_and_reads_with_the_limit_open_and_logged(
    product,
    warehouse,
    shop_a,
    settings,
    redis_unreachable,  # noqa: F811
    caplog,
):
    settings.STOCKWISE_API_SHOP_BURST = 2
    factories.stock(product, warehouse, 10)
    client = shop_client(shop_a[1])
    with caplog.at_level(logging.WARNING, logger="stockwise.redis"):
        reads = [client.get("/api/v1/warehouses/") for _ in range(4)]
        created = client.post(
            "/api/v1/orders/",
            {"external_id": "R-1", "lines": [{"sku": "MUG-001", "quantity": 2}]},
            format="json",
            HTTP_IDEMPOTENCY_KEY="r-1",
        )
    # Past the burst of 2 and still served: the limit fails open...
    assert [r.status_code for r in reads] == [200] * 4
    assert reads[0].headers["Content-Type"] == "application/json"
    assert created.status_code == 201, created.content
    assert SalesOrder.objects.get().status == "reserved"
    # ... says so in the log, once, not once per request ...
    messages = [r.getMessage() for r in caplog.records]
    assert sum("shop rate limit is not enforced" in m for m in messages) == 1
    # ... and shows the shop the full bucket it meets meanwhile.
    assert reads[-1]["X-RateLimit-Limit"] == "2"
    assert reads[-1]["X-RateLimit-Remaining"] == "2"


MANAGER_PAGES = [
    "home",
    "product-list",
    "order-list",
    "purchase-order-list",
    "transfer-create",
    "count-list",
    "adjust",
    "return-queue",
    "suggestion-queue",
    "forecast-runs",
    "alert-list",
]


def test_every_page_opens_without_redis(manager_user, product, redis_unreachable):  # noqa: F811
    client = user_client(manager_user)
    for name in MANAGER_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    # The ABC filter reads the classes from the cache: computed instead.
    assert client.get(reverse("product-list") + "?abc=A").status_code == 200


def test_the_dashboard_says_its_figures_are_unreachable(
    manager_user,
    redis_unreachable,  # noqa: F811
):
    client = user_client(manager_user)
    response = client.get(reverse("manager-dashboard"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "cannot be reached" in response.content.decode()
    refresh = client.post(reverse("manager-dashboard-refresh"), {"period": 30})
    assert refresh.status_code == 302
    page = client.get(refresh["Location"]).content.decode()
    assert "task queue is unreachable" in page


def test_retrain_now_is_saved_and_says_it_waits_for_the_queue(
    manager_user,
    redis_unreachable,  # noqa: F811
):
    from forecasting.models import ForecastRun

    client = user_client(manager_user)
    response = client.post(reverse("forecast-retrain"), follow=True)
    assert response.status_code == 200
    run = ForecastRun.objects.get()
    assert run.status == "pending"  # beat's forecast sweeper plans it later
    assert "task queue is unreachable" in response.content.decode()
