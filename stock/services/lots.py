"""Lots: naming them on receipt, and writing off what has expired."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Product
from core.errors import InvalidInput

from ..errors import InsufficientStock
from ..models import Lot, LotStockLevel, MovementKind, ReferenceType, StockLevel
from .ledger import LedgerLine, ledger_post

EXPIRED_NOTE = "Expired lot written off"


@dataclass(frozen=True)
class LotInput:
    """A received line's lot: its number and, if it has one, its expiry."""

    number: str
    expiry_date: date | None = None


def lot_resolve(*, product: Product, lot: LotInput) -> Lot:
    """The product's lot of that number, created on first receipt. Refuses
    (InvalidInput) a blank number and an expiry other than the one the lot
    was first received with."""
    number = lot.number.strip()
    if not number:
        raise InvalidInput("Enter the lot number.", field="lot")
    existing = Lot.objects.filter(product=product, number=number).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Lot.objects.create(
                    product=product, number=number, expiry_date=lot.expiry_date
                )
        except IntegrityError:  # received at the same moment elsewhere
            existing = Lot.objects.get(product=product, number=number)
    if lot.expiry_date is not None and existing.expiry_date != lot.expiry_date:
        raise InvalidInput(
            f"Lot {number} of {product.sku} expires on {existing.expiry_date}, "
            f"not {lot.expiry_date}.",
            field="expiry_date",
        )
    return existing


def lots_expired_lines(*, today: date) -> list[LedgerLine]:
    """The write-off of every lot whose expiry date has passed, per warehouse,
    as far as the pair's unreserved stock allows (a reserved unit is written
    off once its order releases it)."""
    expired = list(
        LotStockLevel.objects.filter(on_hand__gt=0, lot__expiry_date__lt=today)
        .fefo()
        .values_list("product_id", "warehouse_id", "lot_id", "on_hand")
    )
    free = {
        (p, w): on_hand - reserved
        for p, w, on_hand, reserved in StockLevel.objects.filter(
            product_id__in={row[0] for row in expired},
            warehouse_id__in={row[1] for row in expired},
        ).values_list("product_id", "warehouse_id", "on_hand", "reserved")
    }
    lines = []
    left: dict[tuple[int, int], int] = defaultdict(int, free)
    for product_id, warehouse_id, lot_id, on_hand in expired:
        units = min(on_hand, left[(product_id, warehouse_id)])
        if units > 0:
            left[(product_id, warehouse_id)] -= units
            lines.append(
                LedgerLine(
                    product_id,
                    warehouse_id,
                    quantity=-units,
                    kind=MovementKind.EXPIRY_WRITE_OFF,
                    lot_id=lot_id,
                )
            )
    return lines


def lots_write_off_expired(*, today: date | None = None, actor=None) -> int:
    """Write off through the ledger every expired unit not held for an order
    (kind expiry_write_off, the reason in the note); returns the units. Safe
    to run twice: a lot written off holds nothing more to write off."""
    today = today or timezone.localdate()
    for _attempt in range(3):
        lines = lots_expired_lines(today=today)
        if not lines:
            return 0
        try:
            ledger_post(
                lines=lines,
                reference_type=ReferenceType.MANUAL,
                reference_id=f"expiry-{today.isoformat()}",
                actor_user=actor,
                note=EXPIRED_NOTE,
            )
        except InsufficientStock:
            continue  # an order reserved meanwhile: read the balances again
        return -sum(line.quantity for line in lines)
    return 0
