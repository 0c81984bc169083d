"""Sales orders from shops: reserve on create, ship, cancel."""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Product, Shop
from core.errors import InvalidInput, InvalidState

from ..errors import InsufficientStock
from ..hooks import (
    ORDER_CANCELLED,
    ORDER_CREATED,
    ORDER_SHIPPED,
    OrderChanged,
    order_hook,
)
from ..models import (
    MovementKind,
    ReferenceType,
    SalesOrder,
    SalesOrderAllocation,
    SalesOrderLine,
    SalesOrderStatus,
    StockLevel,
    Warehouse,
)
from .allocation import (
    Allocation,
    allocation_plan,
    candidates_order,
    warehouse_ranks,
)
from .ledger import LedgerLine, ledger_post

SPLIT_ATTEMPTS = 3


@dataclass(frozen=True)
class OrderLineInput:
    product: Product
    quantity: int
    unit_price: Decimal | None = None


def _merge_lines(lines: list[OrderLineInput]) -> list[OrderLineInput]:
    if not lines:
        raise InvalidInput(gettext("An order needs at least one line."), field="lines")
    if len(lines) > settings.STOCKWISE_MAX_ORDER_LINES:
        raise InvalidInput(
            gettext("An order may have at most %(max_order_lines)s lines.")
            % {"max_order_lines": settings.STOCKWISE_MAX_ORDER_LINES},
            field="lines",
        )
    merged: OrderedDict[int, OrderLineInput] = OrderedDict()
    for line in lines:
        if not 0 < line.quantity <= settings.STOCKWISE_MAX_LINE_QUANTITY:
            raise InvalidInput(
                gettext(
                    "Quantity for %(sku)s must be between 1 and %(max_line_quantity)s."
                )
                % {
                    "sku": line.product.sku,
                    "max_line_quantity": settings.STOCKWISE_MAX_LINE_QUANTITY,
                },
                field="lines.quantity",
            )
        if not line.product.is_active:
            raise InvalidInput(
                gettext("Product %(sku)s is not active.") % {"sku": line.product.sku},
                field="lines.sku",
            )
        seen = merged.get(line.product.pk)
        if seen:
            line = OrderLineInput(
                line.product, seen.quantity + line.quantity, line.unit_price
            )
        merged[line.product.pk] = line
    return list(merged.values())


def _same_lines(order: SalesOrder, lines: list[OrderLineInput]) -> bool:
    stored = {line.product_id: line.quantity for line in order.lines.all()}
    return stored == {line.product.pk: line.quantity for line in lines}


def _candidate_warehouses(shop: Shop, lines: list[OrderLineInput]) -> list[Warehouse]:
    """Active warehouses in the shop's order: its ranked ones first, then the
    one with the most of what is asked for (allocation.candidates_order)."""
    warehouses = list(Warehouse.objects.filter(is_active=True))
    totals = dict(
        StockLevel.objects.filter(product_id__in=[line.product.pk for line in lines])
        .values("warehouse_id")
        .annotate(total=Sum("on_hand") - Sum("reserved"))
        .values_list("warehouse_id", "total")
    )
    return candidates_order(warehouses, totals, warehouse_ranks(shop))


def _reserve(
    *,
    shop: Shop,
    external_id: str,
    warehouse: Warehouse,
    lines: list[OrderLineInput],
    split: list[Allocation] | None = None,
    warehouses: dict[int, Warehouse] | None = None,
    before_reserve: Callable[[SalesOrder], None] | None = None,
) -> SalesOrder:
    """Create the order and reserve it all in ``warehouse``, or, given a
    ``split``, each allocation in its warehouse; nothing when any is short.

    Runs under a savepoint of the caller's transaction, rolled back when the
    order is refused (short: InsufficientStock; sent before: IntegrityError)
    and, when it goes through, left for the COMMIT to release: a RELEASE
    would be one round trip more while the stock rows are locked.
    """
    savepoint = transaction.savepoint()
    try:
        return _reserve_writes(
            shop=shop,
            external_id=external_id,
            warehouse=warehouse,
            lines=lines,
            split=split,
            warehouses=warehouses,
            before_reserve=before_reserve,
        )
    except (InsufficientStock, IntegrityError):
        # The inner blocks (savepoint=False) marked the transaction for
        # rollback; rolling back to the savepoint makes it whole again.
        transaction.set_rollback(False)
        transaction.savepoint_rollback(savepoint)
        raise


