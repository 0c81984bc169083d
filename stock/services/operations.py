"""Staff operations on stock: transfers, adjustments, stock counts."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Product
from core.errors import InvalidInput, InvalidState

from ..models import (
    Location,
    LocationStockLevel,
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
from ..selectors.picking import warehouse_bins
from ..selectors.stocktakes import book_quantities
from .counts import variance_check
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
    from_location: Location | None = None,
    to_location: Location | None = None,
) -> Transfer:
    """Move stock between warehouses; both legs post in one transaction.

    Out of from_location, or picked by the pick rule; into to_location, or
    the target's default receiving location (where the warehouses have any).
    Refuses (InvalidInput) one warehouse for both ends, a location outside
    its end's warehouse, no lines or a quantity that is not positive; the
    ledger refuses (InsufficientStock) what the source does not hold, and
    then no transfer is recorded.
    """
    _transfer_check(from_warehouse, to_warehouse, from_location, to_location)
    quantities = _transfer_quantities(lines)
    with transaction.atomic():
        transfer = Transfer.objects.create(
            from_warehouse=from_warehouse,
            to_warehouse=to_warehouse,
            from_location=from_location,
            to_location=to_location,
            created_by=actor,
            note=note,
        )
        TransferLine.objects.bulk_create(
            TransferLine(transfer=transfer, product_id=p, quantity=q)
            for p, q in quantities.items()
        )
        ledger_post(
            lines=_transfer_legs(transfer, quantities),
            reference_type=ReferenceType.TRANSFER,
            reference_id=str(transfer.pk),
            actor_user=actor,
            note=note,
        )
    return transfer


def _transfer_check(
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    from_location: Location | None,
    to_location: Location | None,
) -> None:
    if from_warehouse.pk == to_warehouse.pk:
        raise InvalidInput(
            gettext("Choose two different warehouses."), field="to_warehouse"
        )
    if from_location is not None and from_location.warehouse_id != from_warehouse.pk:
        raise InvalidInput(
            gettext("The location is not in the source warehouse."),
            field="from_location",
        )
    if to_location is not None and to_location.warehouse_id != to_warehouse.pk:
        raise InvalidInput(
            gettext("The location is not in the target warehouse."), field="to_location"
        )


def _transfer_quantities(lines: list[TransferLineInput]) -> dict[int, int]:
    """Units per product id (a product on several lines is summed)."""
    if not lines:
        raise InvalidInput(
            gettext("A transfer needs at least one line."), field="lines"
        )
    quantities: dict[int, int] = {}
    for line in lines:
        if line.quantity <= 0:
            raise InvalidInput(
                gettext("Quantity for %(sku)s must be positive.")
                % {"sku": line.product.sku},
                field="quantity",
            )
        quantities[line.product.pk] = quantities.get(line.product.pk, 0) + line.quantity
    return quantities


def _transfer_legs(transfer: Transfer, quantities: dict[int, int]) -> list[LedgerLine]:
    """Per product, the leg out of the source and the leg into the target."""
    ledger_lines = []
    for product_id, quantity in quantities.items():
        ledger_lines += [
            LedgerLine(
                product_id,
                transfer.from_warehouse_id,
                quantity=-quantity,
                kind=MovementKind.TRANSFER_OUT,
                location_id=transfer.from_location_id,
            ),
            LedgerLine(
                product_id,
                transfer.to_warehouse_id,
                quantity=quantity,
                kind=MovementKind.TRANSFER_IN,
                location_id=transfer.to_location_id,
            ),
        ]
    return ledger_lines


def stock_adjust(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    reason: str,
    actor,
    location: Location | None = None,
) -> StockMovement:
    """A manual correction (damage found, stock found) with a required reason.

    At the named location, else (in a warehouse with locations) stock found
    goes to the default receiving location and a loss comes out of the
    default picking location: one movement, whatever the warehouse.
    """
    if quantity == 0:
        raise InvalidInput(
            gettext("The adjustment must not be zero."), field="quantity"
        )
    if not reason.strip():
        raise InvalidInput(gettext("Say why stock is adjusted."), field="reason")
    if location is not None and location.warehouse_id != warehouse.pk:
        raise InvalidInput(
            gettext("The location is not in that warehouse."), field="location"
        )
    location_id = location.pk if location else None
    if location_id is None and quantity < 0:
        location_id = warehouse_bins([warehouse.pk])[warehouse.pk].pick_id
    (movement,) = ledger_post(
        lines=[
            LedgerLine(
                product.pk,
                warehouse.pk,
                quantity=quantity,
                kind=MovementKind.ADJUSTMENT,
                location_id=location_id,
            )
        ],
        reference_type=ReferenceType.MANUAL,
        actor_user=actor,
        note=reason.strip(),
    )
    return movement


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
        raise InvalidInput(
            gettext("The location is not in that warehouse."), field="location"
        )
    book = book_quantities(
        warehouse_id=warehouse.pk, location_id=location.pk if location else None
    )
    wanted = {pid: qty for pid, qty in book.items() if qty > 0}
    for product in products or []:
        wanted.setdefault(product.pk, book.get(product.pk, 0))
    if not wanted:
        raise InvalidInput(
            gettext("Nothing is on the books there; add the products to count."),
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
        raise InvalidInput(
            gettext("Counted quantities must be 0 or more."), field="counted"
        )
    with transaction.atomic():
        sheet = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
        if sheet.status not in (StocktakeStatus.OPEN, StocktakeStatus.SUBMITTED):
            raise InvalidState(
                gettext("%(sheet)s is %(status)s and can no longer change.")
                % {"sheet": sheet, "status": sheet.get_status_display()},
                field="status",
            )
        lines = {line.pk: line for line in sheet.lines.all()}
        unknown = set(counts) - set(lines)
        if unknown:
            raise InvalidInput(
                gettext("Lines %(unknown)s are not on %(sheet)s.")
                % {"unknown": sorted(unknown), "sheet": sheet}
            )
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
            raise InvalidInput(
                gettext("Counted quantities must be 0 or more."), field="counted"
            )
        StocktakeLine.objects.bulk_create(found)
        if not sheet.lines.filter(counted__isnull=False).exists():
            raise InvalidInput(
                gettext("Enter at least one counted quantity."), field="counted"
            )
        sheet.status = StocktakeStatus.SUBMITTED
        sheet.counted_by, sheet.counted_at = actor, timezone.now()
        sheet.save(update_fields=["status", "counted_by", "counted_at"])
    return sheet


def stocktake_confirm(
    *, stocktake: Stocktake, actor, acknowledged: bool = False
) -> Stocktake:
    """Post count corrections for every counted line that differs from the books.

    Differences over the limit (STOCKWISE_COUNT_VARIANCE_UNITS / _LIMIT) are
    refused (VarianceNeedsConfirmation, nothing changes) unless a manager
    posts them with `acknowledged`: a sheet counted all zero by mistake can
    no longer write off a bin in one click.

    The variance is taken against the books at confirmation, so movements made
    while the sheet waited are not counted twice. A location's count corrects
    that location (and the warehouse by the same difference); a whole
    warehouse's count puts what was found in the default receiving location
    and takes what is missing by the pick rule.
    """
    with transaction.atomic():
        now = timezone.now()
        changed = Stocktake.objects.filter(
            pk=stocktake.pk, status=StocktakeStatus.SUBMITTED
        ).update(status=StocktakeStatus.CONFIRMED, confirmed_by=actor, confirmed_at=now)
        if not changed:
            raise InvalidState(
                gettext("Only a counted sheet awaiting confirmation can be confirmed."),
                field="status",
            )
        sheet = Stocktake.objects.select_related("warehouse", "location").get(
            pk=stocktake.pk
        )
        lines = list(
            sheet.lines.filter(counted__isnull=False).select_related("product")
        )
        # Lock the counted products' levels, in the ledger's order, before
        # reading the books: every writer of a product's locations takes its
        # level row first, so the book cannot move before the correction.
        list(
            StockLevel.objects.select_for_update()
            .filter(
                warehouse_id=sheet.warehouse_id,
                product_id__in=[line.product_id for line in lines],
            )
            .order_by("product_id")
            .values_list("pk", flat=True)
        )
        book = book_quantities(
            warehouse_id=sheet.warehouse_id,
            location_id=sheet.location_id,
            product_ids=[line.product_id for line in lines],
        )
        for line in lines:
            line.variance = line.counted - book.get(line.product_id, 0)
        variance_check(lines=lines, actor=actor, acknowledged=acknowledged)
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
        raise InvalidState(
            gettext("This count can no longer be cancelled."), field="status"
        )
    stocktake.status = StocktakeStatus.CANCELLED
    return stocktake


def warehouse_locations_prepare(*, warehouse: Warehouse, actor=None) -> int:
    """Make a warehouse with locations ready for stock by location.

    Sets the default receiving and picking locations it lacks (its first
    receiving, else storage, location by code), and places what the books
    hold in it but in no location (stock it held before its first location)
    in the default receiving location, by relocation movements. Returns the
    units placed. Safe to run again: then it changes nothing.
    """
    with transaction.atomic():
        warehouse = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
        bins = warehouse_bins([warehouse.pk])[warehouse.pk]
        if not bins.located:
            return 0
        fields = []
        if warehouse.default_receiving_location_id is None:
            warehouse.default_receiving_location_id = bins.receiving_id
            fields.append("default_receiving_location")
        if warehouse.default_pick_location_id is None:
            warehouse.default_pick_location_id = bins.pick_id
            fields.append("default_pick_location")
        if fields:
            warehouse.save(update_fields=fields)
        placed = dict(
            LocationStockLevel.objects.filter(warehouse=warehouse)
            .values("product_id")
            .annotate(total=Sum("on_hand"))
            .values_list("product_id", "total")
        )
        lines = []
        for product_id, on_hand in StockLevel.objects.filter(
            warehouse=warehouse
        ).values_list("product_id", "on_hand"):
            outside = on_hand - (placed.get(product_id) or 0)
            if outside:
                lines += [
                    LedgerLine(
                        product_id,
                        warehouse.pk,
                        quantity=-outside,
                        kind=MovementKind.RELOCATION,
                        unplaced=True,
                    ),
                    LedgerLine(
                        product_id,
                        warehouse.pk,
                        quantity=outside,
                        kind=MovementKind.RELOCATION,
                        location_id=(
                            warehouse.default_receiving_location_id
                            if outside > 0
                            else None
                        ),
                    ),
                ]
        if lines:
            ledger_post(
                lines=lines,
                reference_type=ReferenceType.MANUAL,
                actor_user=actor,
                note="Placed in a location when the warehouse got locations",
            )
    return sum(line.quantity for line in lines if line.quantity > 0)
