"""Alert rules applied to stock: low stock and overstock per product x
warehouse, count variance per confirmed count, and the scheduled sweep.

Evaluation runs after every committed ledger write (coalesced per product x
warehouse, listeners.py) and on a schedule. An alert is opened at most once per
rule x product x warehouse while active, and resolves by itself when its
condition clears (alerts.alerts_settle).
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from stock.models import StockLevel, StockMovement, Stocktake, StocktakeLine

from ..models import Alert, AlertKind, AlertRule
from .alerts import alert_resolve, alerts_settle
from .rules import RuleBook

COVER_WINDOW_DAYS = 28
# Pairs the scheduled sweep reads at once (their shipments and active alerts).
EVALUATE_BATCH = 1000
STOCK_KINDS = (AlertKind.LOW_STOCK, AlertKind.OVERSTOCK)


def evaluation_key(product_id: int, warehouse_id: int) -> str:
    """The cache key that marks a pair's evaluation as already scheduled."""
    return f"stockwise:alerts:evaluate:{product_id}:{warehouse_id}"


# --- conditions: (firing, message) for one rule ------------------------------------


def _average_daily_shipments_many(
    levels: list[StockLevel], now
) -> dict[tuple[int, int], Decimal]:
    """Average daily units shipped over the cover window by every pair of
    `levels`, in one grouped query (pairs that shipped nothing are absent: 0)."""
    rows = (
        StockMovement.objects.demand()
        .filter(
            product_id__in={level.product_id for level in levels},
            warehouse_id__in={level.warehouse_id for level in levels},
            created_at__gte=now - timedelta(days=COVER_WINDOW_DAYS),
        )
        .values_list("product_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {
        (product_id, warehouse_id): Decimal(-(total or 0)) / COVER_WINDOW_DAYS
        for product_id, warehouse_id, total in rows
    }


def _low_stock(rule: AlertRule, level: StockLevel) -> tuple[bool, str]:
    return level.available <= rule.threshold, (
        f"{level.product.sku} at {level.warehouse.code}: "
        f"{level.available} available, at or below {rule.threshold}."
    )


def _overstock(
    rule: AlertRule, level: StockLevel, now, daily: Decimal | None = None
) -> tuple[bool, str]:
    """`daily`: the pair's average daily shipments when the caller read them
    for many pairs (else read here)."""
    sku, where = level.product.sku, level.warehouse.code
    if rule.max_on_hand is not None and level.on_hand > rule.max_on_hand:
        return True, (
            f"{sku} at {where}: {level.on_hand} on hand, above the maximum of "
            f"{rule.max_on_hand}."
        )
    if rule.max_days_of_cover is not None and level.on_hand > 0:
        if daily is None:
            pair = (level.product_id, level.warehouse_id)
            daily = _average_daily_shipments_many([level], now).get(pair, Decimal(0))
        if daily == 0:
            return True, (
                f"{sku} at {where}: {level.on_hand} on hand and nothing shipped in "
                f"{COVER_WINDOW_DAYS} days."
            )
        cover = Decimal(level.on_hand) / daily
        if cover > rule.max_days_of_cover:
            return True, (
                f"{sku} at {where}: {cover:.0f} days of cover, above "
                f"{rule.max_days_of_cover}."
            )
    return False, ""


def _variance_percent(line: StocktakeLine) -> Decimal:
    """How far the count is off the books, in percent of the books (100 when
    the books said none and some were counted), capped to fit the column."""
    book_qty = line.counted - line.variance
    if book_qty > 0:
        percent = Decimal(abs(line.variance) * 100) / book_qty
    else:
        percent = Decimal(100 if line.variance else 0)
    return min(percent, Decimal("99999")).quantize(Decimal("0.01"))


# --- evaluations -------------------------------------------------------------------


def alerts_evaluate_pair(
    *, product_id: int, warehouse_id: int, book: RuleBook | None = None
) -> None:
    """Bring low-stock and overstock alerts of one pair in line with its stock
    (nothing for a pair with no balance). `book`: the rules, when the caller
    loaded them for many pairs."""
    book = book or RuleBook.load()
    now = timezone.now()
    with transaction.atomic():
        level = (
            StockLevel.objects.select_related("product", "warehouse")
            .filter(product_id=product_id, warehouse_id=warehouse_id)
            .first()
        )
        if level is None:
            return
        for kind in STOCK_KINDS:
            _level_settle(kind, level, *_stock_condition(kind, level, book, now), now)


def _stock_condition(
    kind: str, level: StockLevel, book: RuleBook, now, daily: Decimal | None = None
) -> tuple[AlertRule | None, bool, Decimal, str]:
    """(winning rule, firing, value, message) of a stock alert kind for a pair."""
    rule = book.winner(
        kind=kind, product=level.product, warehouse_id=level.warehouse_id
    )
    firing, message, value = False, "", Decimal(level.on_hand)
    if rule is not None and kind == AlertKind.LOW_STOCK:
        value = Decimal(level.available)
        firing, message = _low_stock(rule, level)
    elif rule is not None:
        firing, message = _overstock(rule, level, now, daily)
    return rule, firing, value, message


def _level_settle(kind, level, rule, firing, value, message, now) -> None:
    """alerts_settle for a stock alert kind of a level's pair."""
    alerts_settle(
        kind=kind,
        rule=rule,
        product=level.product,
        warehouse=level.warehouse,
        firing=firing,
        value=value,
        message=message,
        now=now,
    )


def _settled(alerts: list[Alert], rule, firing: bool, value, message: str) -> bool:
    """Whether alerts_settle would change nothing: no active alert and nothing
    firing, or exactly the winning rule's alert, already saying this."""
    if rule is None or not firing:
        return not alerts
    return (
        len(alerts) == 1
        and alerts[0].rule_id == rule.pk
        and alerts[0].lot_id is None
        and alerts[0].value == value
        and alerts[0].message == message
    )


def alerts_evaluate_stocktake(*, stocktake_id: int) -> None:
    """Count variance: each counted line of a confirmed count against its rule."""
    book = RuleBook.load()
    now = timezone.now()
    sheet = Stocktake.objects.select_related("warehouse").get(pk=stocktake_id)
    lines = sheet.lines.select_related("product").filter(
        counted__isnull=False, variance__isnull=False
    )
    with transaction.atomic():
        for line in lines:
            rule = book.winner(
                kind=AlertKind.COUNT_VARIANCE,
                product=line.product,
                warehouse_id=sheet.warehouse_id,
                location_id=sheet.location_id,
            )
            percent = _variance_percent(line)
            alerts_settle(
                kind=AlertKind.COUNT_VARIANCE,
                rule=rule,
                product=line.product,
                warehouse=sheet.warehouse,
                firing=rule is not None and percent > rule.variance_percent,
                value=percent,
                message=(
                    f"{line.product.sku} at {sheet.warehouse.code}: counted "
                    f"{line.counted}, books said {line.counted - line.variance} "
                    f"({percent}% off, count #{sheet.pk})."
                ),
                now=now,
            )


def alerts_evaluate_all() -> int:
    """The safety net and the time-based part: every pair that has a balance,
    then every active alert whose rule was switched off is resolved. Returns
    the number of pairs evaluated."""
    book = RuleBook.load()
    now = timezone.now()
    evaluated, after = 0, 0
    while True:
        levels = list(
            StockLevel.objects.select_related("product", "warehouse")
            .filter(pk__gt=after)
            .order_by("pk")[:EVALUATE_BATCH]
        )
        if not levels:
            break
        after = levels[-1].pk
        evaluated += len(levels)
        _levels_evaluate(levels, book, now)
    _orphans_resolve(now)
    return evaluated


def _levels_evaluate(levels: list[StockLevel], book: RuleBook, now) -> None:
    """alerts_evaluate_pair over a batch of pairs in a few queries: their
    shipments and active alerts read at once, and alerts_settle (with its own
    queries and events) only for the pairs where it has something to change,
    each in its own transaction as alerts_evaluate_pair's."""
    daily = None
    if any(
        rule.kind == AlertKind.OVERSTOCK and rule.max_days_of_cover is not None
        for rule in book.rules
    ):
        daily = _average_daily_shipments_many(levels, now)
    active: dict[tuple[int, int, str], list[Alert]] = {}
    for alert in Alert.objects.active().filter(
        kind__in=STOCK_KINDS, product_id__in={level.product_id for level in levels}
    ):
        key = (alert.product_id, alert.warehouse_id, alert.kind)
        active.setdefault(key, []).append(alert)
    for level in levels:
        pair = (level.product_id, level.warehouse_id)
        for kind in STOCK_KINDS:
            rule, firing, value, message = _stock_condition(
                kind,
                level,
                book,
                now,
                None if daily is None else daily.get(pair, Decimal(0)),
            )
            if _settled(active.get((*pair, kind), []), rule, firing, value, message):
                continue
            with transaction.atomic():
                _level_settle(kind, level, rule, firing, value, message, now)


def _orphans_resolve(now: datetime) -> None:
    with transaction.atomic():
        orphans = (
            Alert.objects.active()
            .filter(rule__is_active=False)
            .select_related("rule", "product", "warehouse")
        )
        for alert in orphans:
            alert_resolve(alert, now)
