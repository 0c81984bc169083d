"""Sales orders from shops: reserve on create, ship, cancel."""

from collections import OrderedDict
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
    SalesOrderLine,
    SalesOrderStatus,
    StockLevel,
    Warehouse,
)
from .ledger import LedgerLine, ledger_post


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


def _candidate_warehouses(lines: list[OrderLineInput]) -> list[Warehouse]:
    """Active warehouses, the one with the most of what is asked for first."""
    warehouses = list(Warehouse.objects.filter(is_active=True))
    totals = dict(
        StockLevel.objects.filter(product_id__in=[line.product.pk for line in lines])
        .values("warehouse_id")
        .annotate(total=Sum("on_hand") - Sum("reserved"))
        .values_list("warehouse_id", "total")
    )
    return sorted(warehouses, key=lambda w: (-(totals.get(w.pk) or 0), w.code))


def _reserve(
    *, shop: Shop, external_id: str, warehouse: Warehouse, lines: list[OrderLineInput]
) -> SalesOrder:
    with transaction.atomic():
        order = SalesOrder.objects.create(
            shop=shop, external_id=external_id, warehouse=warehouse
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
        # The event first, the stock last: the level row a hot SKU's orders
        # queue on stays locked only from its UPDATE to the commit. A refused
        # reservation rolls the event back with the order.
        order_hook.announce(OrderChanged(order=order, event=ORDER_CREATED))
        ledger_post(
            lines=[
                LedgerLine(line.product.pk, warehouse.pk, reserved=line.quantity)
                for line in lines
            ],
            reference_type=ReferenceType.SALES_ORDER,
            reference_id=str(order.pk),
            actor_shop=shop,
            savepoint=False,  # a refusal rolls back this whole block
        )
    return order


def sales_order_create(
    *,
    shop: Shop,
    external_id: str,
    lines: list[OrderLineInput],
    warehouse: Warehouse | None = None,
) -> tuple[SalesOrder, bool]:
    """Reserve every line or nothing; return (order, created).

    An order the shop sent before (same external_id) is returned as it is when
    its lines match, and refused when they differ.
    """
    external_id = external_id.strip()
    if not external_id:
        raise InvalidInput(
            gettext("external_id must not be blank."), field="external_id"
        )
    lines = _merge_lines(lines)
    # Insert first: a re-sent order (the rare case) meets the unique (shop,
    # external_id) index inside _reserve and is read back then, so a new order
    # costs no lookup.
    candidates = [warehouse] if warehouse else _candidate_warehouses(lines)
    first_error = None
    duplicate = None
    for candidate in candidates:
        try:
            order = _reserve(
                shop=shop, external_id=external_id, warehouse=candidate, lines=lines
            )
            return order, True
        except InsufficientStock as error:
            first_error = first_error or error
        except IntegrityError as error:
            # Sent before, or the same order arrived concurrently and won.
            duplicate = error
            break
    existing = SalesOrder.objects.filter(shop=shop, external_id=external_id).first()
    if existing is None:
        if duplicate is not None:
            raise duplicate
        if first_error is not None:
            raise first_error
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


def _release_lines(order: SalesOrder, *, ship: bool) -> list[LedgerLine]:
    """Release each line's reservation; shipping also takes it out of on hand."""
    return [
        LedgerLine(
            line.product_id,
            order.warehouse_id,
            quantity=-line.quantity if ship else 0,
            reserved=-line.quantity,
            kind=MovementKind.SHIPMENT if ship else "",
        )
        for line in order.lines.all()
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
