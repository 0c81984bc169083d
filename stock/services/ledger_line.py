"""What a ledger post is made of: the line, and the rule every line must meet.

Both halves of the ledger (ledger.py for warehouse levels, ledger_locations.py
for location levels) read lines; they import them from here, never from each
other's module.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

from core.errors import InvalidInput

from ..models.ledger import KIND_SIGN, MovementKind


@dataclass(frozen=True)
class LedgerLine:
    product_id: int
    warehouse_id: int
    quantity: int = 0  # change of on hand; a movement is written when non-zero
    reserved: int = 0  # change of reserved
    kind: str = ""
    location_id: int | None = None
    # The lot moved (stock.Lot of the product); None for an outbound line is
    # filled first expired, first out by the ledger (ledger_lots.py).
    lot_id: int | None = None
    # A relocation leg for stock the books hold in a warehouse with locations
    # but in none of them (it held stock before its first location): the
    # movement names no location and no location's balance moves.
    unplaced: bool = False


# One movement to write: the line (its quantity possibly a part of the
# original line's, when picking split it) and the location it names.
Piece = tuple[LedgerLine, int | None]


def lines_check(lines: Sequence[LedgerLine]) -> None:
    """Refuse (InvalidInput) a line whose kind is unknown, whose quantity has
    the wrong sign for its kind (KIND_SIGN), or that moves unplaced stock
    without being a relocation with no location. Reads no database."""
    for line in lines:
        if line.unplaced and (line.kind != MovementKind.RELOCATION or line.location_id):
            raise InvalidInput(
                gettext("Only a relocation without a location moves unplaced stock."),
                field="location",
            )
        if line.quantity:
            sign = KIND_SIGN.get(line.kind)
            if sign is None:
                raise InvalidInput(
                    gettext("Unknown movement kind %(kind)s.")
                    % {"kind": repr(line.kind)},
                    field="kind",
                )
            if sign and (line.quantity > 0) != (sign > 0):
                raise InvalidInput(
                    gettext("A %(kind)s cannot have quantity %(quantity)s.")
                    % {"kind": line.kind, "quantity": line.quantity},
                    field="quantity",
                )
