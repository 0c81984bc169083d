"""Beat's alert sweeper: a notification or a count check whose after-commit
enqueue was lost (Redis away at the commit) is queued again, once.

These tests run in one test transaction that never commits, so the
after-commit enqueues never happen: exactly the work a lost enqueue leaves."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from notifications.models import (
    Alert,
    AlertKind,
    AlertRule,
    AlertSubscription,
    RuleScope,
)
from notifications.services.evaluation import alerts_evaluate_pair
from notifications.services.requeue import (
    alerts_requeue,
    requeue_lease_key,
    stocktake_evaluated_key,
)
from stock.services.operations import (
    stocktake_confirm,
    stocktake_create,
    stocktake_record_counts,
)
from tests import factories


@pytest.fixture
def later(settings):
    """A sweep's clock once the grace has passed."""
    grace = settings.STOCKWISE_REQUEUE_GRACE_SECONDS
    return timezone.now() + timedelta(seconds=grace + 1)


def forget(kind, *pks):
    """Another run's lease or mark on a reused id must not decide here."""
    for pk in pks:
        cache.delete(requeue_lease_key(kind, pk))
        cache.delete(stocktake_evaluated_key(pk))


def test_an_alert_never_mailed_is_mailed_by_the_sweeper(
    product, warehouse, staff_user, later
):
    AlertSubscription.objects.create(user=staff_user, mode="immediate")
    AlertRule.objects.create(
        name="low", kind=AlertKind.LOW_STOCK, threshold=5, scope=RuleScope.ALL
    )
    factories.stock(product, warehouse, 3)
    alerts_evaluate_pair(product_id=product.pk, warehouse_id=warehouse.pk)
    alert = Alert.objects.get()
    forget("notify", alert.pk)
    assert alert.notified_at is None and not mail.outbox

    # Within the grace its task may still wait in the queue: left alone.
    assert alerts_requeue()["notify"] == []
    assert alerts_requeue(now=later)["notify"] == [alert.pk]
    assert [m.to for m in mail.outbox] == [[staff_user.email]]
    alert.refresh_from_db()
    assert alert.notified_at is not None
    assert alerts_requeue(now=later)["notify"] == []
    assert len(mail.outbox) == 1


def count(warehouse, staff, manager, counted):
    sheet = stocktake_create(warehouse=warehouse, actor=staff)
    line = sheet.lines.get()
    stocktake_record_counts(stocktake=sheet, counts={line.pk: counted}, actor=staff)
    return stocktake_confirm(stocktake=sheet, actor=manager)


@pytest.fixture
def five_percent(db):
    return AlertRule.objects.create(
        name="5%",
        kind=AlertKind.COUNT_VARIANCE,
        variance_percent=Decimal("5"),
        scope=RuleScope.ALL,
    )


def test_a_count_never_checked_is_checked_by_the_sweeper(
    five_percent, product, warehouse, staff_user, manager_user, later
):
    factories.stock(product, warehouse, 100)
    sheet = count(warehouse, staff_user, manager_user, 90)
    forget("stocktakes", sheet.pk)
    assert not Alert.objects.exists()  # its check was never queued

    assert alerts_requeue()["stocktakes"] == []
    assert alerts_requeue(now=later)["stocktakes"] == [sheet.pk]
    alert = Alert.objects.get()
    assert (alert.kind, alert.value) == (AlertKind.COUNT_VARIANCE, Decimal("10.00"))
    assert alerts_requeue(now=later)["stocktakes"] == []


def test_a_newer_count_of_the_same_shelves_is_the_one_checked(
    five_percent, product, warehouse, staff_user, manager_user, later
):
    factories.stock(product, warehouse, 100)
    first = count(warehouse, staff_user, manager_user, 90)  # 10 % off
    recount = count(warehouse, staff_user, manager_user, 90)  # agrees with the books
    forget("stocktakes", first.pk, recount.pk)

    assert alerts_requeue(now=later)["stocktakes"] == [recount.pk]
    # The older count's 10 % is not raised again over the recount that settled it.
    assert not Alert.objects.exists()
