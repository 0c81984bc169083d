"""Alert rules applied to stock: evaluation, opening and resolving, notifying.

Evaluation runs after every committed ledger write (coalesced per product x
warehouse) and on a schedule. An alert is opened at most once per rule x
product x warehouse while active (a partial unique constraint), resolves by
itself when its condition clears, and writes alert.opened / alert.resolved to
the webhook outbox in the same transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.models import Category, Product
from core.errors import InvalidInput, InvalidState
from core.roles import MANAGE_STOCK, OPERATE_STOCK

from ..hooks import LedgerPosted
from ..models import (
    Alert,
    AlertKind,
    AlertRule,
    AlertStatus,
    AlertSubscription,
    EventType,
    NotificationMode,
    ReferenceType,
    RuleScope,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeStatus,
    Warehouse,
)
from ..models.alerts import ACTIVE_ALERT_STATUSES, AlertAudience
from .webhooks import outbox_publish, outbox_stock_changed

COVER_WINDOW_DAYS = 28
STOCK_KINDS = (AlertKind.LOW_STOCK, AlertKind.OVERSTOCK)


# --- the hook ledger_post calls -------------------------------------------------


def ledger_posted(posted: LedgerPosted, subscribed: bool | None) -> None:
    """Ledger listener (stock.hooks), inside the post's transaction:
    stock.changed outbox rows now, alert evaluation on commit. `subscribed`
    is webhooks_subscribed(), asked before the ledger took its locks."""
    pairs = list(posted.pairs)
    reference_type, reference_id = posted.reference_type, posted.reference_id
    outbox_stock_changed(
        pairs=pairs,
        movements=list(posted.movements),
        reference_type=reference_type,
        reference_id=reference_id,
        subscribed=subscribed,
    )
    # robust: the change is committed whatever happens here; a failed
    # evaluation is logged and the scheduled evaluate-all catches up.
    if pairs:
        transaction.on_commit(
            lambda: alerts_evaluation_enqueue(pairs=pairs), robust=True
        )
    if reference_type == ReferenceType.STOCKTAKE and reference_id:
        stocktake_id = int(reference_id)
        transaction.on_commit(
            lambda: _stocktake_evaluation_enqueue(stocktake_id), robust=True
        )


def evaluation_key(product_id: int, warehouse_id: int) -> str:
    return f"stockwise:alerts:evaluate:{product_id}:{warehouse_id}"


def alerts_evaluation_enqueue(*, pairs: Iterable[tuple[int, int]]) -> None:
    """Evaluate each pair soon, once per burst: the first write of a burst sets
    a cache key and schedules the task; later writes find the key and skip."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for product_id, warehouse_id in pairs:
            alerts_evaluate_pair(product_id=product_id, warehouse_id=warehouse_id)
        return
    from ..alert_tasks import alerts_evaluate_pair_task

    window = settings.STOCKWISE_ALERTS_COALESCE_SECONDS
    for product_id, warehouse_id in pairs:
        if cache.add(evaluation_key(product_id, warehouse_id), 1, timeout=window * 10):
            alerts_evaluate_pair_task.apply_async(
                (product_id, warehouse_id), countdown=window
            )


def _stocktake_evaluation_enqueue(stocktake_id: int) -> None:
    from ..alert_tasks import alerts_evaluate_stocktake_task

    alerts_evaluate_stocktake_task.delay(stocktake_id)


# --- choosing the rule ------------------------------------------------------------


@dataclass
class RuleBook:
    """The active rules and the category tree, loaded once per evaluation run."""

    rules: list[AlertRule]
    parents: dict[int, int | None]

    @classmethod
    def load(cls) -> "RuleBook":
        rules = list(AlertRule.objects.filter(is_active=True).order_by("pk"))
        parents = {}
        if any(rule.scope == RuleScope.CATEGORY for rule in rules):
            parents = dict(Category.objects.values_list("pk", "parent_id"))
        return cls(rules=rules, parents=parents)

    def ancestry(self, category_id: int) -> list[int]:
        chain: list[int] = []
        node = category_id
        while node is not None and node not in chain:
            chain.append(node)
            node = self.parents.get(node)
        return chain

    def winner(
        self,
        *,
        kind: str,
        product: Product,
        warehouse_id: int,
        location_id: int | None = None,
    ) -> AlertRule | None:
        """The most specific active rule of this kind for the product there:
        location > product x warehouse > product > nearest category > all."""
        ancestry = self.ancestry(product.category_id)
        best, best_score = None, None
        for rule in self.rules:
            if rule.kind != kind:
                continue
            score = None
            if rule.scope == RuleScope.LOCATION:
                if location_id is not None and rule.location_id == location_id:
                    score = (rule.rank, 0)
            elif rule.scope == RuleScope.PRODUCT_WAREHOUSE:
                if (rule.product_id, rule.warehouse_id) == (product.pk, warehouse_id):
                    score = (rule.rank, 0)
            elif rule.scope == RuleScope.PRODUCT:
                if rule.product_id == product.pk:
                    score = (rule.rank, 0)
            elif rule.scope == RuleScope.CATEGORY:
                if rule.category_id in ancestry:
                    score = (rule.rank, -ancestry.index(rule.category_id))
            else:
                score = (rule.rank, 0)
            if score is not None and (best_score is None or score > best_score):
                best, best_score = rule, score
        return best


