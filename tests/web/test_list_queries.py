"""List pages at catalogue scale (issue 19): three times the rows on a page cost
the same queries as N (the lists with no such test elsewhere: lots, transfer
suggestions, alerts, webhook deliveries, the returns queue)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forecasting.models_rebalancing import TransferSuggestion
from notifications.models import (
    Alert,
    AlertKind,
    AlertRule,
    RuleScope,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from returns.services.classification import approval_rule_get
from returns.services.intake import ReturnLineInput, return_create
from stock.services.lots import LotInput
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests import factories

pytestmark = pytest.mark.django_db
N = 8


@pytest.fixture
def rows(warehouse, manager_user, shop_a):
    """rows(name, n): n more rows on the list ``name``."""
    today = timezone.localdate()
    supplier = factories.supplier()
    other = factories.warehouse(code="other")
    rule = AlertRule.objects.create(
        name="low", kind=AlertKind.LOW_STOCK, threshold=5, scope=RuleScope.ALL
    )
    endpoint = WebhookEndpoint.objects.create(
        name="hook", url="https://example.com/hook", events=["stock.changed"]
    )
    approval = approval_rule_get()
    approval.enabled = False  # every return waits in the queue
    approval.save()

    def lot(product, k):
        po = purchase_order_create(
            supplier=supplier,
            warehouse=warehouse,
            lines=[PurchaseLineInput(product, 3)],
        )
        purchase_order_send(purchase_order=po)
        line = po.lines.get()
        purchase_order_receive(
            purchase_order=po,
            quantities={line.pk: 3},
            actor=manager_user,
            lots={line.pk: LotInput(f"LOT-{k}", today + timedelta(days=k))},
        )

    def transfer(product, k):
        TransferSuggestion.objects.create(
            product=product,
            from_warehouse=warehouse,
            to_warehouse=other,
            quantity=k,
            from_usable=20,
            from_order_up_to=5,
            to_position=1,
            to_reorder_point=4,
            to_order_up_to=9,
            transfer_cost=Decimal("1.00"),
            buy_cost=Decimal("5.00"),
            lead_time_days=2,
        )

    def alert(product, k):
        Alert.objects.create(
            rule=rule,
            kind=rule.kind,
            product=product,
            warehouse=warehouse,
            message=f"{product.sku} low",
            value=k,
            opened_at=timezone.now(),
        )

    def delivery(product, k):
        event = WebhookEvent.objects.create(
            type="stock.changed",
            payload={"sku": product.sku},
            created_at=timezone.now(),
        )
        WebhookDelivery.objects.create(
            event=event,
            endpoint=endpoint,
            status="failed",
            attempts=3,
            next_attempt_at=timezone.now(),
            created_at=timezone.now(),
            last_error="HTTP 500",
        )

    def returned(product, k):
        factories.stock(product, warehouse, 2)
        order, _ = sales_order_create(
            shop=shop_a[0],
            external_id=f"R-{k}",
            lines=[OrderLineInput(product, 1)],
            warehouse=warehouse,
        )
        sales_order_ship(order=order, actor=manager_user)
        return_create(
            shop=shop_a[0],
            order_reference=f"R-{k}",
            lines=[ReturnLineInput(product, 1)],
            reason_text="broken",
        )

    makers = {
        "lot-list": lot,
        "transfer-suggestion-list": transfer,
        "alert-list": alert,
        "webhook-delivery-list": delivery,
        "return-queue": returned,
    }
    made = {"n": 0}

    def add(name: str, n: int) -> None:
        for _ in range(n):
            made["n"] += 1
            product = factories.product(
                category=factories.category(), unit_cost=Decimal("2.50")
            )
            makers[name](product, made["n"])

    return add


@pytest.mark.parametrize(
    "name",
    [
        "lot-list",
        "transfer-suggestion-list",
        "alert-list",
        "webhook-delivery-list",
        "return-queue",
    ],
)
def test_three_times_the_rows_cost_the_same_queries(rows, client, manager_user, name):
    client.force_login(manager_user)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
        assert response.status_code == 200
        return len(queries), len(response.context["page"].object_list)

    rows(name, N)
    few, shown_few = count()
    rows(name, 2 * N)
    many, shown_many = count()
    assert (shown_few, shown_many) == (N, 3 * N)
    assert many == few
