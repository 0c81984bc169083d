"""Beat's sweeper for alert work whose after-commit enqueue was lost (Redis was
away when the ledger write committed)."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from stock.models import Stocktake, StocktakeStatus

from .. import queue
from ..models import Alert, AlertStatus

RECHECK_WINDOW = timedelta(days=1)


def stocktake_evaluated_key(stocktake_id: int) -> str:
    """The cache mark a count's variance check leaves when it ran."""
    return f"stockwise:alerts:stocktake-evaluated:{stocktake_id}"


def requeue_lease_key(kind: str, pk: int) -> str:
    return f"stockwise:alerts:requeued:{kind}:{pk}"


def _requeue_lease(kind: str, pk: int) -> bool:
    """True once per STOCKWISE_REQUEUE_LEASE_SECONDS for this piece of work."""
    return cache.add(
        requeue_lease_key(kind, pk), 1, timeout=settings.STOCKWISE_REQUEUE_LEASE_SECONDS
    )


def _unnotified_alerts(now: datetime, grace: timedelta, limit: int) -> list[int]:
    """Open alerts still not e-mailed `grace` after they opened."""
    return list(
        Alert.objects.filter(
            status=AlertStatus.OPEN,
            notified_at__isnull=True,
            opened_at__lt=now - grace,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
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


def _requeue(kind: str, enqueue: Callable[[int], None], pks: list[int]) -> list[int]:
    """Enqueue each piece not leased in the last lease; the queued pks. A
    failed enqueue gives its lease back (the next sweep tries) and raises."""
    done = []
    for pk in pks:
        if not _requeue_lease(kind, pk):
            continue
        try:
            enqueue(pk)
        except Exception:
            cache.delete(requeue_lease_key(kind, pk))
            raise
        done.append(pk)
    return done


def alerts_requeue(*, now: datetime | None = None, limit: int = 1000) -> dict:
    """Queue again what an after-commit enqueue lost.

    - An open alert not yet notified STOCKWISE_REQUEUE_GRACE_SECONDS after it
      opened gets its notification task (alert_notify sends once).
    - A count confirmed within a day whose variance check never ran gets it.

    Lost pair evaluations need nothing here: alerts_evaluate_all covers every
    pair every 15 minutes. Each piece is queued at most once per lease.
    Returns {"notify": [alert ids], "stocktakes": [stocktake ids]} queued.
    """
    now = now or timezone.now()
    grace = timedelta(seconds=settings.STOCKWISE_REQUEUE_GRACE_SECONDS)
    unnotified = _unnotified_alerts(now, grace, limit)
    unchecked = _lost_count_checks(now, grace)
    return {
        "notify": _requeue("notify", queue.notify_enqueue, unnotified),
        "stocktakes": _requeue(
            "stocktakes", queue.stocktake_evaluation_enqueue, unchecked
        ),
    }
