"""Return intake from shops and staff, with the checks that keep stock honest."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from catalog.models import Product, Shop
from core.errors import InvalidInput, InvalidState
from stock.models import SalesOrder, SalesOrderStatus, Warehouse

from .. import jobs
from ..models import ReturnEvent, ReturnLine, ReturnRequest, ReturnStatus

MAX_REASON_CHARS = 10_000


@dataclass(frozen=True)
class ReturnLineInput:
    product: Product
    quantity: int
    condition_notes: str = ""


def _returnable(order: SalesOrder) -> dict[int, int]:
    """Quantity per product still returnable on a shipped order."""
    shipped = {line.product_id: line.quantity for line in order.lines.all()}
    returned = dict(
        ReturnLine.objects.filter(request__sales_order=order)
        .exclude(request__status=ReturnStatus.REJECTED)
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "total")
    )
    return {pid: qty - returned.get(pid, 0) for pid, qty in shipped.items()}


class AmbiguousOrderReference(InvalidState):
    """Staff named an order reference that several shops use, and no shop."""

    code = "ambiguous_order_reference"

    def __init__(self, order_reference: str, shops: list[str]):
        self.shops = shops
        super().__init__(
            _(
                "Order %(reference)s exists in more than one shop (%(shops)s): "
                "give the shop."
            )
            % {"reference": order_reference, "shops": ", ".join(shops)},
            field="shop",
        )

    def as_dict(self) -> dict:
        return {**super().as_dict(), "shops": self.shops}


def _order_for_reference(reference: str, *, shop: Shop | None) -> SalesOrder | None:
    """The order a return names. External ids are unique per shop only, so
    without a shop a reference two shops use is refused, never guessed."""
    orders = SalesOrder.objects.filter(external_id=reference).select_related(
        "warehouse", "shop"
    )
    if shop is not None:
        return orders.filter(shop=shop).first()
    found = list(orders[:2])
    if len(found) > 1:
        shops = orders.order_by("shop__code").values_list("shop__code", flat=True)
        raise AmbiguousOrderReference(reference, list(shops))
    return found[0] if found else None


def _shipped_order(reference: str, *, shop: Shop | None) -> SalesOrder:
    order = _order_for_reference(reference, shop=shop)
    if order is None:
        raise InvalidInput(
            _("No order %(reference)s is known for this shop.")
            % {"reference": repr(reference)},
            field="order_reference",
        )
    if order.status != SalesOrderStatus.SHIPPED:
        raise InvalidState(
            _("Order %(reference)s is %(status)s; only shipped orders can be returned.")
            % {"reference": repr(reference), "status": order.status},
            field="order_reference",
        )
    return order


def order_returnable(
    *, order_reference: str, shop: Shop | None = None
) -> tuple[SalesOrder, dict[int, int]]:
    """The shipped order a return of `order_reference` would attach to, and the
    quantity per product still returnable on it (what a form offers). Refused
    as return_create refuses it: unknown, not shipped, or ambiguous without a
    shop. return_create checks the quantities again under the order's lock."""
    order = _shipped_order(order_reference, shop=shop)
    return order, _returnable(order)


def _same_request(existing: ReturnRequest, lines: list[ReturnLineInput]) -> bool:
    stored = {line.product_id: line.quantity for line in existing.lines.all()}
    return stored == {line.product.pk: line.quantity for line in lines}


def _check_request(reason_text: str, lines: list[ReturnLineInput]) -> None:
    """Refuse a reason text over MAX_REASON_CHARS and a return without lines."""
    if len(reason_text) > MAX_REASON_CHARS:
        raise InvalidInput(
            _("reason_text may be at most %(max_reason_chars)s characters.")
            % {"max_reason_chars": MAX_REASON_CHARS},
            field="reason_text",
        )
    if not lines:
        raise InvalidInput(_("A return needs at least one line."), field="lines")


def _resent_return(
    shop: Shop | None, external_id: str, lines: list[ReturnLineInput]
) -> ReturnRequest | None:
    """The return a shop already opened under `external_id`, or None; refused
    when the shop sends that id again with different lines."""
    if shop is None or not external_id:
        return None
    existing = ReturnRequest.objects.filter(shop=shop, external_id=external_id).first()
    if existing is not None and not _same_request(existing, lines):
        raise InvalidState(
            _("Return %(id)s already exists with different lines.")
            % {"id": repr(external_id)},
            field="external_id",
        )
    return existing


