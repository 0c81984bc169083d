"""A database from before alerts and webhooks left stock keeps every row.

Migrated back to the schema as it was (stock 0008: the models in stock's state,
no notifications app), filled the way that code filled it, then migrated
forward: the notifications models find every row, their relations, their
history, and the permissions and admin log entries that named them.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications.models import (
    Alert,
    AlertKind,
    AlertRule,
    AlertStatus,
    AlertSubscription,
    DeliveryStatus,
    EventType,
    NotificationMode,
    RuleScope,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tests import factories

BEFORE_MOVE = ("stock", "0008_place_stock_in_locations")
MOVED = [
    "alert",
    "alertrule",
    "alertsubscription",
    "historicalalertrule",
    "webhookattempt",
    "webhookdelivery",
    "webhookendpoint",
    "webhookevent",
]


def migrate_back():
    """The schema before the move (every other app as it is now); the models
    of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_MOVE, ("notifications", None)])
    # Migrations of other apps that build on a later stock (lots, lost sales)
    # were undone with it: the state is what is still applied.
    executor.loader.build_graph()
    applied = [
        node
        for node in executor.loader.applied_migrations
        if node in executor.loader.graph.nodes
    ]
    return executor.loader.project_state(applied).apps


def migrate_forward():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def fill_the_old_schema(old, *, product, warehouse, shop, manager):
    """Alerts, a rule with its history, a subscription, an endpoint, an outbox
    event with a delivery and its attempt, as stock's own models wrote them; a
    group permission and an admin log entry naming the rule's model."""
    now = timezone.now()
    rule = old.get_model("stock", "AlertRule").objects.create(
        name="low 5",
        kind="low_stock",
        scope="product_warehouse",
        product_id=product.pk,
        warehouse_id=warehouse.pk,
        threshold=5,
        audience="managers",
    )
    old.get_model("stock", "HistoricalAlertRule").objects.create(
        id=rule.pk,
        name=rule.name,
        kind=rule.kind,
        scope=rule.scope,
        product_id=product.pk,
        warehouse_id=warehouse.pk,
        threshold=5,
        audience="managers",
        created_at=now,
        history_date=now,
        history_type="+",
        history_user_id=manager.pk,
    )
    alerts = old.get_model("stock", "Alert").objects
    opened = alerts.create(
        rule=rule,
        kind="low_stock",
        product_id=product.pk,
        warehouse_id=warehouse.pk,
        message="MUG-001 at main: 3 available, at or below 5.",
        value=Decimal("3"),
        opened_at=now - timedelta(hours=2),
    )
    resolved = alerts.create(
        rule=rule,
        kind="low_stock",
        product_id=product.pk,
        warehouse_id=warehouse.pk,
        status="resolved",
        message="MUG-001 at main: 4 available, at or below 5.",
        value=Decimal("4"),
        opened_at=now - timedelta(days=2),
        resolved_at=now - timedelta(days=1),
        acknowledged_by_id=manager.pk,
    )
    old.get_model("stock", "AlertSubscription").objects.create(
        user_id=manager.pk, mode="immediate"
    )
    endpoint = old.get_model("stock", "WebhookEndpoint").objects.create(
        shop_id=shop.pk,
        name="shop hook",
        url="https://shop.invalid/hook",
        events=["order.*", "stock.changed"],
        secret="whsec_old",
    )
    event = old.get_model("stock", "WebhookEvent").objects.create(
        id=uuid.uuid4(),
        type="order.shipped",
        payload={"id": 7, "external_id": "O-7", "lines": []},
        created_at=now,
    )
    delivery = old.get_model("stock", "WebhookDelivery").objects.create(
        event=event,
        endpoint=endpoint,
        status="failed",
        attempts=12,
        next_attempt_at=now,
        last_error="HTTP 500",
        created_at=now,
    )
    old.get_model("stock", "WebhookAttempt").objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=500,
        error="HTTP 500",
        duration_ms=12,
    )
    content_type, _ = old.get_model(
        "contenttypes", "ContentType"
    ).objects.get_or_create(app_label="stock", model="alertrule")
    permission, _ = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type,
        codename="change_alertrule",
        defaults={"name": "Can change alert rule"},
    )
    group = old.get_model("auth", "Group").objects.create(name="rule editors")
    group.permissions.add(permission)
    old.get_model("auth", "User").objects.get(pk=manager.pk).groups.add(group)
    old.get_model("admin", "LogEntry").objects.create(
        action_time=now,
        user_id=manager.pk,
        content_type=content_type,
        object_id=str(rule.pk),
        object_repr=str(rule.name),
        action_flag=CHANGE,
    )
    return {
        "rule": rule.pk,
        "alerts": (opened.pk, resolved.pk),
        "endpoint": endpoint.pk,
        "event": event.pk,
        "delivery": delivery.pk,
        "content_type": content_type.pk,
        "permission": permission.pk,
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_alert_and_webhook_row_survives_the_move_to_notifications():
    product = factories.product(sku="MUG-001")
    warehouse = factories.warehouse(code="main")
    shop, _ = factories.shop("hooked")
    manager = factories.user(None, username="rules")
    old = migrate_back()
    assert "notifications" not in {model._meta.app_label for model in old.get_models()}
    ids = fill_the_old_schema(
        old, product=product, warehouse=warehouse, shop=shop, manager=manager
    )

    migrate_forward()

    rule = AlertRule.objects.get(pk=ids["rule"])
    assert (rule.kind, rule.scope, rule.threshold) == (
        AlertKind.LOW_STOCK,
        RuleScope.PRODUCT_WAREHOUSE,
        5,
    )
    assert (rule.product, rule.warehouse) == (product, warehouse)
    assert [h.history_type for h in rule.history.all()] == ["+"]
    assert rule.history.get().history_user == manager
    opened, resolved = (Alert.objects.get(pk=pk) for pk in ids["alerts"])
    assert (opened.status, opened.value, opened.rule) == (
        AlertStatus.OPEN,
        Decimal("3.00"),
        rule,
    )
    assert (resolved.status, resolved.acknowledged_by) == (
        AlertStatus.RESOLVED,
        manager,
    )
    assert list(rule.alerts.order_by("pk")) == [opened, resolved]
    assert AlertSubscription.objects.get().user == manager
    assert manager.alert_subscription.mode == NotificationMode.IMMEDIATE

    endpoint = WebhookEndpoint.objects.get(pk=ids["endpoint"])
    assert endpoint.shop == shop and endpoint.secret == "whsec_old"
    assert endpoint.wants(EventType.ORDER_SHIPPED)
    event = WebhookEvent.objects.get(pk=ids["event"])
    assert (event.type, event.payload["external_id"]) == ("order.shipped", "O-7")
    delivery = WebhookDelivery.objects.get(pk=ids["delivery"])
    assert (delivery.event, delivery.endpoint) == (event, endpoint)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 12)
    attempt = WebhookAttempt.objects.get()
    assert (attempt.delivery, attempt.status_code) == (delivery, 500)
    assert list(endpoint.deliveries.all()) == [delivery]
    assert list(shop.webhook_endpoints.all()) == [endpoint]

    # The same content type, now the notifications app's: the group's
    # permission and the admin's log entry still name the rule's model.
    content_type = ContentType.objects.get_for_model(AlertRule)
    assert content_type.pk == ids["content_type"]
    assert content_type.app_label == "notifications"
    assert not ContentType.objects.filter(app_label="stock", model__in=MOVED)
    assert Permission.objects.get(pk=ids["permission"]).content_type == content_type
    manager = type(manager).objects.get(pk=manager.pk)
    assert manager.has_perm("notifications.change_alertrule")
    assert LogEntry.objects.get().get_edited_object() == rule

    # New rows go on after the old ones (the tables' sequences came along).
    again = Alert.objects.create(
        rule=rule,
        kind=rule.kind,
        product=product,
        warehouse=warehouse,
        message="again",
        value=Decimal("1"),
        opened_at=timezone.now(),
        status=AlertStatus.RESOLVED,
    )
    assert again.pk > max(ids["alerts"])
