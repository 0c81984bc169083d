"""Purchase orders: draft, send, receive (partly or in full), cancel."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Product, Supplier, SupplierProduct
from core.errors import InvalidInput, InvalidState

from ..models import (
    Location,
    MovementKind,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    ReferenceType,
    Warehouse,
)
from ..models.documents import RECEIVABLE_PURCHASE_STATUSES
from .ledger import LedgerLine, ledger_post
from .lots import LotInput, lot_resolve
from .purchase_send import purchase_order_send  # noqa: F401 (its old home)


@dataclass(frozen=True)
class PurchaseLineInput:
    product: Product
    quantity: int
    unit_cost: Decimal | None = None


def purchase_order_create(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: list[PurchaseLineInput],
    actor=None,
    expected_date: date | None = None,
    note: str = "",
) -> PurchaseOrder:
    quantities = _line_quantities(lines)
    with transaction.atomic():
        order = PurchaseOrder.objects.create(
            supplier=supplier,
            warehouse=warehouse,
            created_by=actor if getattr(actor, "pk", None) else None,
            expected_date=expected_date,
            note=note,
        )
        PurchaseOrderLine.objects.bulk_create(
            _new_lines(order, supplier, lines, quantities)
        )
    return order


def purchase_order_update(
    *,
    purchase_order: PurchaseOrder,
    warehouse: Warehouse,
    lines: list[PurchaseLineInput],
    expected_date: date | None = None,
    note: str = "",
    actor=None,
) -> PurchaseOrder:
    """Change a draft: where it goes, when it is expected, its note and its
    lines (the lines given replace the old ones; a product twice is summed).

    Refuses (InvalidInput on "lines") no line or a quantity not positive,
    (InvalidState on "status") an order that is no longer a draft."""
    quantities = _line_quantities(lines)
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
        if order.status != PurchaseOrderStatus.DRAFT:
            raise InvalidState(
                f"{order} is {order.get_status_display()}; only a draft can be "
                "changed.",
                field="status",
            )
        order.warehouse, order.expected_date, order.note = (
            warehouse,
            expected_date,
            note,
        )
        order.save(update_fields=["warehouse", "expected_date", "note"])
        order.lines.all().delete()
        PurchaseOrderLine.objects.bulk_create(
            _new_lines(order, order.supplier, lines, quantities)
        )
    return order


def _line_quantities(lines: list[PurchaseLineInput]) -> dict[int, int]:
    if not lines:
        raise InvalidInput(
            gettext("A purchase order needs at least one line."), field="lines"
        )
    quantities: dict[int, int] = {}
    for line in lines:
        if line.quantity <= 0:
            raise InvalidInput(
                gettext("Quantity for %(sku)s must be positive.")
                % {"sku": line.product.sku},
                field="lines",
            )
        quantities[line.product.pk] = quantities.get(line.product.pk, 0) + line.quantity
    return quantities


def _new_lines(order, supplier, lines, quantities) -> list[PurchaseOrderLine]:
    """One line per product: the cost given, else the supplier's, else the
    product's own."""
    costs = dict(
        SupplierProduct.objects.filter(
            supplier=supplier, product_id__in=quantities
        ).values_list("product_id", "unit_cost")
    )
    given = {line.product.pk: line for line in lines}
    return [
        PurchaseOrderLine(
            purchase_order=order,
            product_id=product_id,
            quantity_ordered=quantity,
            unit_cost=(
                given[product_id].unit_cost
                if given[product_id].unit_cost is not None
                else costs.get(product_id, given[product_id].product.unit_cost)
            ),
        )
        for product_id, quantity in quantities.items()
    ]


def purchase_order_cancel(
    *, purchase_order: PurchaseOrder, actor=None
) -> PurchaseOrder:
    changed = PurchaseOrder.objects.filter(
        pk=purchase_order.pk,
        status__in=[PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT],
    ).update(status=PurchaseOrderStatus.CANCELLED)
    if not changed:
        raise InvalidState(
            gettext(
                "Only a draft or sent purchase order with nothing received can "
                "be cancelled."
            ),
            field="status",
        )
    purchase_order.status = PurchaseOrderStatus.CANCELLED
    return purchase_order


def purchase_order_receive(
    *,
    purchase_order: PurchaseOrder,
    quantities: dict[int, int],
    actor,
    location: Location | None = None,
    lots: dict[int, LotInput] | None = None,
) -> PurchaseOrder:
    """Receive quantities per line id; refuse receiving more than is open.

    ``lots`` names the lot (number, expiry) of what a line received, by line
    id; the lot is created on its first receipt (services.lots.lot_resolve).

    Refuses (InvalidInput) no quantity, a negative one, a location outside the
    order's warehouse, a line not on the order or more than a line has open;
    (InvalidState) an order that is not sent. Under the order's row lock, the
    lines count what arrived (conditional UPDATEs, so two receipts never
    overshoot), the goods post as receipts and the order becomes partially
    received or received: all in one transaction.
    """
    quantities = {line_id: q for line_id, q in quantities.items() if q}
    _receive_check(purchase_order, quantities, location)
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
        lines = _receivable_lines(order, quantities)
        _count_received(lines, quantities)
        lot_ids = {
            line_id: lot_resolve(product=lines[line_id].product, lot=lot).pk
            for line_id, lot in (lots or {}).items()
            if line_id in quantities
        }
        ledger_post(
            lines=[
                LedgerLine(
                    lines[line_id].product_id,
                    order.warehouse_id,
                    quantity=quantity,
                    kind=MovementKind.RECEIPT,
                    location_id=location.pk if location else None,
                    lot_id=lot_ids.get(line_id),
                )
                for line_id, quantity in sorted(quantities.items())
            ],
            reference_type=ReferenceType.PURCHASE_ORDER,
            reference_id=str(order.pk),
            actor_user=actor,
        )
        open_left = order.lines.filter(
            quantity_received__lt=F("quantity_ordered")
        ).exists()
        order.status = (
            PurchaseOrderStatus.PARTIALLY_RECEIVED
            if open_left
            else PurchaseOrderStatus.RECEIVED
        )
        order.save(update_fields=["status"])
    return order


