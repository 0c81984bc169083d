"""The ledger's weekly roll-up (stock.LedgerWeek) as LedgerDay says it should
be, and every figure of it that differs."""

from dataclasses import dataclass
from datetime import date

from django.db import connection

from ..models import LedgerDay, LedgerWeek
from ..services.ledger_weeks import NET, SHIPPED, week_sql, weekday_sql
from .ledger_days import product_passes

FIELDS = (*NET, *SHIPPED)


@dataclass(frozen=True)
class WeekDifference:
    product_id: int
    week: object
    field: str
    stored: int
    expected: int

    def __str__(self):
        return (
            f"product {self.product_id} in the week of {self.week}: {self.field} "
            f"is {self.stored}, the daily roll-up says {self.expected}"
        )


def ledger_weeks_expected(first: int, last: int) -> dict[tuple, tuple[int, ...]]:
    """LedgerDay of products first..last grouped by product and week:
    (product_id, week) -> (net0..net6, shipped0..shipped6)."""
    vendor = connection.vendor
    weekday = weekday_sql("date", vendor, with_params=True)
    sums = ", ".join(
        [f"SUM(CASE WHEN j = {j} THEN net ELSE 0 END)" for j in range(7)]
        + [f"SUM(CASE WHEN j = {j} THEN shipped ELSE 0 END)" for j in range(7)]
    )
    sql = f"""
        SELECT product_id, week, {sums}
        FROM (
            SELECT product_id, net, shipped, {weekday} AS j,
                   {week_sql("date", weekday, vendor)} AS week
            FROM {LedgerDay._meta.db_table}
            WHERE product_id BETWEEN %s AND %s
        ) d
        GROUP BY product_id, week
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, last])
        return {(r[0], _date(r[1])): tuple(r[2:]) for r in cursor.fetchall()}


def _date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def ledger_weeks_reconcile() -> list[WeekDifference]:
    """Every LedgerWeek figure that differs from LedgerDay grouped by week (a
    missing row counts as zeros); empty when the two agree. Reads
    PRODUCTS_PER_PASS products at a time."""
    differences: list[WeekDifference] = []
    done = 0
    passes = [*product_passes(LedgerDay.objects.all()), (None, None)]
    for _, last in passes:
        stored_rows = LedgerWeek.objects.filter(product_id__gt=done)
        if last is not None:
            stored_rows = stored_rows.filter(product_id__lte=last)
            expected = ledger_weeks_expected(done + 1, last)
        else:
            expected = {}
        stored = {
            (r[0], r[1]): tuple(r[2:])
            for r in stored_rows.values_list("product_id", "week", *FIELDS)
        }
        differences += _compare(stored, expected)
        done = last
    return differences


def _compare(stored: dict, expected: dict) -> list[WeekDifference]:
    out = []
    zeros = (0,) * len(FIELDS)
    for key in sorted(stored.keys() | expected.keys()):
        have, want = stored.get(key, zeros), expected.get(key, zeros)
        for field, a, b in zip(FIELDS, have, want, strict=True):
            if a != b:
                out.append(WeekDifference(*key, field=field, stored=a, expected=b))
    return out
