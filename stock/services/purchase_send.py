"""Sending a purchase order: draft to sent, expected by the supplier's lead
time, and e-mailed to the supplier with the order as a CSV attachment."""

import csv
import io
import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from catalog.models import SupplierProduct
from core.errors import InvalidState

from ..models import PurchaseOrder, PurchaseOrderStatus

logger = logging.getLogger(__name__)
CSV_HEADER = ["sku", "supplier_sku", "name", "quantity", "unit_cost", "line_total"]


def purchase_order_lead_days(*, purchase_order: PurchaseOrder) -> int:
    """Days until the slowest line can arrive: each product's lead time at this
    supplier, else the supplier's (the supplier's for an order with no lines)."""
    supplier = purchase_order.supplier
    product_ids = list(purchase_order.lines.values_list("product_id", flat=True))
    overrides = dict(
        SupplierProduct.objects.filter(
            supplier=supplier, product_id__in=product_ids, lead_time_days__isnull=False
        ).values_list("product_id", "lead_time_days")
    )
    return max(
        (overrides.get(pk, supplier.lead_time_days) for pk in product_ids),
        default=supplier.lead_time_days,
    )


def purchase_order_send(
    *,
    purchase_order: PurchaseOrder,
    actor=None,
    expected_date: date | None = None,
    email_supplier: bool = True,
) -> PurchaseOrder:
    """Send a draft: it becomes sent, is expected `expected_date` (by default
    today plus the lead time of its slowest line, or the draft's own later
    date) and, when the supplier has an
    e-mail address and `email_supplier`, is e-mailed there with a CSV of its
    lines. A failed e-mail rolls the send back (InvalidState on "supplier"),
    so a sent order is one the supplier was told of.

    Refuses (InvalidState on "status") anything but a draft."""
    now = timezone.now()
    with transaction.atomic():
        order = (
            PurchaseOrder.objects.select_for_update()
            .select_related("supplier", "warehouse")
            .get(pk=purchase_order.pk)
        )
        if order.status != PurchaseOrderStatus.DRAFT:
            raise InvalidState(
                "Only a draft purchase order can be sent.", field="status"
            )
        if expected_date is None:
            # Never before the supplier can deliver; a later date the manager
            # set on the draft is kept.
            lead = purchase_order_lead_days(purchase_order=order)
            earliest = timezone.localdate() + timedelta(days=lead)
            expected_date = max(order.expected_date or earliest, earliest)
        order.status, order.sent_at = PurchaseOrderStatus.SENT, now
        order.expected_date = expected_date
        order.save(update_fields=["status", "sent_at", "expected_date"])
        if email_supplier and order.supplier.email:
            _email(order)
    purchase_order.status, purchase_order.sent_at = order.status, order.sent_at
    purchase_order.expected_date = order.expected_date
    return purchase_order


def purchase_order_csv(*, purchase_order: PurchaseOrder) -> str:
    """The order's lines as CSV, for the supplier (one row per line)."""
    supplier_skus = dict(
        SupplierProduct.objects.filter(supplier_id=purchase_order.supplier_id)
        .filter(product__purchase_order_lines__purchase_order=purchase_order)
        .values_list("product_id", "supplier_sku")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for line in purchase_order.lines.select_related("product").order_by("pk"):
        writer.writerow(
            [
                line.product.sku,
                supplier_skus.get(line.product_id, ""),
                line.product.name,
                line.quantity_ordered,
                line.unit_cost,
                line.unit_cost * line.quantity_ordered,
            ]
        )
    return out.getvalue()


def _email(order: PurchaseOrder) -> None:
    expected = order.expected_date.isoformat() if order.expected_date else "-"
    body = (
        f"Hello {order.supplier.name},\n\n"
        f"Please find our purchase order {order} attached (CSV, one line per "
        f"item).\n\nDeliver to: {order.warehouse.name} ({order.warehouse.code})\n"
        f"Expected by: {expected}\n"
        + (f"Note: {order.note}\n" if order.note else "")
        + "\nThank you.\n"
    )
    message = EmailMessage(
        subject=f"Purchase order {order}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.supplier.email],
    )
    message.attach(f"{order}.csv", purchase_order_csv(purchase_order=order), "text/csv")
    try:
        message.send(fail_silently=False)
    except Exception as error:
        logger.warning("Could not e-mail %s to %s: %r", order, order.supplier, error)
        raise InvalidState(
            f"Could not e-mail {order} to {order.supplier.email}; it stays a draft. "
            "Try again later.",
            field="supplier",
        ) from error
