"""Alert rules: open once, resolve by themselves, the most specific rule wins,
users acknowledge and snooze, e-mail and the pages. Embedded default (eager)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from core.errors import InvalidInput
from notifications.models import (
    Alert,
    AlertAudience,
    AlertKind,
    AlertRule,
    AlertStatus,
    AlertSubscription,
    EventType,
    RuleScope,
    WebhookDelivery,
)
from notifications.selectors import alerts_needing_attention_count
from notifications.services.alerts import alert_acknowledge, alert_snooze
from notifications.services.digest import alerts_digest_send
from notifications.services.evaluation import alerts_evaluate_all
from notifications.services.notify import alert_notify
from notifications.services.rules import RuleBook
from stock.services.operations import (
    stock_adjust,
    stocktake_confirm,
    stocktake_create,
    stocktake_record_counts,
)
from stock.services.orders import OrderLineInput, sales_order_create, sales_order_ship
from tests import factories


def low_stock(threshold, **scope):
    scope.setdefault("scope", RuleScope.ALL)
    return AlertRule.objects.create(
        name=f"low {threshold}", kind=AlertKind.LOW_STOCK, threshold=threshold, **scope
    )


def adjust(product, warehouse, quantity):
    stock_adjust(
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        reason="test",
        actor=None,
    )


def test_low_stock_opens_once_and_resolves_by_itself_with_one_event_each(
    committed, receiver, make_endpoint, product, warehouse
):
    endpoint = make_endpoint(receiver.url, ["alert.*"])
    rule = low_stock(5)
    with committed():
        factories.stock(product, warehouse, 10)
        adjust(product, warehouse, -3)  # 7 available: fine
    assert not Alert.objects.exists()
    for _ in range(5):  # 6, 5, 4, 3, 2 available: one alert from 5 on
        with committed():
            adjust(product, warehouse, -1)
    alert = Alert.objects.get()
    assert (alert.rule, alert.status, alert.value) == (rule, AlertStatus.OPEN, 2)
    assert "2 available" in alert.message
    with committed():
        alerts_evaluate_all()  # the schedule re-checks: still one
    assert Alert.objects.count() == 1
    with committed():
        factories.stock(product, warehouse, 10)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_at
    assert [r.event_type for r in receiver.succeeded()] == [
        "alert.opened",
        "alert.resolved",
    ]
    assert receiver.all_verified(endpoint.secret)
    opened = receiver.succeeded()[0].document["data"]
    assert (opened["sku"], opened["warehouse"], opened["kind"]) == (
        "MUG-001",
        "main",
        "low_stock",
    )
    with committed():
        adjust(product, warehouse, -10)  # low again: a new alert
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 1
    assert Alert.objects.count() == 2


def test_reservations_count_against_available(committed, product, warehouse):
    low_stock(5)
    shop, _ = factories.shop()
    with committed():
        factories.stock(product, warehouse, 8)
        sales_order_create(
            shop=shop, external_id="A", lines=[OrderLineInput(product, 4)]
        )
    assert Alert.objects.get().value == 4


def test_one_active_alert_per_rule_and_pair_is_a_database_rule(product, warehouse):
    rule = low_stock(5)
    fields = dict(
        rule=rule,
        kind=rule.kind,
        product=product,
        warehouse=warehouse,
        message="x",
        value=0,
        opened_at=timezone.now(),
    )
    Alert.objects.create(**fields)
    Alert.objects.create(**fields, status=AlertStatus.RESOLVED)
    with pytest.raises(IntegrityError):
        Alert.objects.create(**fields, status=AlertStatus.ACKNOWLEDGED)


def test_rule_scopes_are_checked_by_the_database(product, warehouse):
    with pytest.raises(IntegrityError):
        low_stock(5, scope=RuleScope.PRODUCT_WAREHOUSE, product=product)


def test_the_most_specific_rule_wins(committed, warehouse, other_warehouse):
    parent = factories.category("Kitchen")
    child = factories.category("Mugs", parent=parent)
    product = factories.product(category=child)
    everything = low_stock(1)
    kitchen = low_stock(2, scope=RuleScope.CATEGORY, category=parent)
    mugs = low_stock(3, scope=RuleScope.CATEGORY, category=child)
    just_this = low_stock(4, scope=RuleScope.PRODUCT, product=product)
    here = low_stock(
        5, scope=RuleScope.PRODUCT_WAREHOUSE, product=product, warehouse=warehouse
    )
    book = RuleBook.load()

    def winner(warehouse_obj):
        return book.winner(
            kind=AlertKind.LOW_STOCK, product=product, warehouse_id=warehouse_obj.pk
        )

    assert winner(warehouse) == here
    assert winner(other_warehouse) == just_this
    for rule, expected in [(just_this, mugs), (mugs, kitchen), (kitchen, everything)]:
        rule.is_active = False
        rule.save()
        book = RuleBook.load()
        assert winner(other_warehouse) == expected
    # The winner decides: 5 available fires the warehouse rule (<= 5) only.
    with committed():
        factories.stock(product, warehouse, 5)
    assert Alert.objects.get().rule == here
    # Switch it off: its alert resolves and the next rule (everything, <= 1)
    # does not fire at 5.
    here.is_active = False
    here.save()
    with committed():
        alerts_evaluate_all()
    assert not Alert.objects.filter(status=AlertStatus.OPEN).exists()


def test_acknowledged_alerts_stay_single_and_still_resolve(
    committed, product, warehouse, staff_user
):
    low_stock(5)
    with committed():
        factories.stock(product, warehouse, 3)
    alert = alert_acknowledge(alert=Alert.objects.get(), user=staff_user)
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == staff_user
    with committed():
        adjust(product, warehouse, -1)
    assert Alert.objects.get().status == AlertStatus.ACKNOWLEDGED
    with committed():
        factories.stock(product, warehouse, 10)
    assert Alert.objects.get().status == AlertStatus.RESOLVED


def test_snoozed_alerts_do_not_count_or_notify_until_the_time_passes(
    committed, product, warehouse, staff_user, manager_user
):
    low_stock(5)
    AlertSubscription.objects.create(user=manager_user, mode="digest")
    with committed():
        factories.stock(product, warehouse, 3)
    alert = Alert.objects.get()
    assert alerts_needing_attention_count(user=staff_user) == 1
    alert_snooze(alert=alert, until=timezone.now() + timedelta(hours=4))
    assert alerts_needing_attention_count(user=staff_user) == 0
    assert alerts_digest_send() == 0  # nothing to report while snoozed
    later = timezone.now() + timedelta(hours=5)
    assert alerts_digest_send(now=later) == 1
    assert "MUG-001" in mail.outbox[-1].body
    assert alerts_digest_send(now=later + timedelta(hours=1)) == 0  # once a day
    with pytest.raises(InvalidInput):
        alert_snooze(alert=alert, until=timezone.now() - timedelta(hours=1))


def test_immediate_subscribers_get_one_mail_per_alert_digest_ones_none(
    committed, product, warehouse, staff_user, manager_user
):
    for user, mode in [(staff_user, "immediate"), (manager_user, "digest")]:
        AlertSubscription.objects.create(user=user, mode=mode)
    rule = low_stock(5)
    with committed():
        factories.stock(product, warehouse, 3)
    assert [m.to for m in mail.outbox] == [[staff_user.email]]
    assert "MUG-001" in mail.outbox[0].subject
    assert alert_notify(alert_id=Alert.objects.get().pk) == 0  # a task re-run
    assert len(mail.outbox) == 1
    # A managers-only rule is not mailed to warehouse staff.
    rule.audience = AlertAudience.MANAGERS
    rule.save()
    assert alerts_needing_attention_count(user=staff_user) == 0
    assert alerts_needing_attention_count(user=manager_user) == 1


def test_overstock_by_maximum_and_by_days_of_cover(
    committed, product, warehouse, staff_user
):
    AlertRule.objects.create(
        name="max", kind=AlertKind.OVERSTOCK, max_on_hand=100, scope=RuleScope.ALL
    )
    with committed():
        factories.stock(product, warehouse, 101)
    assert "above the maximum of 100" in Alert.objects.get().message
    with committed():
        adjust(product, warehouse, -1)
    assert Alert.objects.get().status == AlertStatus.RESOLVED

    cover = AlertRule.objects.create(
        name="cover",
        kind=AlertKind.OVERSTOCK,
        max_days_of_cover=30,
        scope=RuleScope.PRODUCT,
        product=product,
    )
    shop, _ = factories.shop()
    with committed():
        # 56 shipped in 28 days = 2 a day; 44 left = 22 days of cover.
        order, _ = sales_order_create(
            shop=shop, external_id="B", lines=[OrderLineInput(product, 56)]
        )
        sales_order_ship(order=order, actor=staff_user)
    assert not Alert.objects.filter(rule=cover).exists()
    with committed():
        factories.stock(product, warehouse, 20)  # 64 = 32 days of cover
    alert = Alert.objects.get(rule=cover)
    assert alert.status == AlertStatus.OPEN
    assert "32 days of cover" in alert.message


def test_count_variance_is_checked_when_a_count_is_confirmed(
    committed, product, warehouse, staff_user, manager_user
):
    AlertRule.objects.create(
        name="5%",
        kind=AlertKind.COUNT_VARIANCE,
        variance_percent=Decimal("5"),
        scope=RuleScope.ALL,
    )
    bins = warehouse.locations.get(code="A-01")
    strict = AlertRule.objects.create(
        name="bin 1%",
        kind=AlertKind.COUNT_VARIANCE,
        variance_percent=Decimal("1"),
        scope=RuleScope.LOCATION,
        location=bins,
    )
    with committed():
        factories.stock(product, warehouse, 100, location=bins)

    def count(counted, location=None):
        with committed():
            sheet = stocktake_create(
                warehouse=warehouse, actor=staff_user, location=location
            )
            line = sheet.lines.get()
            stocktake_record_counts(
                stocktake=sheet, counts={line.pk: counted}, actor=staff_user
            )
            stocktake_confirm(stocktake=sheet, actor=manager_user)

    count(97)  # 3 % off: within the warehouse-wide 5 %
    assert not Alert.objects.exists()
    count(90)  # 90 vs 97 on the books: 7.2 %
    alert = Alert.objects.get()
    assert (alert.kind, alert.value) == (AlertKind.COUNT_VARIANCE, Decimal("7.22"))
    count(90)  # a clean recount: the variance alert resolves
    assert Alert.objects.get().status == AlertStatus.RESOLVED
    count(88, location=bins)  # the bin's stricter rule wins there: 2.2 % > 1 %
    assert Alert.objects.get(status=AlertStatus.OPEN).rule == strict


def test_alert_events_are_written_with_the_alert(
    committed, make_endpoint, product, warehouse
):
    make_endpoint("https://ops.invalid/", ["alert.opened"])
    low_stock(5)
    with committed():
        factories.stock(product, warehouse, 2)
    (delivery,) = WebhookDelivery.objects.select_related("event")
    assert delivery.event.type == EventType.ALERT_OPENED
    assert delivery.event.payload["id"] == Alert.objects.get().pk


def test_the_alerts_page_lists_filters_and_acts(
    client, committed, product, warehouse, staff_user
):
    low_stock(5)
    with committed():
        factories.stock(product, warehouse, 3)
    alert = Alert.objects.get()
    client.force_login(factories.user(None))
    assert client.get("/alerts/").status_code == 403
    client.force_login(staff_user)
    page = client.get("/alerts/")
    assert page.status_code == 200
    assert page.context["open_alert_count"] == 1
    assert alert.message in page.content.decode()
    response = client.post(
        f"/alerts/{alert.pk}/acknowledge/", {"next": "/alerts/?status=open"}
    )
    assert response.status_code == 302 and response.url == "/alerts/?status=open"
    assert client.get("/alerts/").context["open_alert_count"] == 0
    acknowledged = client.get("/alerts/?status=acknowledged").content.decode()
    assert alert.message in acknowledged
    assert alert.message not in client.get("/alerts/").content.decode()
    response = client.post(
        f"/alerts/{alert.pk}/snooze/", {"hours": "4", "next": "https://evil.example/"}
    )
    assert response.url == "/alerts/"
    alert.refresh_from_db()
    assert alert.snoozed_until > timezone.now() + timedelta(hours=3)


def _alert_state():
    from notifications.models import WebhookEvent

    alerts = sorted(
        Alert.objects.values_list(
            "rule_id",
            "kind",
            "product_id",
            "warehouse_id",
            "status",
            "value",
            "message",
        )
    )
    return alerts, sorted(WebhookEvent.objects.values_list("type", flat=True))


def test_the_scheduled_sweep_decides_as_each_pair_would_in_flat_queries(
    warehouse, other_warehouse, django_assert_max_num_queries
):
    """alerts_evaluate_all reads a batch of pairs at once and settles only the
    pairs with something to change; what it opens, updates and resolves is
    what evaluating each pair on its own does, and a sweep that changes
    nothing costs the same few queries for 12 pairs as for 36."""
    from django.db import transaction

    from notifications.services.evaluation import (
        _orphans_resolve,
        alerts_evaluate_pair,
    )
    from stock.models import StockLevel

    low_stock(5)
    AlertRule.objects.create(
        name="cover",
        kind=AlertKind.OVERSTOCK,
        max_days_of_cover=10,
        scope=RuleScope.ALL,
    )
    shop, _ = factories.shop()

    def add_pairs(n):
        for i in range(n):
            product = factories.product()
            where = (warehouse, other_warehouse)[i % 2]
            factories.stock(product, where, (3, 20, 40, 8)[i % 4])
            # 3 and 40 shipped nothing; 20 ships 10 (28 days of cover), 8 ships
            # 6 (2 left: low, 9 days of cover)
            shipped = {1: 10, 3: 6}.get(i % 4)
            if shipped:
                order, _ = sales_order_create(
                    shop=shop,
                    external_id=f"S-{product.pk}",
                    lines=[OrderLineInput(product, shipped)],
                    warehouse=where,
                )
                sales_order_ship(order=order, actor=None)

    add_pairs(12)
    # an active alert whose rule no longer wins is resolved; a stale value updated
    level = StockLevel.objects.order_by("pk").first()
    Alert.objects.create(
        rule=low_stock(1, warehouse=level.warehouse, scope=RuleScope.WAREHOUSE),
        kind=AlertKind.LOW_STOCK,
        product=level.product,
        warehouse=level.warehouse,
        value=0,
        message="old",
        opened_at=timezone.now(),
    )
    AlertRule.objects.filter(name="low 1").update(is_active=False)

    with transaction.atomic():  # the per-pair definition, then rolled back
        for product_id, warehouse_id in StockLevel.objects.values_list(
            "product_id", "warehouse_id"
        ):
            alerts_evaluate_pair(product_id=product_id, warehouse_id=warehouse_id)
        _orphans_resolve(timezone.now())
        expected = _alert_state()
        transaction.set_rollback(True)
    assert alerts_evaluate_all() == 12
    assert _alert_state() == expected
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() >= 6

    def quiet_sweep_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            alerts_evaluate_all()
        return len(ctx.captured_queries)

    few = quiet_sweep_queries()
    add_pairs(24)
    alerts_evaluate_all()  # opens the new pairs' alerts
    assert quiet_sweep_queries() == few <= 8
