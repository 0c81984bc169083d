"""What stock announces to apps that listen, without importing any of them.

The ledger announces every post (`ledger_hook`) and the order services every
change of an order's life (`order_hook`). An app that reacts (alerts, webhooks)
subscribes in its ``AppConfig.ready()``; stock never imports a listener.

Contract for listeners:
- They run synchronously inside the poster's transaction, in the order they
  subscribed. Rows they write commit or roll back with the movements (an
  outbox); an exception a listener raises rolls the whole post back, so a
  listener defers anything that may fail and need not undo the post (a task, an
  e-mail) with ``transaction.on_commit(..., robust=True)``.
- A ledger listener may pass ``prepare``: called once per post *before* the
  ledger takes its row locks (so a query it needs does not lengthen them); what
  it returns is handed back to that listener with the announcement.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# The order events stock announces (also the webhook event names).
ORDER_CREATED = "order.created"
ORDER_SHIPPED = "order.shipped"
ORDER_CANCELLED = "order.cancelled"


@dataclass(frozen=True)
class LedgerPosted:
    """One committed-with-the-transaction ledger post.

    pairs: the (product_id, warehouse_id) whose on hand or reserved changed,
    sorted; movements: the StockMovement rows written (empty for a reservation
    or release only); reference_type/reference_id: the document posted.
    """

    pairs: tuple[tuple[int, int], ...]
    movements: Sequence[Any]
    reference_type: str
    reference_id: str


@dataclass(frozen=True)
class OrderChanged:
    """An order created, shipped or cancelled (event: one of ORDER_*)."""

    order: Any
    event: str


LedgerListener = Callable[[LedgerPosted, Any], None]


class LedgerHook:
    """The ledger's announcements: ``prepare()`` before the locks, then
    ``announce()`` with what each listener's ``prepare`` returned."""

    def __init__(self) -> None:
        self._listeners: list[tuple[LedgerListener, Callable[[], Any] | None]] = []

    def subscribe(
        self, listener: LedgerListener, *, prepare: Callable[[], Any] | None = None
    ) -> None:
        """Add a listener once (a second subscribe of the same one is ignored)."""
        if all(known is not listener for known, _ in self._listeners):
            self._listeners.append((listener, prepare))

    def prepare(self) -> tuple:
        return tuple(prep() if prep else None for _, prep in self._listeners)

    def announce(self, posted: LedgerPosted, prepared: tuple) -> None:
        for (listener, _), state in zip(self._listeners, prepared, strict=True):
            listener(posted, state)


class OrderHook:
    """The order services' announcements of ORDER_* events."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[OrderChanged], None]] = []

    def subscribe(self, listener: Callable[[OrderChanged], None]) -> None:
        if all(known is not listener for known in self._listeners):
            self._listeners.append(listener)

    def announce(self, change: OrderChanged) -> None:
        for listener in self._listeners:
            listener(change)


ledger_hook = LedgerHook()
order_hook = OrderHook()
