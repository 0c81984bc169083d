"""Staff operations on stock: transfers, adjustments, stock counts."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.models import Product

from ..exceptions import InvalidInput, InvalidState
from ..models import (
    Location,
    MovementKind,
    ReferenceType,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
    Transfer,
    TransferLine,
    Warehouse,
)
from .ledger import LedgerLine, ledger_post


@dataclass(frozen=True)
class TransferLineInput:
    product: Product
    quantity: int


def transfer_create(
    *,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    lines: list[TransferLineInput],
    actor,
    note: str = "",
) -> Transfer:
    """Move stock between warehouses; both legs post in one transaction."""
    if from_warehouse.pk == to_warehouse.pk:
        raise InvalidInput("Choose two different warehouses.", field="to_warehouse")
    if not lines:
        raise InvalidInput("A transfer needs at least one line.", field="lines")
    quantities: dict[int, int] = {}
    for line in lines:
        if line.quantity <= 0:
            raise InvalidInput(
                f"Quantity for {line.product.sku} must be positive.", field="quantity"
            )
        quantities[line.product.pk] = quantities.get(line.product.pk, 0) + line.quantity
    with transaction.atomic():
        transfer = Transfer.objects.create(
            from_warehouse=from_warehouse,
            to_warehouse=to_warehouse,
            created_by=actor,
            note=note,
        )
        TransferLine.objects.bulk_create(
            TransferLine(transfer=transfer, product_id=p, quantity=q)
            for p, q in quantities.items()
        )
        ledger_lines = []
        for product_id, quantity in quantities.items():
            ledger_lines += [
                LedgerLine(
                    product_id,
                    from_warehouse.pk,
                    quantity=-quantity,
                    kind=MovementKind.TRANSFER_OUT,
                ),
                LedgerLine(
                    product_id,
                    to_warehouse.pk,
                    quantity=quantity,
                    kind=MovementKind.TRANSFER_IN,
                ),
            ]
        ledger_post(
            lines=ledger_lines,
            reference_type=ReferenceType.TRANSFER,
            reference_id=str(transfer.pk),
            actor_user=actor,
            note=note,
        )
    return transfer


def stock_adjust(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    reason: str,
    actor,
    location: Location | None = None,
) -> StockMovement:
    """A manual correction (damage found, stock found) with a required reason."""
    if quantity == 0:
        raise InvalidInput("The adjustment must not be zero.", field="quantity")
    if not reason.strip():
        raise InvalidInput("Say why stock is adjusted.", field="reason")
    if location is not None and location.warehouse_id != warehouse.pk:
        raise InvalidInput("The location is not in that warehouse.", field="location")
    (movement,) = ledger_post(
        lines=[
            LedgerLine(
                product.pk,
                warehouse.pk,
                quantity=quantity,
                kind=MovementKind.ADJUSTMENT,
                location_id=location.pk if location else None,
            )
        ],
        reference_type=ReferenceType.MANUAL,
        actor_user=actor,
        note=reason.strip(),
    )
    return movement


def _book_quantities(
    warehouse: Warehouse, location: Location | None, product_ids=None
) -> dict[int, int]:
    """On hand per product: of the warehouse, or of one location by its ledger."""
    if location is None:
        rows = StockLevel.objects.filter(warehouse=warehouse)
        if product_ids is not None:
            rows = rows.filter(product_id__in=product_ids)
        return dict(rows.values_list("product_id", "on_hand"))
    rows = StockMovement.objects.filter(location=location)
    if product_ids is not None:
        rows = rows.filter(product_id__in=product_ids)
    return dict(
        rows.values("product_id")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "total")
    )


def stocktake_create(
    *,
    warehouse: Warehouse,
    actor,
    location: Location | None = None,
    products: list[Product] | None = None,
    note: str = "",
) -> Stocktake:
    """A count sheet listing what the books say is there (and any products asked)."""
    if location is not None and location.warehouse_id != warehouse.pk:
        raise InvalidInput("The location is not in that warehouse.", field="location")
    book = _book_quantities(warehouse, location)
    wanted = {pid: qty for pid, qty in book.items() if qty > 0}
    for product in products or []:
        wanted.setdefault(product.pk, book.get(product.pk, 0))
    if not wanted:
        raise InvalidInput(
            "Nothing is on the books there; add the products to count.",
            field="products",
        )
    with transaction.atomic():
        stocktake = Stocktake.objects.create(
            warehouse=warehouse, location=location, created_by=actor, note=note
        )
        StocktakeLine.objects.bulk_create(
            StocktakeLine(stocktake=stocktake, product_id=pid, expected=qty)
            for pid, qty in wanted.items()
        )
    return stocktake


def stocktake_record_counts(
    *,
    stocktake: Stocktake,
    counts: dict[int, int],
    actor,
    extra: dict[Product, int] | None = None,
) -> Stocktake:
    """Record counted quantities (by line id, plus products found that were not
    on the sheet) and hand the sheet to a manager for confirmation."""
    if any(q is None or q < 0 for q in counts.values()):
        raise InvalidInput("Counted quantities must be 0 or more.", field="counted")
    with transaction.atomic():
        sheet = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
        if sheet.status not in (StocktakeStatus.OPEN, StocktakeStatus.SUBMITTED):
            raise InvalidState(
                f"{sheet} is {sheet.get_status_display()} and can no longer change.",
                field="status",
            )
        lines = {line.pk: line for line in sheet.lines.all()}
        unknown = set(counts) - set(lines)
        if unknown:
            raise InvalidInput(f"Lines {sorted(unknown)} are not on {sheet}.")
        for line_id, counted in counts.items():
            lines[line_id].counted = counted
        StocktakeLine.objects.bulk_update([lines[i] for i in counts], ["counted"])
        on_sheet = {line.product_id for line in lines.values()}
        found = [
            StocktakeLine(stocktake=sheet, product=p, expected=0, counted=q)
            for p, q in (extra or {}).items()
            if p.pk not in on_sheet
        ]
        if any(line.counted < 0 for line in found):
            raise InvalidInput("Counted quantities must be 0 or more.", field="counted")
        StocktakeLine.objects.bulk_create(found)
        if not sheet.lines.filter(counted__isnull=False).exists():
            raise InvalidInput("Enter at least one counted quantity.", field="counted")
        sheet.status = StocktakeStatus.SUBMITTED
        sheet.counted_by, sheet.counted_at = actor, timezone.now()
        sheet.save(update_fields=["status", "counted_by", "counted_at"])
    return sheet


def stocktake_confirm(*, stocktake: Stocktake, actor) -> Stocktake:
    """Post count corrections for every counted line that differs from the books.

    The variance is taken against the books at confirmation, so movements made
    while the sheet waited are not counted twice.
    """
    with transaction.atomic():
        now = timezone.now()
        changed = Stocktake.objects.filter(
            pk=stocktake.pk, status=StocktakeStatus.SUBMITTED
        ).update(status=StocktakeStatus.CONFIRMED, confirmed_by=actor, confirmed_at=now)
        if not changed:
            raise InvalidState(
                "Only a counted sheet awaiting confirmation can be confirmed.",
                field="status",
            )
        sheet = Stocktake.objects.select_related("warehouse", "location").get(
            pk=stocktake.pk
        )
        lines = list(sheet.lines.filter(counted__isnull=False))
        book = _book_quantities(
            sheet.warehouse, sheet.location, [line.product_id for line in lines]
        )
        for line in lines:
            line.variance = line.counted - book.get(line.product_id, 0)
        StocktakeLine.objects.bulk_update(lines, ["variance"])
        ledger_post(
            lines=[
                LedgerLine(
                    line.product_id,
                    sheet.warehouse_id,
                    quantity=line.variance,
                    kind=MovementKind.COUNT_CORRECTION,
                    location_id=sheet.location_id,
                )
                for line in lines
                if line.variance
            ],
            reference_type=ReferenceType.STOCKTAKE,
            reference_id=str(sheet.pk),
            actor_user=actor,
            occurred_at=now,
        )
    return sheet


def stocktake_cancel(*, stocktake: Stocktake, actor) -> Stocktake:
    changed = Stocktake.objects.filter(
        pk=stocktake.pk,
        status__in=[StocktakeStatus.OPEN, StocktakeStatus.SUBMITTED],
    ).update(status=StocktakeStatus.CANCELLED)
    if not changed:
        raise InvalidState("This count can no longer be cancelled.", field="status")
    stocktake.status = StocktakeStatus.CANCELLED
    return stocktake
