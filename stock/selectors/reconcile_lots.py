"""The ledger proves the lot balances: each lot's balance in a warehouse is
the sum of its movements there, and a pair's lots never hold more than it."""

from django.db.models import Sum

from ..models import LotStockLevel, StockMovement


def lot_differences(levels: dict[tuple[int, int], int], difference) -> list:
    """levels: every pair's on hand; ``difference`` builds a
    reconcile.Difference (product, warehouse, field, balance, expected). The
    field is ``lot <number>`` for a lot off its ledger, ``lots`` for lots that
    add up to more than the pair holds."""
    ledger = {
        (row["lot_id"], row["warehouse_id"]): row["total"]
        for row in StockMovement.objects.filter(lot__isnull=False)
        .values("lot_id", "warehouse_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    found = []
    in_lots: dict[tuple[int, int], int] = {}
    seen = set()
    for (
        lot_id,
        number,
        product_id,
        warehouse_id,
        on_hand,
    ) in LotStockLevel.objects.values_list(
        "lot_id", "lot__number", "product_id", "warehouse_id", "on_hand"
    ).order_by():
        seen.add((lot_id, warehouse_id))
        pair = (product_id, warehouse_id)
        in_lots[pair] = in_lots.get(pair, 0) + on_hand
        expected = ledger.get((lot_id, warehouse_id), 0)
        if on_hand != expected:
            found.append(difference(*pair, f"lot {number}", on_hand, expected))
    for lot_id, warehouse_id in set(ledger) - seen:
        if ledger[(lot_id, warehouse_id)]:
            product_id = (
                StockMovement.objects.filter(lot_id=lot_id).values_list(
                    "product_id", flat=True
                )
            ).first()
            found.append(
                difference(
                    product_id,
                    warehouse_id,
                    f"lot {lot_id}",
                    0,
                    ledger[(lot_id, warehouse_id)],
                )
            )
    for pair, held in in_lots.items():
        if held > levels.get(pair, 0):
            found.append(difference(*pair, "lots", held, levels.get(pair, 0)))
    return found
