"""The ledger's daily roll-up as the movements say it should be, and every
row of stock.LedgerDay that differs from it."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import DEMAND_Q, LedgerDay, StockMovement

# Products per pass: bounds the memory of a reconcile or backfill of any ledger.
PRODUCTS_PER_PASS = 2000

FIELDS = ("shipped", "net", "low", "movements")


@dataclass(frozen=True)
class DayDifference:
    product_id: int
    warehouse_id: int
    date: object
    field: str
    stored: int | None
    expected: int | None

    def __str__(self):
        return (
            f"product {self.product_id} in warehouse {self.warehouse_id} on "
            f"{self.date}: {self.field} is {self.stored}, the ledger says "
            f"{self.expected}"
        )


def product_passes(
    rows=None, size: int = PRODUCTS_PER_PASS
) -> Iterator[tuple[int, int]]:
    """(first, last) product ids of each pass of ``size`` products over
    ``rows`` (a queryset with a product_id; the ledger by default), by keyset."""
    rows = StockMovement.objects.all() if rows is None else rows
    after = 0
    while True:
        ids = list(
            rows.filter(product_id__gt=after)
            .order_by("product_id")
            .values_list("product_id", flat=True)
            .distinct()[:size]
        )
        if not ids:
            return
        yield ids[0], ids[-1]
        after = ids[-1]


def ledger_days_expected(first: int, last: int) -> dict[tuple, tuple[int, ...]]:
    """The roll-up of products first..last from their movements:
    (product_id, warehouse_id, date) -> (shipped, net, low, movements)."""
    rows = (
        StockMovement.objects.filter(product_id__gte=first, product_id__lte=last)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
        .values("product_id", "warehouse_id", "day")
        .annotate(
            shipped=Sum("quantity", filter=DEMAND_Q),
            net=Sum("quantity"),
            low=Min("balance_after"),
            n=Count("pk"),
        )
        .order_by()
    )
    return {
        (r["product_id"], r["warehouse_id"], r["day"]): (
            -(r["shipped"] or 0),
            r["net"],
            r["low"],
            r["n"],
        )
        for r in rows
    }


def ledger_days_reconcile() -> list[DayDifference]:
    """Every LedgerDay figure that differs from the movements, every day with
    movements and no row, and every row with no movements; empty when the
    roll-up equals the ledger. Reads PRODUCTS_PER_PASS products at a time."""
    differences: list[DayDifference] = []
    checked_up_to = 0
    for first, last in product_passes():
        expected = ledger_days_expected(first, last)
        stored = {
            (r[0], r[1], r[2]): r[3:]
            for r in LedgerDay.objects.filter(
                product_id__gt=checked_up_to, product_id__lte=last
            ).values_list("product_id", "warehouse_id", "date", *FIELDS)
        }
        checked_up_to = last
        differences += _compare(stored, expected)
    orphans = LedgerDay.objects.filter(product_id__gt=checked_up_to).values_list(
        "product_id", "warehouse_id", "date", *FIELDS
    )
    differences += _compare({(r[0], r[1], r[2]): r[3:] for r in orphans}, {})
    return differences


def _compare(stored: dict, expected: dict) -> list[DayDifference]:
    out = []
    for key in sorted(stored.keys() | expected.keys()):
        have = stored.get(key, (None,) * len(FIELDS))
        want = expected.get(key, (None,) * len(FIELDS))
        for field, a, b in zip(FIELDS, have, want, strict=True):
            if a != b:
                out.append(DayDifference(*key, field=field, stored=a, expected=b))
    return out