def _merged_lines(lines: list[ReturnLineInput]) -> dict[int, ReturnLineInput]:
    """One line per product (quantities added, the first condition note kept);
    refuses a quantity that is not positive."""
    merged: dict[int, ReturnLineInput] = {}
    for line in lines:
        if line.quantity <= 0:
            raise InvalidInput(_("Quantities must be positive."), field="lines")
        seen = merged.get(line.product.pk)
        merged[line.product.pk] = ReturnLineInput(
            line.product,
            line.quantity + (seen.quantity if seen else 0),
            line.condition_notes or (seen.condition_notes if seen else ""),
        )
    return merged


def _check_returnable(order: SalesOrder, lines: dict[int, ReturnLineInput]) -> None:
    """Refuse lines asking more than the order shipped and has not had back.
    Call it inside the transaction that stores the return, after locking the
    order, so two returns of the same goods cannot both pass."""
    returnable = _returnable(order)
    over = [
        _("%(sku)s (returnable %(returnable)d, asked %(asked)d)")
        % {
            "sku": line.product.sku,
            "returnable": max(returnable.get(pid, 0), 0),
            "asked": line.quantity,
        }
        for pid, line in lines.items()
        if line.quantity > returnable.get(pid, 0)
    ]
    if over:
        raise InvalidInput(
            _("More than was shipped and not yet returned: %(lines)s")
            % {"lines": ", ".join(over)},
            field="lines",
        )


def _store_return(
    *,
    order: SalesOrder,
    lines: dict[int, ReturnLineInput],
    shop: Shop | None,
    external_id: str,
    order_reference: str,
    warehouse: Warehouse | None,
    reason_text: str,
    reason_code: str,
    actor,
) -> ReturnRequest:
    """The request, its lines and its first event (requested), in one
    transaction with the order locked and the quantities checked again."""
    with transaction.atomic():
        SalesOrder.objects.select_for_update().filter(pk=order.pk).first()
        _check_returnable(order, lines)
        request = ReturnRequest.objects.create(
            shop=shop or order.shop,
            external_id=external_id,
            order_reference=order_reference,
            sales_order=order,
            warehouse=warehouse or order.warehouse,
            reason_text=reason_text,
            reason_code=reason_code.strip().lower(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        ReturnLine.objects.bulk_create(
            ReturnLine(
                request=request,
                product=line.product,
                quantity=line.quantity,
                condition_notes=line.condition_notes[:500],
            )
            for line in lines.values()
        )
        ReturnEvent.objects.create(
            request=request,
            to_status=ReturnStatus.REQUESTED,
            actor_user=request.created_by,
            actor_shop=shop,
        )
    return request


def return_create(
    *,
    order_reference: str,
    lines: list[ReturnLineInput],
    reason_text: str = "",
    reason_code: str = "",
    shop: Shop | None = None,
    external_id: str = "",
    warehouse: Warehouse | None = None,
    actor=None,
) -> tuple[ReturnRequest, bool]:
    """Open a return against a shipped order; (request, created).

    A shop's return re-sent with the same external_id is returned as it was
    (refused if its lines differ). Quantities are checked against what was
    shipped minus what is already being returned, under the order's lock, so
    the same goods can never come back twice. The new return's classification
    starts through returns.jobs (at once in-process, else after the commit);
    the request returned shows whatever it has written by then.
    """
    _check_request(reason_text, lines)
    existing = _resent_return(shop, external_id, lines)
    if existing is not None:
        return existing, False
    order = _shipped_order(order_reference, shop=shop)
    merged = _merged_lines(lines)
    try:
        request = _store_return(
            order=order,
            lines=merged,
            shop=shop,
            external_id=external_id,
            order_reference=order_reference,
            warehouse=warehouse,
            reason_text=reason_text,
            reason_code=reason_code,
            actor=actor,
        )
    except IntegrityError:
        # The same shop and external_id stored meanwhile by a concurrent call.
        existing = ReturnRequest.objects.filter(
            shop=shop, external_id=external_id
        ).first()
        if existing is None:
            raise
        return existing, False
    jobs.classify_new_return(request.pk)
    request.refresh_from_db()
    return request, True