# --- opening and resolving ---------------------------------------------------------


def _alert_payload(alert: Alert) -> dict:
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


def _alert_open(
    *,
    rule: AlertRule,
    product: Product,
    warehouse: Warehouse,
    value: Decimal,
    message: str,
    now: datetime,
) -> Alert | None:
    """Open the alert unless one is active; None when it already was."""
    active = (
        Alert.objects.active()
        .filter(rule=rule, product=product, warehouse=warehouse)
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
                value=value,
                message=message[:300],
                opened_at=now,
            )
    except IntegrityError:
        return None  # a concurrent evaluation opened it first
    outbox_publish(events=[(EventType.ALERT_OPENED, _alert_payload(alert))])
    transaction.on_commit(lambda: _notify_enqueue(alert.pk), robust=True)
    return alert


def _alert_resolve(alert: Alert, now: datetime) -> bool:
    changed = Alert.objects.filter(
        pk=alert.pk, status__in=ACTIVE_ALERT_STATUSES
    ).update(status=AlertStatus.RESOLVED, resolved_at=now)
    if changed:
        alert.status, alert.resolved_at = AlertStatus.RESOLVED, now
        outbox_publish(events=[(EventType.ALERT_RESOLVED, _alert_payload(alert))])
    return bool(changed)


def _settle(
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
    every active alert whose rule no longer wins or no longer fires."""
    stale = (
        Alert.objects.active()
        .select_related("rule", "product", "warehouse")
        .filter(kind=kind, product=product, warehouse=warehouse)
    )
    for alert in stale:
        if rule is None or alert.rule_id != rule.pk or not firing:
            _alert_resolve(alert, now)
    if rule is not None and firing:
        _alert_open(
            rule=rule,
            product=product,
            warehouse=warehouse,
            value=value,
            message=message,
            now=now,
        )


def _average_daily_shipments(product_id: int, warehouse_id: int, now) -> Decimal:
    shipped = (
        StockMovement.objects.demand()
        .filter(
            product_id=product_id,
            warehouse_id=warehouse_id,
            created_at__gte=now - timedelta(days=COVER_WINDOW_DAYS),
        )
        .aggregate(total=Sum("quantity"))["total"]
    )
    return Decimal(-(shipped or 0)) / COVER_WINDOW_DAYS


def _overstock(rule: AlertRule, level: StockLevel, now) -> tuple[bool, str]:
    sku, where = level.product.sku, level.warehouse.code
    if rule.max_on_hand is not None and level.on_hand > rule.max_on_hand:
        return True, (
            f"{sku} at {where}: {level.on_hand} on hand, above the maximum of "
            f"{rule.max_on_hand}."
        )
    if rule.max_days_of_cover is not None and level.on_hand > 0:
        daily = _average_daily_shipments(level.product_id, level.warehouse_id, now)
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


def alerts_evaluate_pair(
    *, product_id: int, warehouse_id: int, book: RuleBook | None = None
) -> None:
    """Bring low-stock and overstock alerts of one pair in line with its stock."""
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
            rule = book.winner(
                kind=kind, product=level.product, warehouse_id=warehouse_id
            )
            firing, message, value = False, "", Decimal(level.on_hand)
            if rule is not None and kind == AlertKind.LOW_STOCK:
                value = Decimal(level.available)
                firing = level.available <= rule.threshold
                message = (
                    f"{level.product.sku} at {level.warehouse.code}: "
                    f"{level.available} available, at or below {rule.threshold}."
                )
            elif rule is not None:
                firing, message = _overstock(rule, level, now)
            _settle(
                kind=kind,
                rule=rule,
                product=level.product,
                warehouse=level.warehouse,
                firing=firing,
                value=value,
                message=message,
                now=now,
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
            book_qty = line.counted - line.variance
            if book_qty > 0:
                percent = Decimal(abs(line.variance) * 100) / book_qty
            else:
                percent = Decimal(100 if line.variance else 0)
            percent = min(percent, Decimal("99999")).quantize(Decimal("0.01"))
            firing = rule is not None and percent > rule.variance_percent
            _settle(
                kind=AlertKind.COUNT_VARIANCE,
                rule=rule,
                product=line.product,
                warehouse=sheet.warehouse,
                firing=firing,
                value=percent,
                message=(
                    f"{line.product.sku} at {sheet.warehouse.code}: counted "
                    f"{line.counted}, books said {book_qty} ({percent}% off, "
                    f"count #{sheet.pk})."
                ),
                now=now,
            )


def alerts_evaluate_all() -> int:
    """The safety net and the time-based part: every pair that has a balance."""
    book = RuleBook.load()
    pairs = list(StockLevel.objects.values_list("product_id", "warehouse_id"))
    for product_id, warehouse_id in pairs:
        alerts_evaluate_pair(
            product_id=product_id, warehouse_id=warehouse_id, book=book
        )
    # Alerts whose rule was switched off resolve too.
    now = timezone.now()
    with transaction.atomic():
        orphans = (
            Alert.objects.active()
            .filter(rule__is_active=False)
            .select_related("rule", "product", "warehouse")
        )
        for alert in orphans:
            _alert_resolve(alert, now)
    return len(pairs)


# --- what users do ---------------------------------------------------------------


def alert_acknowledge(*, alert: Alert, user) -> Alert:
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
    """No notification and no badge for this alert until then."""
    if until <= timezone.now():
        raise InvalidInput("Snooze until a time in the future.", field="until")
    changed = Alert.objects.filter(
        pk=alert.pk, status__in=ACTIVE_ALERT_STATUSES
    ).update(snoozed_until=until)
    if not changed:
        raise InvalidState("A resolved alert cannot be snoozed.", field="status")
    alert.refresh_from_db()
    return alert


def alerts_needing_attention_count(*, user) -> int:
    return Alert.objects.for_user(user).needing_attention(timezone.now()).count()


def alerts_badge(request) -> dict:
    """Context processor: the number of alerts waiting for this user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(OPERATE_STOCK):
        return {}
    return {"open_alert_count": alerts_needing_attention_count(user=user)}


# --- e-mail ----------------------------------------------------------------------


def _may_see(user, alert: Alert) -> bool:
    if not user.is_active or not user.email:
        return False
    if alert.rule.audience == AlertAudience.MANAGERS:
        return user.has_perm(MANAGE_STOCK)
    return user.has_perm(OPERATE_STOCK)


def _notify_enqueue(alert_id: int) -> None:
    from ..alert_tasks import alert_notify_task

    alert_notify_task.delay(alert_id)


def alert_notify(*, alert_id: int) -> int:
    """E-mail a newly opened alert to the users who want it at once; once."""
    now = timezone.now()
    claimed = Alert.objects.filter(pk=alert_id, notified_at__isnull=True).update(
        notified_at=now
    )
    if not claimed:
        return 0
    alert = Alert.objects.select_related("rule", "product", "warehouse").get(
        pk=alert_id
    )
    if alert.status != AlertStatus.OPEN or alert.is_snoozed(now):
        return 0
    subscriptions = AlertSubscription.objects.select_related("user").filter(
        mode=NotificationMode.IMMEDIATE
    )
    recipients = [s.user.email for s in subscriptions if _may_see(s.user, alert)]
    if recipients:
        send_mail(
            subject=f"[Stockwise] {alert.get_kind_display()}: {alert.product.sku}",
            message=f"{alert.message}\n\nRule: {alert.rule}\n",
            from_email=None,
            recipient_list=recipients,
        )
    return len(recipients)


def alerts_digest_send(*, now: datetime | None = None) -> int:
    """One e-mail per digest subscriber listing what needs attention; at most
    once a day per user, however often the task runs."""
    now = now or timezone.now()
    due_before = now - timedelta(hours=20)
    sent = 0
    User = get_user_model()
    subscriptions = AlertSubscription.objects.select_related("user").filter(
        mode=NotificationMode.DIGEST
    )
    for subscription in subscriptions:
        last = subscription.last_digest_at
        if last is not None and last > due_before:
            continue
        user: User = subscription.user
        alerts = [
            alert
            for alert in Alert.objects.needing_attention(now)
            .select_related("rule", "product", "warehouse")
            .order_by("opened_at")
            if _may_see(user, alert)
        ]
        if not alerts:
            continue
        claimed = AlertSubscription.objects.filter(
            pk=subscription.pk, last_digest_at=last
        ).update(last_digest_at=now)
        if not claimed:
            continue  # another run of the task sent it
        lines = [f"- {a.get_kind_display()}: {a.message}" for a in alerts]
        send_mail(
            subject=f"[Stockwise] {len(alerts)} alert(s) need attention",
            message="\n".join(lines) + "\n",
            from_email=None,
            recipient_list=[user.email],
        )
        sent += 1
    return sent


# --- after-commit work lost with its enqueue ----------------------------------------

RECHECK_WINDOW = timedelta(days=1)


def stocktake_evaluated_key(stocktake_id: int) -> str:
    return f"stockwise:alerts:stocktake-evaluated:{stocktake_id}"


def requeue_lease_key(kind: str, pk: int) -> str:
    return f"stockwise:alerts:requeued:{kind}:{pk}"


def _requeue_lease(kind: str, pk: int) -> bool:
    """True once per STOCKWISE_REQUEUE_LEASE_SECONDS for this piece of work."""
    return cache.add(
        requeue_lease_key(kind, pk), 1, timeout=settings.STOCKWISE_REQUEUE_LEASE_SECONDS
    )


def _lost_count_checks(now: datetime, grace: timedelta) -> list[int]:
    """Counts confirmed within RECHECK_WINDOW (and before the grace) whose
    variance check left no mark, unless a newer confirmed count covers the same
    shelves (the whole warehouse, or the same location): its check is the
    truth now, and an older one must not reopen what it resolved."""
    sheets = list(
        Stocktake.objects.filter(
            status=StocktakeStatus.CONFIRMED, confirmed_at__gte=now - RECHECK_WINDOW
        )
        .order_by("confirmed_at", "pk")
        .values_list("pk", "warehouse_id", "location_id", "confirmed_at")
    )
    marks = cache.get_many([stocktake_evaluated_key(pk) for pk, *_ in sheets])
    lost = []
    for index, (pk, warehouse_id, location_id, confirmed_at) in enumerate(sheets):
        if confirmed_at >= now - grace or stocktake_evaluated_key(pk) in marks:
            continue
        covered = any(
            other_warehouse == warehouse_id
            and (other_location is None or other_location == location_id)
            for _, other_warehouse, other_location, _ in sheets[index + 1 :]
        )
        if not covered:
            lost.append(pk)
    return lost


def alerts_requeue(*, now: datetime | None = None, limit: int = 1000) -> dict:
    """Beat's sweeper: queue again what an after-commit enqueue lost (Redis was
    away when the ledger write committed).

    - An open alert not yet notified STOCKWISE_REQUEUE_GRACE_SECONDS after it
      opened gets its notification task (alert_notify sends once).
    - A count confirmed within a day whose variance check never ran gets it.

    Lost pair evaluations need nothing here: alerts_evaluate_all covers every
    pair every 15 minutes. Each piece is queued at most once per lease.
    """
    from ..alert_tasks import alert_notify_task, alerts_evaluate_stocktake_task

    now = now or timezone.now()
    grace = timedelta(seconds=settings.STOCKWISE_REQUEUE_GRACE_SECONDS)
    done: dict[str, list[int]] = {"notify": [], "stocktakes": []}
    unnotified = (
        Alert.objects.filter(
            status=AlertStatus.OPEN,
            notified_at__isnull=True,
            opened_at__lt=now - grace,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for kind, task, pks in (
        ("notify", alert_notify_task, list(unnotified)),
        ("stocktakes", alerts_evaluate_stocktake_task, _lost_count_checks(now, grace)),
    ):
        for pk in pks:
            if not _requeue_lease(kind, pk):
                continue
            try:
                task.delay(pk)
            except Exception:
                cache.delete(requeue_lease_key(kind, pk))  # the next sweep tries
                raise
            done[kind].append(pk)
    return done
