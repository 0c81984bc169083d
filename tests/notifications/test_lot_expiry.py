"""Lot expiry alerts fire a set number of days ahead, once per lot."""

from datetime import date, timedelta

import pytest

from notifications.models import Alert, AlertKind, AlertRule, AlertStatus
from notifications.services.expiry import lots_expiry_evaluate
from notifications.tasks import alerts_lot_expiry_task
from stock.models import MovementKind, ReferenceType
from stock.services.ledger import LedgerLine, ledger_post
from stock.services.lots import LotInput, lot_resolve, lots_write_off_expired

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)


def receive_lot(product, warehouse, number, quantity, expiry):
    lot = lot_resolve(product=product, lot=LotInput(number, expiry))
    ledger_post(
        lines=[
            LedgerLine(
                product.pk,
                warehouse.pk,
                quantity=quantity,
                kind=MovementKind.RECEIPT,
                lot_id=lot.pk,
            )
        ],
        reference_type=ReferenceType.MANUAL,
    )
    return lot


def test_an_expiry_alert_fires_once_ahead_and_resolves_when_the_lot_is_gone(
    product, warehouse
):
    rule = AlertRule.objects.create(
        name="Expiring soon", kind=AlertKind.LOT_EXPIRY, days_ahead=7
    )
    near = receive_lot(product, warehouse, "NEAR", 4, TODAY + timedelta(days=7))
    receive_lot(product, warehouse, "FAR", 9, TODAY + timedelta(days=8))
    result = lots_expiry_evaluate(today=TODAY)
    assert result == {"opened": 1, "resolved": 0}
    alert = Alert.objects.get()
    assert (alert.rule, alert.lot, alert.kind, alert.value) == (
        rule,
        near,
        AlertKind.LOT_EXPIRY,
        4,
    )
    assert "lot NEAR" in alert.message and "in 7 days" in alert.message
    # Evaluated again (the next day, or twice): no second alert for NEAR; FAR
    # comes into the window and fires its own.
    assert lots_expiry_evaluate(today=TODAY)["opened"] == 0
    assert lots_expiry_evaluate(today=TODAY + timedelta(days=1))["opened"] == 1
    assert Alert.objects.filter(lot=near).count() == 1
    # Expired and written off: the alert resolves, and never opens again.
    lots_write_off_expired(today=TODAY + timedelta(days=8))
    result = lots_expiry_evaluate(today=TODAY + timedelta(days=8))
    assert result["resolved"] == 1
    assert Alert.objects.get(lot=near).status == AlertStatus.RESOLVED
    receive_lot(product, warehouse, "NEAR", 1, None)
    assert lots_expiry_evaluate(today=TODAY + timedelta(days=8))["opened"] == 0
    assert Alert.objects.filter(lot=near).count() == 1


def test_no_rule_no_alert_and_the_task_runs(product, warehouse):
    receive_lot(product, warehouse, "X", 2, date.today() + timedelta(days=1))
    assert alerts_lot_expiry_task() == {"opened": 0, "resolved": 0}
    AlertRule.objects.create(name="e", kind=AlertKind.LOT_EXPIRY, days_ahead=3)
    assert alerts_lot_expiry_task() == {"opened": 1, "resolved": 0}
    assert not Alert.objects.filter(kind=AlertKind.LOW_STOCK).exists()