def _receive_check(
    purchase_order: PurchaseOrder, quantities: dict[int, int], location
) -> None:
    if not quantities:
        raise InvalidInput(
            gettext("Enter a quantity for at least one line."), field="lines"
        )
    if any(q < 0 for q in quantities.values()):
        raise InvalidInput(
            gettext("Received quantities cannot be negative."), field="lines"
        )
    if location is not None and location.warehouse_id != purchase_order.warehouse_id:
        raise InvalidInput(
            gettext("The location is not in the order's warehouse."), field="location"
        )


def _receivable_lines(
    order: PurchaseOrder, quantities: dict[int, int]
) -> dict[int, PurchaseOrderLine]:
    """The order's lines named in quantities, by id; the order (locked) must
    be receivable and hold every line named."""
    if order.status not in RECEIVABLE_PURCHASE_STATUSES:
        raise InvalidState(
            gettext(
                "Purchase order %(order)s is %(status)s; only a sent order can "
                "be received."
            )
            % {"order": order, "status": order.get_status_display()},
            field="status",
        )
    lines = {
        line.pk: line
        for line in order.lines.select_related("product").filter(pk__in=quantities)
    }
    unknown = set(quantities) - set(lines)
    if unknown:
        raise InvalidInput(
            gettext("Lines %(unknown)s are not on %(order)s.")
            % {"unknown": sorted(unknown), "order": order},
            field="lines",
        )
    return lines


def _count_received(
    lines: dict[int, PurchaseOrderLine], quantities: dict[int, int]
) -> None:
    """Add each quantity to its line's received, never past what was ordered."""
    for line_id, quantity in sorted(quantities.items()):
        line = lines[line_id]
        changed = PurchaseOrderLine.objects.filter(
            pk=line_id, quantity_received__lte=F("quantity_ordered") - quantity
        ).update(quantity_received=F("quantity_received") + quantity)
        if not changed:
            line.refresh_from_db(fields=["quantity_received"])
            raise InvalidInput(
                gettext(
                    "%(sku)s: receiving %(quantity)s would exceed the "
                    "%(quantity_open)s still open."
                )
                % {
                    "sku": line.product.sku,
                    "quantity": quantity,
                    "quantity_open": line.quantity_open,
                },
                field="lines",
            )


def purchase_order_add_line(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    product: Product,
    quantity: int,
    unit_cost: Decimal | None = None,
    actor=None,
    note: str = "",
) -> PurchaseOrderLine:
    """Add quantity to the draft purchase order for this supplier and warehouse.

    One draft per supplier x warehouse collects the lines, one line per
    product; the supplier row is locked so two managers approving at once
    never open two drafts. The draft is expected when its slowest line can
    arrive: today plus the product's lead time at this supplier (else the
    supplier's), so it shows as due and overdue once sent.
    """
    if quantity <= 0:
        raise InvalidInput(gettext("Quantity must be positive."), field="quantity")
    with transaction.atomic():
        locked = Supplier.objects.select_for_update().filter(pk=supplier.pk).first()
        terms = (
            SupplierProduct.objects.filter(supplier=supplier, product=product)
            .values("unit_cost", "lead_time_days")
            .first()
        ) or {"unit_cost": None, "lead_time_days": None}
        lead_days = terms["lead_time_days"]
        if lead_days is None:
            lead_days = (locked or supplier).lead_time_days
        expected = timezone.localdate() + timedelta(days=lead_days)
        order = (
            PurchaseOrder.objects.filter(
                supplier=supplier, warehouse=warehouse, status=PurchaseOrderStatus.DRAFT
            )
            .order_by("pk")
            .first()
        )
        if order is None:
            order = PurchaseOrder.objects.create(
                supplier=supplier,
                warehouse=warehouse,
                created_by=actor if getattr(actor, "pk", None) else None,
                note=note,
                expected_date=expected,
            )
        elif order.expected_date is None or order.expected_date < expected:
            PurchaseOrder.objects.filter(pk=order.pk).update(expected_date=expected)
        if unit_cost is None:
            unit_cost = terms["unit_cost"]
            if unit_cost is None:
                unit_cost = product.unit_cost
        line, created = PurchaseOrderLine.objects.get_or_create(
            purchase_order=order,
            product=product,
            defaults={"quantity_ordered": quantity, "unit_cost": unit_cost},
        )
        if not created:
            PurchaseOrderLine.objects.filter(pk=line.pk).update(
                quantity_ordered=F("quantity_ordered") + quantity
            )
            line.refresh_from_db()
    return line