def _reserve_writes(
    *,
    shop: Shop,
    external_id: str,
    warehouse: Warehouse,
    lines: list[OrderLineInput],
    split: list[Allocation] | None,
    warehouses: dict[int, Warehouse] | None,
    before_reserve: Callable[[SalesOrder], None] | None,
) -> SalesOrder:
    """_reserve's writes: the order, its lines (and split), its event, then,
    last, the stock. ``before_reserve(order)``, when given, runs just before
    the stock rows are locked (the API stores its answer there)."""
    order = SalesOrder.objects.create(
        shop=shop,
        external_id=external_id,
        warehouse=warehouse,
        is_split=split is not None,
    )
    order_lines = SalesOrderLine.objects.bulk_create(
        SalesOrderLine(
            order=order,
            product=line.product,
            quantity=line.quantity,
            unit_price=line.unit_price,
        )
        for line in lines
    )
    # The caller can answer with order.lines.all() without reading them back
    # (the same cache prefetch_related fills).
    cached = SalesOrderLine.objects.filter(order=order)
    cached._result_cache, cached._prefetch_done = order_lines, True
    order._prefetched_objects_cache = {"lines": cached}
    if split is None:
        holds = [
            LedgerLine(line.product.pk, warehouse.pk, reserved=line.quantity)
            for line in lines
        ]
    else:
        _allocations_write(order, split, lines, warehouses or {})
        holds = [
            LedgerLine(a.product_id, a.warehouse_id, reserved=a.quantity) for a in split
        ]
    # The event first, the stock last: the level row a hot SKU's orders
    # queue on stays locked only from its UPDATE to the commit. A refused
    # reservation rolls the event back with the order.
    order_hook.announce(OrderChanged(order=order, event=ORDER_CREATED))
    if before_reserve is not None:
        before_reserve(order)
    ledger_post(
        lines=holds,
        reference_type=ReferenceType.SALES_ORDER,
        reference_id=str(order.pk),
        actor_shop=shop,
        savepoint=False,  # a refusal rolls back _reserve's savepoint
    )
    return order


def _allocations_write(
    order: SalesOrder,
    split: list[Allocation],
    lines: list[OrderLineInput],
    warehouses: dict[int, Warehouse],
) -> None:
    """Write the split; the order keeps the rows, with their products and
    warehouses, so its answer reads nothing back."""
    products = {line.product.pk: line.product for line in lines}
    rows = SalesOrderAllocation.objects.bulk_create(
        SalesOrderAllocation(
            order=order,
            product=products[a.product_id],
            warehouse=warehouses.get(a.warehouse_id)
            or Warehouse.objects.get(pk=a.warehouse_id),
            quantity=a.quantity,
        )
        for a in split
    )
    cached = SalesOrderAllocation.objects.filter(order=order)
    cached._result_cache, cached._prefetch_done = rows, True
    order._prefetched_objects_cache["allocations"] = cached


def _reserve_split(
    *,
    shop: Shop,
    external_id: str,
    lines: list[OrderLineInput],
    before_reserve: Callable[[SalesOrder], None] | None = None,
) -> SalesOrder | None:
    """Reserve the order split over the fewest warehouses; None when the
    network cannot fill it. A plan a concurrent order made short is planned
    again on what is left (SPLIT_ATTEMPTS in all)."""
    wanted = {line.product.pk: line.quantity for line in lines}
    for _attempt in range(SPLIT_ATTEMPTS):
        split = allocation_plan(shop=shop, wanted=wanted)
        if split is None:
            return None
        shipped: dict[int, int] = {}
        for a in split:
            shipped[a.warehouse_id] = shipped.get(a.warehouse_id, 0) + a.quantity
        # The order's own warehouse: the one that ships most.
        main = max(shipped, key=lambda w: (shipped[w], -w))
        warehouses = Warehouse.objects.in_bulk(list(shipped))
        try:
            return _reserve(
                shop=shop,
                external_id=external_id,
                warehouse=warehouses[main],
                lines=lines,
                split=split,
                warehouses=warehouses,
                before_reserve=before_reserve,
            )
        except InsufficientStock:
            continue
    return None


def sales_order_create(
    *,
    shop: Shop,
    external_id: str,
    lines: list[OrderLineInput],
    warehouse: Warehouse | None = None,
    before_reserve: Callable[[SalesOrder], None] | None = None,
) -> tuple[SalesOrder, bool]:
    """Reserve every line or nothing; return (order, created).

    One warehouse fills the order when one can (the shop's ranked warehouses
    first, then the one holding most). When none can, and the shop splits
    orders (Shop.split_orders) and named no warehouse, the order is split over
    the fewest warehouses that can (services.allocation), still all or
    nothing; otherwise it is refused as short (InsufficientStock).

    An order the shop sent before (same external_id) is returned as it is when
    its lines match, and refused when they differ.

    One transaction (the caller's, when it has one). ``before_reserve(order)``
    is called with each order written, in it, just before its stock rows are
    locked; a refused attempt rolls back what it wrote.
    """
    external_id = external_id.strip()
    if not external_id:
        raise InvalidInput(
            gettext("external_id must not be blank."), field="external_id"
        )
    lines = _merge_lines(lines)
    with transaction.atomic(savepoint=False):
        try:
            return _create_or_find(shop, external_id, lines, warehouse, before_reserve)
        except (InsufficientStock, InvalidState, IntegrityError) as error:
            # Every attempt's writes are rolled back to its savepoint already:
            # leave the block cleanly, so a caller's transaction stays usable
            # (raised through a savepoint=False block it would be spoilt).
            refused = error
    raise refused


