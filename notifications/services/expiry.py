"""Lot expiry alerts: a rule of kind lot_expiry fires a set number of days
before a lot in stock expires, once per rule, lot and warehouse, and resolves
when the lot is gone from that warehouse (sold, moved or written off).

Evaluated on a schedule (alerts_lot_expiry_task): expiry is a matter of the
calendar, not of a ledger write.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from stock.models import LotStockLevel

from ..models import Alert, AlertKind
from .alerts import alert_open, alert_resolve
from .rules import RuleBook


def lots_expiry_evaluate(*, today: date | None = None) -> dict:
    """Open an alert for every lot in stock that expires within its winning
    rule's days_ahead (never twice for a rule, lot and warehouse), and
    resolve those whose lot is no longer in stock there. Returns the counts."""
    today = today or timezone.localdate()
    now = timezone.now()
    book = RuleBook.load()
    rules = [rule for rule in book.rules if rule.kind == AlertKind.LOT_EXPIRY]
    opened = 0
    if rules:
        horizon = today + timedelta(days=max(rule.days_ahead for rule in rules))
        levels = LotStockLevel.objects.filter(
            on_hand__gt=0, lot__expiry_date__lte=horizon
        ).select_related("lot", "product", "warehouse")
        fired = set(
            Alert.objects.filter(kind=AlertKind.LOT_EXPIRY).values_list(
                "rule_id", "lot_id", "warehouse_id"
            )
        )
        for level in levels:
            rule = book.winner(
                kind=AlertKind.LOT_EXPIRY,
                product=level.product,
                warehouse_id=level.warehouse_id,
            )
            if rule is None or (rule.pk, level.lot_id, level.warehouse_id) in fired:
                continue
            days = (level.lot.expiry_date - today).days
            if days > rule.days_ahead:
                continue
            opened += (
                alert_open(
                    rule=rule,
                    product=level.product,
                    warehouse=level.warehouse,
                    lot=level.lot,
                    value=Decimal(level.on_hand),
                    message=_message(level, days),
                    now=now,
                )
                is not None
            )
    return {"opened": opened, "resolved": _resolve_gone(now)}


def _message(level: LotStockLevel, days: int) -> str:
    where = f"{level.product.sku} lot {level.lot.number} at {level.warehouse.code}"
    if days < 0:
        return f"{where}: {level.on_hand} on hand expired on {level.lot.expiry_date}."
    return (
        f"{where}: {level.on_hand} on hand expire on {level.lot.expiry_date} "
        f"(in {days} days)."
    )


def _resolve_gone(now) -> int:
    """Resolve the active lot alerts whose lot holds nothing in its warehouse."""
    active = list(
        Alert.objects.active()
        .filter(kind=AlertKind.LOT_EXPIRY, lot__isnull=False)
        .select_related("rule", "product", "warehouse")
    )
    held = set(
        LotStockLevel.objects.filter(
            lot_id__in={a.lot_id for a in active}, on_hand__gt=0
        ).values_list("lot_id", "warehouse_id")
    )
    return sum(
        alert_resolve(alert, now)
        for alert in active
        if (alert.lot_id, alert.warehouse_id) not in held
    )
