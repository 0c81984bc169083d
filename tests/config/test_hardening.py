"""What a flood, a password guesser or a database outage meets."""

import pytest
from django.db import connection

from stock.models import SalesOrder, StockMovement
from tests import factories
from tests.conftest import shop_client


def test_a_shop_past_its_budget_gets_429_with_retry_after(settings, shop_a, shop_b):
    from catalog.throttling import shop_throttle_reset

    settings.STOCKWISE_API_SHOP_RATE = "3/min"
    settings.STOCKWISE_API_SHOP_BURST = 3
    # A rolled-back test's shop can leave its id to this one (SQLite reuses
    # ids): start this shop's budget afresh.
    for shop in (shop_a[0], shop_b[0]):
        shop_throttle_reset(shop_id=shop.pk)
    client = shop_client(shop_a[1])
    assert [client.get("/api/v1/warehouses/").status_code for _ in range(3)] == [
        200
    ] * 3
    response = client.get("/api/v1/warehouses/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"
    # Another shop has its own budget.
    assert shop_client(shop_b[1]).get("/api/v1/warehouses/").status_code == 200


def test_repeated_wrong_passwords_lock_the_login_out(client, settings, staff_user):
    settings.AXES_FAILURE_LIMIT = 3
    staff_user.set_password("right-password-123")
    staff_user.save()
    statuses = [
        client.post(
            "/login/", {"username": staff_user.username, "password": "wrong"}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]  # the form with its error, then locked
    locked = client.post(
        "/login/", {"username": staff_user.username, "password": "right-password-123"}
    )
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Someone else on the same address still logs in.
    other = factories.user("staff")
    other.set_password("other-password-456")
    other.save()
    response = client.post(
        "/login/", {"username": other.username, "password": "other-password-456"}
    )
    assert response.status_code == 302


def _terminate_own_connection():
    """The database server drops this process's connection, as a restart or a
    failover would."""
    import psycopg

    settings_dict = connection.settings_dict
    pid = connection.connection.info.backend_pid
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
        user=settings_dict["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_outage_answers_503_writes_nothing_and_recovers(
    shop_a, product, warehouse, client, staff_user
):
    factories.stock(product, warehouse, 5)
    movements = StockMovement.objects.count()
    api = shop_client(shop_a[1])
    order = {"external_id": "X-1", "lines": [{"sku": product.sku, "quantity": 1}]}

    _terminate_own_connection()
    response = api.post(
        "/api/v1/orders/", order, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "unavailable" in response.json()["detail"]
    assert StockMovement.objects.count() == movements  # nothing half-written
    assert not SalesOrder.objects.exists()

    # The next request reconnects on its own.
    response = api.post(
        "/api/v1/orders/", order, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 201, response.json()

    client.force_login(staff_user)
    _terminate_own_connection()
    page = client.get("/products/")
    assert page.status_code == 503
    assert "Unavailable for a moment" in page.content.decode()
    assert client.get("/products/").status_code == 200
