"""An alert's life: opened once, resolved when its condition clears,
acknowledged or snoozed by the people it is for.

Opening and resolving write alert.opened / alert.resolved to the webhook
outbox in the same transaction; opening e-mails the alert after the commit.
"""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Product
from core.errors import InvalidInput, InvalidState
from stock.models import Lot, Warehouse

from .. import queue
from ..events import EventType
from ..models import ACTIVE_ALERT_STATUSES, Alert, AlertRule, AlertStatus
from .outbox import outbox_publish


def alert_payload(alert: Alert) -> dict:
    """The `data` of an alert.opened / alert.resolved event."""
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "rule": alert.rule.name,
        "sku": alert.product.sku,
        "warehouse": alert.warehouse.code,
        "status": alert.status,
        "value": str(alert.value),
        "message": alert.message,
        "opened_at": alert.opened_at.isoformat(),
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
    }


def alert_open(
    *,
    rule: AlertRule,
    product: Product,
    warehouse: Warehouse,
    value: Decimal,
    message: str,
    now: datetime,
    lot: Lot | None = None,
) -> Alert | None:
    """Open the alert unless one is active for the rule and pair (and lot);
    None when one was (its value and message are brought up to date
    instead), or, for a lot, when the rule ever fired for it there.

    A concurrent evaluation that opened it first is not an error (the partial
    unique constraint decides). Writes alert.opened; e-mails on commit.
    """
    active = (
        Alert.objects.active()
        .filter(rule=rule, product=product, warehouse=warehouse, lot=lot)
        .first()
    )
    if active is not None:
        if active.value != value or active.message != message:
            Alert.objects.filter(pk=active.pk).update(value=value, message=message)
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule,
                kind=rule.kind,
                product=product,
                warehouse=warehouse,
                lot=lot,
                value=value,
                message=message[:300],
                opened_at=now,
            )
    except IntegrityError:
        return None  # a concurrent evaluation opened it first
    outbox_publish(events=[(EventType.ALERT_OPENED, alert_payload(alert))])
    transaction.on_commit(lambda: queue.notify_enqueue(alert.pk), robust=True)
    return alert


def alert_resolve(alert: Alert, now: datetime) -> bool:
    """Resolve an active alert (writes alert.resolved); False when it was not
    active any more."""
    changed = Alert.objects.filter(
        pk=alert.pk, status__in=ACTIVE_ALERT_STATUSES
    ).update(status=AlertStatus.RESOLVED, resolved_at=now)
    if changed:
        alert.status, alert.resolved_at = AlertStatus.RESOLVED, now
        outbox_publish(events=[(EventType.ALERT_RESOLVED, alert_payload(alert))])
    return bool(changed)


def alerts_settle(
    *,
    kind: str,
    rule: AlertRule | None,
    product: Product,
    warehouse: Warehouse,
    firing: bool,
    value: Decimal,
    message: str,
    now: datetime,
) -> None:
    """Make the alerts of one kind for one pair match the condition: resolve
    every active alert whose rule no longer wins or no longer fires, and open
    one for the winning rule when it fires."""
    stale = (
        Alert.objects.active()
        .select_related("rule", "product", "warehouse")
        .filter(kind=kind, product=product, warehouse=warehouse)
    )
    for alert in stale:
        if rule is None or alert.rule_id != rule.pk or not firing:
            alert_resolve(alert, now)
    if rule is not None and firing:
        alert_open(
            rule=rule,
            product=product,
            warehouse=warehouse,
            value=value,
            message=message,
            now=now,
        )


def alert_acknowledge(*, alert: Alert, user) -> Alert:
    """Mark an open alert seen by `user`; refuses one not open (InvalidState)."""
    changed = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
        acknowledged_by=user,
    )
    if not changed:
        raise InvalidState("Only an open alert can be acknowledged.", field="status")
    alert.refresh_from_db()
    return alert


def alert_snooze(*, alert: Alert, until: datetime) -> Alert:
    """No notification and no badge for this alert until then. Refuses a time
    not in the future (InvalidInput) and a resolved alert (InvalidState)."""
    if until <= timezone.now():
        raise InvalidInput("Snooze until a time in the future.", field="until")
    changed = Alert.objects.filter(
        pk=alert.pk, status__in=ACTIVE_ALERT_STATUSES
    ).update(snoozed_until=until)
    if not changed:
        raise InvalidState("A resolved alert cannot be snoozed.", field="status")
    alert.refresh_from_db()
    return alert