def _create_or_find(
    shop: Shop,
    external_id: str,
    lines: list[OrderLineInput],
    warehouse: Warehouse | None,
    before_reserve: Callable[[SalesOrder], None] | None,
) -> tuple[SalesOrder, bool]:
    # Insert first: a re-sent order (the rare case) meets the unique (shop,
    # external_id) index inside _reserve and is read back then, so a new order
    # costs no lookup.
    candidates = [warehouse] if warehouse else _candidate_warehouses(shop, lines)
    first_error = None
    duplicate = None
    for candidate in candidates:
        try:
            order = _reserve(
                shop=shop,
                external_id=external_id,
                warehouse=candidate,
                lines=lines,
                before_reserve=before_reserve,
            )
            return order, True
        except InsufficientStock as error:
            first_error = first_error or error
        except IntegrityError as error:
            # Sent before, or the same order arrived concurrently and won.
            duplicate = error
            break
    if first_error is not None and warehouse is None and shop.split_orders:
        try:
            order = _reserve_split(
                shop=shop,
                external_id=external_id,
                lines=lines,
                before_reserve=before_reserve,
            )
        except IntegrityError as error:
            order, duplicate = None, error
        if order is not None:
            return order, True
    if first_error is not None and duplicate is None:
        # Every attempt inserted the order before it was short: no order with
        # this external_id was there to find.
        raise first_error
    existing = SalesOrder.objects.filter(shop=shop, external_id=external_id).first()
    if existing is None:
        if duplicate is not None:
            raise duplicate
        raise InvalidState(
            gettext("No active warehouse can take orders."), field="warehouse"
        )
    if not _same_lines(existing, lines):
        raise InvalidState(
            gettext("Order %(external_id)s already exists with different lines.")
            % {"external_id": repr(external_id)},
            field="external_id",
        )
    return existing, False


def order_holds(order: SalesOrder) -> list[tuple[int, int, int]]:
    """(product id, warehouse id, quantity) the order reserves: its
    allocations when split, else every line in its warehouse."""
    if order.is_split:
        return [
            (a.product_id, a.warehouse_id, a.quantity) for a in order.allocations.all()
        ]
    return [
        (line.product_id, order.warehouse_id, line.quantity)
        for line in order.lines.all()
    ]


def _release_lines(order: SalesOrder, *, ship: bool) -> list[LedgerLine]:
    """Release each hold of the order; shipping also takes it out of on hand."""
    return [
        LedgerLine(
            product_id,
            warehouse_id,
            quantity=-quantity if ship else 0,
            reserved=-quantity,
            kind=MovementKind.SHIPMENT if ship else "",
        )
        for product_id, warehouse_id, quantity in order_holds(order)
    ]


def _transition(order: SalesOrder, to_status: str, **fields) -> None:
    changed = SalesOrder.objects.filter(
        pk=order.pk, status=SalesOrderStatus.RESERVED
    ).update(status=to_status, **fields)
    if not changed:
        order.refresh_from_db(fields=["status"])
        raise InvalidState(
            gettext(
                "Order %(external_id)s is %(status)s; only a reserved order can "
                "be shipped or cancelled."
            )
            % {"external_id": order.external_id, "status": order.get_status_display()},
            field="status",
        )
    order.status = to_status
    for name, value in fields.items():
        setattr(order, name, value)


def sales_order_ship(*, order: SalesOrder, actor) -> SalesOrder:
    """Ship the whole order: shipments out of on hand, reservation released."""
    with transaction.atomic():
        now = timezone.now()
        _transition(order, SalesOrderStatus.SHIPPED, shipped_at=now)
        ledger_post(
            lines=_release_lines(order, ship=True),
            reference_type=ReferenceType.SALES_ORDER,
            reference_id=str(order.pk),
            actor_user=actor,
            actor_shop=order.shop,
            occurred_at=now,
        )
        order_hook.announce(OrderChanged(order=order, event=ORDER_SHIPPED))
    return order


def sales_order_cancel(*, order: SalesOrder, actor=None) -> SalesOrder:
    with transaction.atomic():
        _transition(order, SalesOrderStatus.CANCELLED, cancelled_at=timezone.now())
        ledger_post(
            lines=_release_lines(order, ship=False),
            reference_type=ReferenceType.SALES_ORDER,
            reference_id=str(order.pk),
            actor_user=actor,
            actor_shop=order.shop,
        )
        order_hook.announce(OrderChanged(order=order, event=ORDER_CANCELLED))
    return order
